"""Template helpers shared by every page: permissions, dates, stars, language links."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, request

from .ocop.rules import VN_TZ, stars_text
from .permissions import Perm, can


def vn_date(value: date | datetime | None) -> str:
    """28/12/2026 — the form used on Vietnamese decisions."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(VN_TZ)
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # a placeholder in a pre-rendered fragment
        return value
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def vn_when(value: datetime | None) -> str:
    """"lúc 08:00 ngày 02/11/2026" (English: "at 08:00 on 02/11/2026"), Vietnam time."""
    if value is None:
        return ""
    from .models.base import localized

    local = value.astimezone(VN_TZ)
    return localized((f"lúc {local:%H:%M} ngày {local:%d/%m/%Y}",
                      f"at {local:%H:%M} on {local:%d/%m/%Y}"))


def vn_decimal(value) -> str:
    """12,5 in Vietnamese (comma for decimals, dot for thousands), 12.5 in English;
    trailing zeros dropped (12.500 kg reads 12,5)."""
    from decimal import Decimal

    from .models.base import localized

    if value is None:
        return ""
    number = Decimal(str(value))
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    vietnamese = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return localized((vietnamese, text))


def council_level_label(level) -> str:
    """"cấp tỉnh" / "province": a council level in the page's language."""
    from .models.base import localized
    from .ocop.criteria import COUNCIL_LEVEL_LABELS

    return localized(COUNCIL_LEVEL_LABELS[level])


def lang_url(lang: str) -> str:
    """The current page in another language: a relative reference (``?…&lang=en``) to
    the same path with the same query and ``lang`` set, so it is right on every page
    that shares the query (the header of anonymous pages is cached by it)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return f"?{urlencode(args, doseq=True)}"


def render_blocks(template_name: str, names: tuple[str, ...], parents: tuple[str, ...] = (),
                  **context) -> list[str]:
    """Render some blocks of a template, each on its own, exactly as they read in the
    whole page: with Flask's template context, and with the blocks of the templates it
    extends (``parents``, nearest first) composed as Jinja composes them."""
    from flask import current_app

    env = current_app.jinja_env
    template = env.get_template(template_name)
    current_app.update_template_context(context)
    ctx = template.new_context(context)
    for parent in parents:
        for name, block in env.get_template(parent).blocks.items():
            ctx.blocks.setdefault(name, []).append(block)
    return ["".join(ctx.blocks[name][0](ctx)) for name in names]


def verdict_section(verdict):
    """The macro of ``public/_verdict.html``, from the template's module (made once per
    process): ``{% include %}`` or ``{% from … import %}`` in a page would copy the whole
    template context, or build the module again, at every scan."""
    from flask import current_app

    template = current_app.jinja_env.get_template("public/_verdict.html")
    return template.module.verdict_section(verdict)


def site_header():
    """The rendered site header (``_site_header.html``). Kept per process for visitors
    who are not signed in and have no pending messages, by language and query string."""
    from flask import current_app, g, render_template, session
    from flask_login import current_user
    from markupsafe import Markup

    from .public.cache import LRU

    if current_user.is_authenticated or "_flashes" in session:
        return Markup(render_template("_site_header.html"))
    cache = current_app.extensions.get("registry.site_header")
    if cache is None:
        cache = current_app.extensions["registry.site_header"] = LRU(256)
    key = (g.get("lang", "vi"), request.query_string)
    made = cache.peek(key)
    if made is None:
        made = Markup(render_template("_site_header.html"))
        cache.put(key, made)
    return made


def product_jsonld(bundle, rating, canonical: str) -> dict:
    """schema.org Product for search engines and link previews."""
    product = bundle.product
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name_vi,
        "url": canonical,
        "category": product.group_name,
        "manufacturer": {"@type": "Organization", "name": product.producer.name},
    }
    if product.name_en:
        data["alternateName"] = product.name_en
    if product.description_vi:
        data["description"] = product.description_vi
    if product.gtin:
        data["gtin14"] = product.gtin
    decision = rating.decision
    if rating.state.has_stars and decision is not None:
        data["award"] = (f"OCOP {decision.stars} sao — quyết định {decision.number} "
                         f"ngày {vn_date(decision.decided_on)}, hiệu lực đến "
                         f"{vn_date(decision.valid_until)}")
    return data


def init_app(app: Flask) -> None:
    from .models.base import localized

    app.jinja_env.globals["localized"] = localized  # a (Vietnamese, English) pair
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.filters["vn_datetime"] = vn_datetime
    app.jinja_env.filters["vn_when"] = vn_when
    app.jinja_env.filters["vn_decimal"] = vn_decimal
    app.jinja_env.filters["stars"] = stars_text
    app.jinja_env.filters["council_level"] = council_level_label
    from .labels.serials import display

    app.jinja_env.filters["serial"] = display
    from .labels.links import batch_path, product_path

    app.jinja_env.globals.update(can=can, Perm=Perm, lang_url=lang_url, site_header=site_header,
                                 verdict_section=verdict_section,
                                 product_jsonld=product_jsonld, product_path=product_path,
                                 batch_path=batch_path)
