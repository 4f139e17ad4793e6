"""Buyers' reports of a suspected fake: what the scanned address matches, saving a report,
the queues the producer and the office read, and marking a report handled.

Like every operation here these add rows (and audit entries) and never commit.
"""
from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..label_runs.operations import signer
from ..labels.links import LabelAddressError, parse_label_path
from ..models import Batch, FakeReport, LabelCheck, LabelRun, Product, ReportStatus, Role, User
from ..models.base import utcnow
from ..ocop.rules import VN_TZ

#: The column's size; a longer address is refused rather than cut (it is evidence).
MAX_ADDRESS = 400
MAX_WHAT_SEEN = 2000
MAX_WHERE_BOUGHT = 300
MAX_PHONE = 30
MAX_NOTE = 2000
#: The registry's landing pages put their label paths under this prefix.
PAGE_PREFIX = "/page/"

#: Invisible characters that reorder text on screen: a report could otherwise show the
#: office something other than what it says.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")


def clean_text(value: str | None, *, multiline: bool = False) -> str | None:
    """``value`` without control characters (PostgreSQL refuses NUL in text) or bidi
    overrides; single-line fields get spaces for line breaks and tabs, multi-line ones
    keep their line breaks as ``\\n``. Surrounding spaces go."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for ch in value:
        if ch in "\n\t":
            kept.append(ch if multiline else " ")
        elif unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS:
            continue
        else:
            kept.append(ch)
    return "".join(kept).strip()


@dataclass(frozen=True)
class AddressMatch:
    """What a scanned address names in the registry (nothing, for a made-up address)."""

    product: Product | None = None
    batch: Batch | None = None
    #: The label's number in its batch, when the serial is one the registry issued.
    serial_seq: int | None = None

    @property
    def label_issued(self) -> bool:
        return self.serial_seq is not None


def _label_path(address: str) -> str:
    path = urlsplit(address).path if "://" in address else address
    if path.startswith(PAGE_PREFIX):
        path = path[len(PAGE_PREFIX) - 1:]
    return path


def match_address(address: str) -> AddressMatch:
    """Parse ``address`` as a label address (full URL, path, or a ``/page/`` landing
    page) and find its product, batch and, for a genuine printed serial, its number."""
    try:
        key = parse_label_path(_label_path(address))
    except LabelAddressError:
        return AddressMatch()
    if key.gtin14 is not None:
        product = db.session.scalar(sa.select(Product).where(Product.gtin == key.gtin14))
    else:
        product = db.session.scalar(
            sa.select(Product).where(Product.public_token == key.product_code))
    if product is None or key.lot is None:
        return AddressMatch(product)
    batch = db.session.scalar(
        sa.select(Batch).where(Batch.product_id == product.id, Batch.lot_code == key.lot))
    if batch is None or key.serial is None:
        return AddressMatch(product, batch)
    seq = signer().verify(key.item_key, key.lot, key.serial)
    if seq is None or not _printed(batch, seq):
        return AddressMatch(product, batch)  # forged, or signed but never printed
    return AddressMatch(product, batch, seq)


def _printed(batch: Batch, seq: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        LabelRun.batch_id == batch.id, LabelRun.start_seq <= seq,
        LabelRun.start_seq + LabelRun.count > seq))) is True


def client_hash(remote_addr: str | None, user_agent: str | None) -> str:
    """32 hex digits telling one reporter's phone from another without storing its
    address: an HMAC under a key derived from ``SECRET_KEY`` (for this use only)."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = hmac.new(secret, b"ocop-fake-report-client-v1", hashlib.sha256).digest()
    message = f"{remote_addr or ''}\n{user_agent or ''}".encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def create_report(*, address: str, what_seen: str, where_bought: str | None,
                  phone: str | None, client: str | None) -> FakeReport:
    """Save a buyer's report with what its address matched. Inputs are cleaned again
    here (a caller other than the form must not be able to store NUL or overflow)."""
    address = clean_text(address) or ""
    what_seen = clean_text(what_seen, multiline=True) or ""
    where_bought = clean_text(where_bought) or None
    phone = clean_text(phone) or None
    if len(address) > MAX_ADDRESS:
        raise OperationRefused(_("Địa chỉ tem dài quá %(max)s ký tự.", max=MAX_ADDRESS))
    if not what_seen or len(what_seen) > MAX_WHAT_SEEN:
        raise OperationRefused(_("Hãy cho biết bạn thấy gì (tối đa %(max)s ký tự).",
                                 max=MAX_WHAT_SEEN))
    if where_bought and len(where_bought) > MAX_WHERE_BOUGHT:
        raise OperationRefused(_("Nơi mua tối đa %(max)s ký tự.", max=MAX_WHERE_BOUGHT))
    if phone and len(phone) > MAX_PHONE:
        raise OperationRefused(_("Số điện thoại không hợp lệ."))
    match = match_address(address)
    report = FakeReport(
        address=address, product=match.product, batch=match.batch,
        serial_seq=match.serial_seq, label_issued=match.label_issued, what_seen=what_seen,
        where_bought=where_bought, phone=phone, client_hash=client)
    db.session.add(report)
    db.session.flush()
    from ..notifications.operations import fake_reported

    fake_reported(report)
    return report


