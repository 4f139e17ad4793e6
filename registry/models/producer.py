"""Producers: the OCOP subjects (chủ thể OCOP) that own products."""
from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, DemoMixin, enum_type, localized
from .place import AdminUnit

if TYPE_CHECKING:
    from .product import Product
    from .user import User


class ProducerKind(enum.Enum):
    ENTERPRISE = "enterprise"
    COOPERATIVE = "cooperative"
    COOPERATIVE_GROUP = "cooperative_group"
    HOUSEHOLD_BUSINESS = "household_business"


PRODUCER_KIND_LABELS = {
    ProducerKind.ENTERPRISE: ("Doanh nghiệp", "Enterprise"),
    ProducerKind.COOPERATIVE: ("Hợp tác xã", "Cooperative"),
    ProducerKind.COOPERATIVE_GROUP: ("Tổ hợp tác", "Cooperative group"),
    ProducerKind.HOUSEHOLD_BUSINESS: ("Hộ kinh doanh", "Household business"),
}


class Producer(CreatedMixin, DemoMixin, Base):
    __tablename__ = "producers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable slug, used by the demo loader and admin URLs.
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ProducerKind] = mapped_column(enum_type(ProducerKind))
    #: Business / cooperative registration number or tax number (mã số thuế).
    registration_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    address_line: Mapped[str | None] = mapped_column(sa.String(200))
    commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_units.id", ondelete="RESTRICT"), index=True
    )
    contact_name: Mapped[str | None] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    #: Layout chosen at the last label run, offered first next time.
    last_label_layout: Mapped[str | None] = mapped_column(sa.String(20))

    commune: Mapped[AdminUnit | None] = relationship(lazy="joined")
    products: Mapped[list[Product]] = relationship(
        back_populates="producer", passive_deletes="all"
    )
    members: Mapped[list[User]] = relationship(
        back_populates="producer", passive_deletes="all"
    )

    @property
    def kind_label(self) -> str:
        return localized(PRODUCER_KIND_LABELS[self.kind])

    @property
    def full_address(self) -> str:
        parts = [p for p in (self.address_line, self.commune and self.commune.address_line) if p]
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<Producer {self.code}>"
