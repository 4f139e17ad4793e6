"""The public catalogue: browse and search the products. Routes are added to ``public.bp``.

The home page (``main.index``) renders :func:`catalogue_page`; ``/san-pham`` is a short
alias that redirects there with the same query string, so there is one implementation.

Filters come from a plain GET form. A value that is not one of the choices offered
(``stars=abc``, ``group=99``, ``commune=999999``, ``page=-1``) is ignored, never an error:
the page is shown as if that filter had not been given, and the form shows "all".
A page number past the last page shows the last page.
"""
from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app, g, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import aliased, selectinload

from .. import web
from ..extensions import db
from ..labels.links import product_path
from ..models import (
    AdminUnit,
    Producer,
    Product,
    ProductPhoto,
    ProductStatus,
    RatingDecision,
    UnitLevel,
)
from ..models.base import localized
from ..ocop.criteria import MIN_RECOGNISED_STARS
from ..ocop.groups import GROUPS
from ..ocop.rules import today_vn
from ..text import search_key
from . import bp
from .cache import LRU
from .scan.service import public_version, service
from .scan.snapshot import rating_facts

#: Only 3, 4 and 5 stars are recognised (Decision 148/QĐ-TTg); no decision has fewer.
STAR_CHOICES = tuple(range(5, MIN_RECOGNISED_STARS - 1, -1))
#: Longer queries are cut: nobody types more, and each word is one LIKE.
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 8


@dataclass
class Filters:
    q: str = ""
    words: list[str] = field(default_factory=list)
    stars: int | None = None
    group: int | None = None
    commune: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.words or self.stars or self.group or self.commune)

    def args(self) -> dict[str, Any]:
        """The query-string arguments that reproduce these filters (for pager links)."""
        out: dict[str, Any] = {}
        if self.words:
            out["q"] = self.q
        for name in ("stars", "group", "commune"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


@dataclass
class Page:
    items: list[Product]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _int_arg(name: str) -> int | None:
    # type=int turns "abc", "1.5" and absurdly long numbers into None.
    return request.args.get(name, type=int)


def search_query(raw: str) -> tuple[str, list[str]]:
    """The query as shown back (control characters, which break PostgreSQL, made
    spaces; spaces collapsed; cut at ``MAX_QUERY_CHARS``) and its search words."""
    raw = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in raw)
    q = " ".join(raw.split())[:MAX_QUERY_CHARS]
    return q, list(dict.fromkeys(search_key(q).split()))[:MAX_QUERY_WORDS]


def read_filters(commune_ids: set[int]) -> Filters:
    q, words = search_query(request.args.get("q") or "")
    stars = _int_arg("stars")
    group = _int_arg("group")
    commune = _int_arg("commune")
    return Filters(
        q=q,
        words=words,
        stars=stars if stars in STAR_CHOICES else None,
        group=group if group in GROUPS else None,
        commune=commune if commune in commune_ids else None,
    )


def listed_products():
    """Products the public sees: everything not archived."""
    return Product.status == ProductStatus.ACTIVE


def commune_choices() -> list[tuple[int, str]]:
    """Communes where producers of listed products are, as (id, "xã Kế Thành")."""
    with_products = (
        sa.select(Producer.commune_id)
        .join(Product, Product.producer_id == Producer.id)
        .where(listed_products(), Producer.commune_id.is_not(None))
    )
    units = db.session.scalars(
        sa.select(AdminUnit).where(AdminUnit.level == UnitLevel.COMMUNE,
                                   AdminUnit.id.in_(with_products))
    ).unique().all()
    # Two communes of the same name in different districts: say which district.
    repeated = Counter(u.full_name for u in units)
    labelled = []
    for unit in sorted(units, key=lambda u: (search_key(u.name), u.full_name, u.id)):
        label = unit.full_name
        if repeated[label] > 1 and unit.parent is not None:
            label = f"{label}, {unit.parent.full_name}"
        labelled.append((unit.id, label))
    return labelled


@lru_cache(maxsize=65536)
def _name_key(name: str) -> str:
    return search_key(name)


def _producers_matching(words: list[str]) -> dict[str, list[int] | None]:
    """Producers whose name contains each word, ignoring case and diacritics; None for
    a word every producer's name contains ("htx"), which then matches every product.

    Neither SQLite nor PostgreSQL (without the unaccent extension) can strip Vietnamese
    diacritics, and producers have no stored search key, so names are keyed here: one
    narrow query over the producers of listed products, keys cached per name.
    """
    rows = db.session.execute(
        sa.select(Producer.id, Producer.name).where(
            Producer.id.in_(sa.select(Product.producer_id).where(listed_products())))
    ).all()
    keyed = [(pid, _name_key(name)) for pid, name in rows]
    matches: dict[str, list[int] | None] = {}
    for word in words:
        ids = [pid for pid, key in keyed if word in key]
        matches[word] = None if keyed and len(ids) == len(keyed) else ids
    return matches