def handle_report(report: FakeReport, *, note: str | None, actor: User) -> FakeReport:
    """Mark ``report`` handled, saying what was done; audited. One conditional UPDATE,
    so of two people handling it at the same moment only the first is recorded."""
    note = clean_text(note, multiline=True) or None
    if note and len(note) > MAX_NOTE:
        raise OperationRefused(_("Ghi chú tối đa %(max)s ký tự.", max=MAX_NOTE))
    done = db.session.execute(
        sa.update(FakeReport)
        .where(FakeReport.id == report.id, FakeReport.status == ReportStatus.NEW)
        .values(status=ReportStatus.HANDLED, handled_at=utcnow(), handled_by_id=actor.id,
                handling_note=note)).rowcount
    if not done:
        raise OperationRefused(_("Báo cáo này đã được xử lý."), status=409)
    db.session.refresh(report)
    what = report.product.name_vi if report.product is not None else report.address[:120]
    audit.record("report.handle", report, f"Xử lý báo cáo nghi hàng giả: {what}",
                 {"note": note, "product_id": report.product_id,
                  "batch_id": report.batch_id, "label_issued": report.label_issued},
                 actor=actor)
    return report


# ----------------------------------------------------------------------------- queues

STATUS_FILTERS = {"new": ReportStatus.NEW, "handled": ReportStatus.HANDLED}


def reports_query(*, producer_id: int | None, status: ReportStatus | None) -> sa.Select:
    """Reports newest first: those naming ``producer_id``'s products, or all of them
    (matched or not) when ``producer_id`` is None."""
    query = sa.select(FakeReport).order_by(FakeReport.created_at.desc(), FakeReport.id.desc())
    if producer_id is not None:
        query = query.join(Product, Product.id == FakeReport.product_id).where(
            Product.producer_id == producer_id)
    if status is not None:
        query = query.where(FakeReport.status == status)
    return query


def queue_scope(user: User) -> int | None:
    """The producer whose reports ``user`` reads in the portal (None: all of them)."""
    return user.producer_id if user.role is Role.PRODUCER else None


def new_report_count(user: User) -> int:
    """New reports in the user's queue: their producer's, or (the office) all."""
    query = reports_query(producer_id=queue_scope(user), status=ReportStatus.NEW)
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery())) or 0


@dataclass(frozen=True)
class CheckHistory:
    checks: int
    clients: int
    first_checked_at: datetime

    @property
    def first_time(self) -> str:
        return self.first_checked_at.astimezone(VN_TZ).strftime("%H:%M")

    @property
    def first_date(self) -> str:
        return self.first_checked_at.astimezone(VN_TZ).strftime("%d/%m/%Y")


def check_histories(reports: list[FakeReport]) -> dict[int, CheckHistory | None]:
    """For each report of an issued label, that label's checks so far (None: never
    checked); reports of labels the registry did not issue are left out."""
    issued = [r for r in reports if r.label_issued and r.batch_id is not None
              and r.serial_seq is not None]
    if not issued:
        return {}
    rows = db.session.scalars(sa.select(LabelCheck).where(sa.or_(*(
        sa.and_(LabelCheck.batch_id == r.batch_id, LabelCheck.serial_seq == r.serial_seq)
        for r in issued)))).all()
    by_label = {(c.batch_id, c.serial_seq): CheckHistory(c.checks, c.clients,
                                                         c.first_checked_at) for c in rows}
    return {r.id: by_label.get((r.batch_id, r.serial_seq)) for r in issued}
