"""The scan page's fast path inside Flask, and the caches the edge (``edge.py``) reads.

An anonymous GET of ``/01/{GTIN}/10/{lot}/21/{serial}`` is the registry's hottest
request. Everything about the product and batch is cached per process (see ``cache``);
per request the registry only checks the serial's signature, records the scan and bumps
the label's running total (``scans.record_and_count``), reads the public version,
commits, and puts the verdict into the cached page. When the version moved, the caches
are rebuilt before anything is served. The first scan of a label in a process comes
through here and fills the caches; the following ones are answered by the edge.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, render_template, request, session
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..labels.links import LabelKey
from ..labels.serials import SerialSigner, derive_key, display, normalize_serial
from ..models import Batch, LabelRun, Product, ProductPhoto
from ..models.base import utcnow
from ..ocop.rules import today_vn
from .cache import LRU, VERSION_QUERY
from .clients import COUNTED, classify
from .scans import session_record

VERDICT_MARK = "<!--label-verdict-->"


@dataclass(frozen=True)
class LabelTarget:
    """What a label address points at, as plain values (safe to share between requests)."""

    version: int
    product_id: int
    batch_id: int
    item_key: str
    runs: tuple[tuple[int, int, int], ...]  # (first seq, end seq, run id)

    def run_for(self, seq: int) -> int | None:
        return next((run_id for start, end, run_id in self.runs if start <= seq < end), None)


class ScanCaches:
    """One set per application (and so per database): targets, page parts, signer."""

    def __init__(self, signing_key: str) -> None:
        self.targets = LRU(4096)
        self.pages = LRU(256)
        self.signer = SerialSigner(derive_key(signing_key))


def _caches() -> ScanCaches:
    caches = current_app.extensions.get("registry.scan_caches")
    if caches is None:
        caches = ScanCaches(current_app.config["LABEL_SIGNING_KEY"])
        current_app.extensions["registry.scan_caches"] = caches
    return caches


def _signer() -> SerialSigner:
    return _caches().signer


def _load_target(key: LabelKey) -> LabelTarget | None:
    version = db.session.execute(sa.select(VERSION_QUERY)).scalar() or 0
    column = Product.gtin if key.gtin14 is not None else Product.public_token
    row = db.session.execute(
        sa.select(Product.id, Product.gtin, Product.public_token, Batch.id)
        .join(Batch, Batch.product_id == Product.id)
        .where(column == key.item_key, Batch.lot_code == key.lot)).first()
    if row is None:
        return None
    product_id, gtin, token, batch_id = row
    runs = db.session.execute(
        sa.select(LabelRun.start_seq, LabelRun.count, LabelRun.id)
        .where(LabelRun.batch_id == batch_id)).all()
    return LabelTarget(version, product_id, batch_id, gtin or token,
                       tuple((s, s + n, rid) for s, n, rid in runs))


def _target(key: LabelKey, fresh: bool = False) -> LabelTarget | None:
    cache_key = (key.item_key, key.lot)
    targets = _caches().targets
    if fresh:
        targets.pop(cache_key)
    return targets.get_or_make(cache_key, lambda: _load_target(key))


def eligible(key: LabelKey) -> bool:
    """People scanning labels: anonymous, plain page, no pending messages."""
    return (key.serial is not None and key.lot is not None
            and "linkType" not in request.args
            and request.method in ("GET", "HEAD")
            and not current_user.is_authenticated
            and "_flashes" not in session
            and request.accept_mimetypes.best_match(["text/html", "application/json",
                                                     "application/linkset+json"])
            == "text/html")


def scan_page(key: LabelKey):
    """The verdict page for a genuine label, or None to let the full resolver answer."""
    target = _target(key)
    if target is None:
        return None
    seq = _signer().verify(target.item_key, key.lot, key.serial)
    if seq is None:
        return None  # the full resolver says "not issued"
    run_id = target.run_for(seq)
    if run_id is None:  # maybe printed since we cached the runs
        target = _target(key, fresh=True)
        run_id = target.run_for(seq) if target else None
        if run_id is None:
            return None
    client = classify(request.user_agent.string, accept=request.headers.get("Accept", ""),
                      purpose=request.headers.get("Sec-Purpose")
                      or request.headers.get("Purpose", ""))
    history, version = session_record(target.batch_id, run_id, normalize_serial(key.serial),
                                      seq, client, utcnow(), record=request.method != "HEAD")
    if version != target.version:
        fresh = _target(key, fresh=True)
        if fresh is None or fresh.batch_id != target.batch_id or fresh.run_for(seq) is None:
            db.session.rollback()
            return None
        target = fresh
    db.session.commit()
    verdict = {"history": history, "serial": display(key.serial), "seq": seq,
               "client": client, "counted": client in COUNTED}
    parts = _page_parts(target)
    html = parts.head + render_template("public/_verdict.html", verdict=verdict) + parts.tail
    response = current_app.make_response(html)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    response.headers["Link"] = (f'<{base}{request.path.rstrip("/")}?linkType=linkset>; '
                                'rel="linkset"; type="application/linkset+json"')
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept")
    return response


@dataclass(frozen=True)
class PageParts:
    """A product page around its verdict, and the verdict in its three forms with
    placeholders, so the edge (``edge.py``) can answer without rendering anything."""

    head: str
    tail: str
    verdicts: dict[str, str]


# Values no real label has; rendered into the verdict forms, then replaced.
PLACE_CHECKS, PLACE_SEQ = 987654321, 876543209  # the template shows seq + 1
PLACE_SERIAL = "QQQQ-SERIAL-QQQQ"
PLACE_WHEN = "@@FIRST-CHECK@@"


class _VariantHistory:
    def __init__(self, checks: int, suspicious: bool) -> None:
        self.checks, self._suspicious = checks, suspicious
        self.first_checked_at = PLACE_WHEN

    def suspicious(self, threshold=None) -> bool:
        return self._suspicious


def _verdict_forms() -> dict[str, str]:
    forms = {}
    for name, checks, suspicious in (("first", 1, False), ("repeat", PLACE_CHECKS, False),
                                     ("warning", PLACE_CHECKS, True)):
        verdict = {"history": _VariantHistory(checks, suspicious), "serial": PLACE_SERIAL,
                   "seq": PLACE_SEQ}
        forms[name] = render_template("public/_verdict.html", verdict=verdict)
    return forms


def _page_parts(target: LabelTarget) -> "PageParts":
    key = (target.product_id, target.batch_id, g.get("lang", "vi"), today_vn(),
           target.version)
    return _caches().pages.get_or_make(key, lambda: _render_parts(target))


def _render_parts(target: LabelTarget) -> "PageParts":
    from .pages import load_page
    from .paths import product_path

    product = db.session.scalar(
        sa.select(Product).where(Product.id == target.product_id).options(
            selectinload(Product.decisions), selectinload(Product.applications),
            selectinload(Product.photos).selectinload(ProductPhoto.thumb)))
    batch = db.session.get(Batch, target.batch_id)
    page = load_page(product, batch)
    g.portable_lang_links = True  # the cached page serves every serial of the batch
    canonical = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + product_path(product)
    html = render_template("public/product.html", page=page, verdict=None,
                           verdict_slot=True, address=canonical, canonical=canonical)
    verdicts = _verdict_forms()
    g.portable_lang_links = False
    head, _, tail = html.partition(VERDICT_MARK)
    return PageParts(head, tail, verdicts)

