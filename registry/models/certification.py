"""Certifications that producers and products carry (VietGAP, organic, HACCP, ...)."""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..ocop.rules import today_vn
from .base import Base, CreatedMixin, DemoMixin, enum_type, localized
from .files import StoredFile

if TYPE_CHECKING:
    from .producer import Producer
    from .product import Product


class CertificationKind(enum.Enum):
    VIETGAP = "vietgap"
    GLOBALGAP = "globalgap"
    ORGANIC = "organic"
    HACCP = "haccp"
    ISO22000 = "iso22000"
    FOOD_SAFETY_FACILITY = "food_safety_facility"
    COLLECTIVE_TRADEMARK = "collective_trademark"
    GEOGRAPHICAL_INDICATION = "geographical_indication"
    OTHER = "other"


CERTIFICATION_KIND_LABELS = {
    CertificationKind.VIETGAP: ("VietGAP", "VietGAP"),
    CertificationKind.GLOBALGAP: ("GlobalG.A.P.", "GlobalG.A.P."),
    CertificationKind.ORGANIC: ("Hữu cơ (TCVN 11041)", "Organic (TCVN 11041)"),
    CertificationKind.HACCP: ("HACCP", "HACCP"),
    CertificationKind.ISO22000: ("ISO 22000", "ISO 22000"),
    CertificationKind.FOOD_SAFETY_FACILITY: (
        "Cơ sở đủ điều kiện an toàn thực phẩm", "Food-safety facility certificate"),
    CertificationKind.COLLECTIVE_TRADEMARK: ("Nhãn hiệu tập thể", "Collective trademark"),
    CertificationKind.GEOGRAPHICAL_INDICATION: ("Chỉ dẫn địa lý", "Geographical indication"),
    CertificationKind.OTHER: ("Khác", "Other"),
}


class CertificationStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    NOT_YET = "not_yet"


class Certification(CreatedMixin, DemoMixin, Base):
    __tablename__ = "certifications"
    __table_args__ = (
        sa.CheckConstraint("expires_on IS NULL OR expires_on > issued_on",
                           name="expires_after_issue"),
        sa.CheckConstraint("area_ha IS NULL OR area_ha >= 0", name="area_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    #: The product it covers; None when it covers the producer's site or all its products.
    product_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[CertificationKind] = mapped_column(enum_type(CertificationKind))
    #: Free name when kind is OTHER.
    other_kind: Mapped[str | None] = mapped_column(sa.String(100))
    issuer: Mapped[str] = mapped_column(sa.String(200))
    number: Mapped[str | None] = mapped_column(sa.String(80))
    scope: Mapped[str | None] = mapped_column(sa.String(300))
    area_ha: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    members: Mapped[int | None]
    issued_on: Mapped[date]
    #: None for certificates without end date (geographical indication right of use).
    expires_on: Mapped[date | None] = mapped_column(index=True)
    withdrawn_on: Mapped[date | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)
    evidence_file_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("stored_files.id", ondelete="RESTRICT")
    )
    #: The certificate this one renews. Unique: a certificate is renewed once, even by
    #: two renewals submitted at the same moment.
    renews_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certifications.id", ondelete="RESTRICT"), index=True, unique=True
    )

    producer: Mapped[Producer] = relationship()
    product: Mapped[Product | None] = relationship(back_populates="certifications")
    evidence_file: Mapped[StoredFile | None] = relationship()

    @property
    def kind_label(self) -> str:
        if self.kind is CertificationKind.OTHER and self.other_kind:
            return self.other_kind
        return localized(CERTIFICATION_KIND_LABELS[self.kind])

    def status(self, on: date | None = None) -> CertificationStatus:
        on = on or today_vn()
        if self.withdrawn_on is not None and self.withdrawn_on <= on:
            return CertificationStatus.WITHDRAWN
        if on < self.issued_on:
            return CertificationStatus.NOT_YET
        if self.expires_on is not None and on > self.expires_on:
            return CertificationStatus.EXPIRED
        return CertificationStatus.VALID

    def is_valid(self, on: date | None = None) -> bool:
        return self.status(on) is CertificationStatus.VALID