def valid_stars_are(stars: int, today: date):
    """SQL condition: the product's current decision is valid today and has ``stars``.

    The current decision is the newest one dated on or before today (ties broken by id,
    as ``Product.current_decision`` does); an expired, revoked or superseded decision
    never counts.
    """
    d = aliased(RatingDecision)
    newer = aliased(RatingDecision)
    newer_exists = sa.exists().where(
        newer.product_id == d.product_id,
        newer.decided_on <= today,
        sa.or_(newer.decided_on > d.decided_on,
               sa.and_(newer.decided_on == d.decided_on, newer.id > d.id)),
    )
    return sa.exists().where(
        d.product_id == Product.id,
        d.stars == stars,
        d.decided_on <= today,
        d.valid_until >= today,
        sa.or_(d.revoked_on.is_(None), d.revoked_on > today),
        ~newer_exists,
    )


def search_conditions(filters: Filters, today: date) -> list:
    conditions = [listed_products()]
    if filters.words:
        producers = _producers_matching(filters.words)
        for word in filters.words:
            # search_text is already lower-case and diacritics-free, so is the word:
            # a plain LIKE behaves the same on SQLite and PostgreSQL. autoescape
            # makes % and _ in the query literal characters.
            ids = producers[word]
            if ids is None:
                continue
            in_product = Product.search_text.contains(word, autoescape=True)
            if ids:
                by_producer = Product.producer_id.in_(
                    sa.bindparam(None, ids, expanding=True, literal_execute=True))
                conditions.append(sa.or_(in_product, by_producer))
            else:
                conditions.append(in_product)
    if filters.stars is not None:
        conditions.append(valid_stars_are(filters.stars, today))
    if filters.group is not None:
        conditions.append(Product.group_code == filters.group)
    if filters.commune is not None:
        conditions.append(Product.producer_id.in_(
            sa.select(Producer.id).where(Producer.commune_id == filters.commune)))
    return conditions


def find_products(filters: Filters, page: int, per_page: int, today: date) -> Page:
    conditions = search_conditions(filters, today)
    total = db.session.scalar(sa.select(sa.func.count(Product.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    query = (
        sa.select(Product)
        .where(*conditions)
        # producer (and its commune) are joined by the relationships' lazy="joined".
        .options(selectinload(Product.decisions), selectinload(Product.applications),
                 selectinload(Product.photos).selectinload(ProductPhoto.thumb))
        .order_by(Product.search_text, Product.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = list(db.session.scalars(query).unique()) if total else []
    return Page(items=items, page=page, pages=pages if total else 0, total=total)


def group_label(code: int) -> str:
    group = GROUPS[code]
    return localized((group.name_vi, group.name_en))


def catalogue_page():
    """The catalogue: search box, filters, the count and one page of product cards.

    The listing is rendered once per query, language, day and public version and kept
    per process (every change to public data moves the version, read here first); the
    page around it (header, language link, the signed-in user) is rendered per request.
    """
    today = today_vn()
    version = public_version(service())
    args = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if k != "lang"))
    key = (args, g.get("lang", "vi"), version, today)
    cache = _listing_cache()
    listing = cache.peek(key)
    if listing is None:
        listing = Markup(_render_listing(today))
        cache.put(key, listing)
        web.end_reads()
    return render_template("main/index.html", listing=listing)


def _listing_cache() -> LRU:
    cache = current_app.extensions.get("registry.catalogue")
    if cache is None:
        cache = current_app.extensions["registry.catalogue"] = LRU(512)
    return cache


def _render_listing(today: date) -> str:
    communes = commune_choices()
    filters = read_filters({cid for cid, _label in communes})
    per_page = max(1, int(current_app.config["PRODUCTS_PER_PAGE"]))
    products = find_products(filters, _int_arg("page") or 1, per_page, today)
    rows = [(p, rating_facts(p, today)) for p in products.items]
    return render_template(
        "main/_catalogue.html",
        products=products, rows=rows, filters=filters,
        star_choices=STAR_CHOICES, groups=[(code, group_label(code)) for code in GROUPS],
        communes=communes, group_label=group_label, product_path=product_path,
    )


@bp.route("/san-pham")
def catalogue():
    """Short, readable alias of the catalogue on the home page."""
    query = urlencode(request.args.to_dict(flat=False), doseq=True)
    return redirect(url_for("main.index") + (f"?{query}" if query else ""))
