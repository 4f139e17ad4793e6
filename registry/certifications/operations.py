"""Certification operations: add, renew, withdraw; the list of those about to expire.

Each operation checks every rule it can before it writes the evidence file (the database
checks the last one, that a certificate is renewed once, at the flush; a refused renewal's
file goes with its rolled-back row), adds one audit entry and never commits (the view
commits once).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from .. import audit
from ..exceptions import OperationRefused, flush_or_refuse
from ..exceptions import gettext as _
from ..extensions import db
from ..files import storage
from ..files.validation import MB, check_upload
from ..models import Certification, CertificationKind, Producer, Product, StoredFile, User
from ..ocop.rules import today_vn

MAX_EVIDENCE_BYTES = 10 * MB
#: The "expiring soon" window shown to producers.
EXPIRING_DAYS = 60


def vn_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass
class CertificationData:
    issuer: str
    issued_on: date
    kind: CertificationKind | None = None  # a renewal keeps the renewed one's kind
    other_kind: str | None = None
    number: str | None = None
    scope: str | None = None
    area_ha: Decimal | None = None
    members: int | None = None
    expires_on: date | None = None
    product: Product | None = None


@dataclass
class Evidence:
    data: bytes
    filename: str


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check(producer: Producer, data: CertificationData) -> None:
    if not _clean(data.issuer):
        raise OperationRefused(_("Nhập tên tổ chức cấp chứng nhận."))
    if data.kind is CertificationKind.OTHER and not _clean(data.other_kind):
        raise OperationRefused(_("Ghi tên loại chứng nhận."))
    if data.product is not None and data.product.producer_id != producer.id:
        raise OperationRefused(_("Sản phẩm này không thuộc chủ thể."), 403)
    if data.expires_on is not None and data.expires_on <= data.issued_on:
        raise OperationRefused(_("Ngày hết hạn phải sau ngày cấp."))
    if data.area_ha is not None and data.area_ha < 0:
        raise OperationRefused(_("Diện tích không được âm."))
    if data.members is not None and data.members < 0:
        raise OperationRefused(_("Số thành viên không được âm."))


def _save_evidence(producer: Producer, evidence: Evidence | None,
                   actor: User | None) -> StoredFile:
    """Check the file by its content and size, then store it for the producer and the
    office only (served through ``portal.file``)."""
    if evidence is None:
        raise OperationRefused(_("Tải lên bản chụp hoặc tệp PDF giấy chứng nhận."))
    checked = check_upload(evidence.data, allow_pdf=True, max_bytes=MAX_EVIDENCE_BYTES)
    return storage.save(checked.data, original_name=evidence.filename or "chung-nhan",
                        content_type=checked.content_type, owner_producer_id=producer.id,
                        uploaded_by_id=actor.id if actor else None)


def _details(cert: Certification) -> dict:
    return {"kind": cert.kind, "other_kind": cert.other_kind, "issuer": cert.issuer,
            "number": cert.number, "scope": cert.scope, "area_ha": cert.area_ha,
            "members": cert.members, "issued_on": cert.issued_on,
            "expires_on": cert.expires_on, "product_id": cert.product_id,
            "file": cert.evidence_file.key if cert.evidence_file else None}


def _build(producer: Producer, data: CertificationData, kind: CertificationKind,
           other_kind: str | None, evidence: StoredFile) -> Certification:
    cert = Certification(
        producer=producer, product=data.product, kind=kind,
        other_kind=_clean(other_kind) if kind is CertificationKind.OTHER else None,
        issuer=_clean(data.issuer), number=_clean(data.number), scope=_clean(data.scope),
        area_ha=data.area_ha, members=data.members, issued_on=data.issued_on,
        expires_on=data.expires_on, evidence_file=evidence)
    db.session.add(cert)
    return cert


def add_certification(producer: Producer, data: CertificationData,
                      evidence: Evidence | None, *, actor: User | None = None) -> Certification:
    if data.kind is None:
        raise OperationRefused(_("Chọn loại chứng nhận."))
    _check(producer, data)
    stored = _save_evidence(producer, evidence, actor)
    cert = _build(producer, data, data.kind, data.other_kind, stored)
    audit.record("certification.create", cert,
                 f"Thêm chứng nhận {cert.kind_label} của {producer.name}", _details(cert),
                 actor=actor)
    return cert


def renewal_of(cert: Certification) -> Certification | None:
    """The certification that renews ``cert``, if any."""
    return db.session.scalar(db.select(Certification).where(Certification.renews_id == cert.id))


def renew_certification(old: Certification, data: CertificationData,
                        evidence: Evidence | None, *,
                        actor: User | None = None) -> Certification:
    """A new certificate of the same kind that renews ``old`` (which stays as it was)."""
    if old.withdrawn_on is not None:
        raise OperationRefused(_("Chứng nhận này đã bị thu hồi nên không gia hạn được; "
                                 "hãy thêm một chứng nhận mới."), 409)
    newer = renewal_of(old)
    if newer is not None:
        raise OperationRefused(
            _("Chứng nhận này đã được gia hạn (chứng nhận cấp ngày %(date)s).",
              date=vn_date(newer.issued_on)), 409)
    producer = old.producer
    data.kind, data.other_kind = old.kind, old.other_kind
    _check(producer, data)
    if data.issued_on <= old.issued_on:
        raise OperationRefused(
            _("Ngày cấp của chứng nhận mới phải sau ngày cấp chứng nhận cũ (%(date)s).",
              date=vn_date(old.issued_on)))
    stored = _save_evidence(producer, evidence, actor)
    cert = _build(producer, data, old.kind, old.other_kind, stored)
    cert.renews_id = old.id
    # two renewals at the same moment: the unique index keeps one
    flush_or_refuse("renews_id", _("Chứng nhận này vừa được gia hạn bởi người khác; hãy "
                                   "tải lại trang để xem chứng nhận mới."))
    audit.record("certification.renew", cert,
                 f"Gia hạn chứng nhận {cert.kind_label} của {producer.name}",
                 {**_details(cert), "renews": old.id}, actor=actor)
    return cert


def withdraw_certification(cert: Certification, *, on: date, reason: str,
                           actor: User | None = None) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Phải ghi rõ lý do thu hồi."))
    if cert.withdrawn_on is not None:
        raise OperationRefused(
            _("Chứng nhận này đã bị thu hồi ngày %(date)s.", date=vn_date(cert.withdrawn_on)),
            409)
    if on < cert.issued_on:
        raise OperationRefused(
            _("Ngày thu hồi không được trước ngày cấp (%(date)s).",
              date=vn_date(cert.issued_on)))
    if on > today_vn():
        raise OperationRefused(_("Ngày thu hồi không được sau hôm nay."))
    cert.withdrawn_on = on
    cert.withdrawal_reason = reason
    audit.record("certification.withdraw", cert,
                 f"Thu hồi chứng nhận {cert.kind_label} của {cert.producer.name}",
                 {"withdrawn_on": on, "reason": reason}, actor=actor)


def expiring_certifications(today: date | None = None, days: int = EXPIRING_DAYS, *,
                            producer_id: int | None = None) -> list[Certification]:
    """Valid today, ending within ``days`` days (today and the last day included), and
    not yet renewed: what the producer should renew next."""
    today = today or today_vn()
    renewed = (sa.select(Certification.renews_id)
               .where(Certification.renews_id.is_not(None)))
    query = (db.select(Certification)
             .where(Certification.expires_on >= today,
                    Certification.expires_on <= today + timedelta(days=days),
                    Certification.issued_on <= today,
                    sa.or_(Certification.withdrawn_on.is_(None),
                           Certification.withdrawn_on > today),
                    Certification.id.not_in(renewed))
             .order_by(Certification.expires_on, Certification.id))
    if producer_id is not None:
        query = query.where(Certification.producer_id == producer_id)
    return list(db.session.scalars(query))
