"""The GS1 Digital Link resolver's answers: a 307 to the page people read, the linkset, a
redirect to any link type asked for; never a database read for a plain request of a
known item.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from ...extensions import db
from ...labels.links import LabelKey
from ...models import Product
from . import snapshot
from .addresses import PAGE, key_path, with_query
from .answers import CORS, LINKSET, LINKSET_CONTEXT, error_answer, facts_key, not_issued, problem
from .facts import current_facts
from .linkset import entries, find_link, linkset_document
from .service import ScanService, service


def resolver_answer(key: LabelKey, *, extra_query: str = "", same_as: str | None = None):
    """What the resolver answers for ``key`` (also for decompressed addresses)."""
    svc = service()
    if request.method == "OPTIONS":
        response = current_app.response_class(status=204)
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return _resolver_headers(response, key, same_as)
    link_type = request.args.get("linkType")
    if link_type in ("linkset", "all") or _wants_linkset():
        return _resolver_headers(_linkset(svc, key), key, same_as)
    if link_type is not None and link_type not in ("gs1:defaultLink", "gs1:defaultLinkMulti"):
        return _resolver_headers(_link_redirect(svc, key, link_type), key, same_as)
    if key.serial is not None and svc.signer.verify(key.item_key, key.lot, key.serial) is None:
        return _resolver_headers(not_issued(key), key, same_as)
    if not _known_item(svc, key):
        response = error_answer(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
        return _resolver_headers(response, key, same_as)
    query = passed_on_query(request.query_string.decode("latin-1"), drop=("linkType",),
                            extra=extra_query)
    return _resolver_headers(_redirect(default_link(svc, key, query)), key, same_as)


def default_link(svc: ScanService, key: LabelKey, query: str) -> str:
    """Where a plain request for ``key`` is redirected: the page people read, with the
    request's query passed on."""
    return with_query(svc.base + PAGE + key_path(key), query)


def link_header(svc: ScanService, key: LabelKey, same_as: str | None = None,
                linkset: bool = False) -> str:
    """The ``Link`` header of every resolver answer for ``key``."""
    links = [f'<{svc.base}{key_path(key)}?linkType=linkset>; rel="linkset"; '
             f'type="{LINKSET}"']
    if same_as:
        links.append(f'<{same_as}>; rel="owl:sameAs"')
    if linkset:
        links.append(LINKSET_CONTEXT)
    return ", ".join(links)


#: The resolver's own headers on its redirects, after ``Location`` (the front, which
#: answers plain redirects before Flask's request cycle, sends the same).
REDIRECT_HEADERS = (("Cache-Control", "no-store"),)


def _resolver_headers(response, key: LabelKey, same_as: str | None):
    for name, value in CORS:
        response.headers[name] = value
    response.headers["Link"] = link_header(service(), key, same_as,
                                           linkset=response.mimetype == LINKSET)
    response.vary.update(("Accept", "Accept-Language"))
    return response


def _redirect(location: str):
    response = current_app.response_class(status=307)
    response.headers["Location"] = location
    for name, value in REDIRECT_HEADERS:
        response.headers[name] = value
    return response


def passed_on_query(raw: str, drop=(), extra: str = "") -> str:
    """The query of a resolver request as passed on to the link it redirects to."""
    parts = [p for p in raw.split("&") if p and p.split("=", 1)[0] not in drop]
    if extra:
        parts = [p for p in extra.split("&") if p] + parts
    return "&".join(parts)


def _wants_linkset() -> bool:
    accept = request.headers.get("Accept", "")
    return LINKSET in accept and request.accept_mimetypes.best_match(
        [LINKSET, "text/html"]) == LINKSET


def known_without_reading(svc: ScanService, key: LabelKey) -> bool:
    """Whether this process already knows ``key``'s item exists (no database read)."""
    return facts_key(key)[:2] in svc.known_items


def _known_item(svc: ScanService, key: LabelKey) -> bool:
    if known_without_reading(svc, key):
        return True
    column = Product.gtin if key.gtin14 is not None else Product.public_token
    found = db.session.scalar(db.select(Product.id).where(column == key.item_key))
    if found is not None:
        svc.known_items.add(facts_key(key)[:2])
    return found is not None


def _linkset(svc: ScanService, key: LabelKey):
    facts = current_facts(svc, key)
    if facts is None:
        return problem(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    issued = True
    if key.serial is not None:
        issued = _issued_run(svc, key, facts) is not None
        if not issued:
            return problem(404, _("Mã này không do sổ đăng ký OCOP cấp"))
    body = linkset_document(entries(svc.base, key, facts, label_issued=issued))
    response = jsonify(body)
    response.mimetype = LINKSET
    return response


def _link_redirect(svc: ScanService, key: LabelKey, link_type: str):
    facts = current_facts(svc, key)
    if facts is None:
        return error_answer(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    issued = key.serial is None or _issued_run(svc, key, facts) is not None
    if not issued:
        return not_issued(key)
    link = find_link(entries(svc.base, key, facts, label_issued=issued), link_type)
    if link is None:
        return error_answer(404, _("Không có liên kết loại này cho mã đã quét."))
    return _redirect(with_query(link.href, passed_on_query(
        request.query_string.decode("latin-1"), drop=("linkType",))))


def _issued_run(svc: ScanService, key: LabelKey, facts: snapshot.Facts):
    seq = svc.signer.verify(key.item_key, key.lot, key.serial)
    return facts.run_for(seq) if seq is not None else None
