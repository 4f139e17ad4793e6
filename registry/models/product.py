"""Products and their photos."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..labels.gs1 import normalize_gtin
from ..ocop.groups import GROUPS
from ..text import search_key
from .base import (
    Base,
    CreatedMixin,
    DemoMixin,
    UTCDateTime,
    enum_type,
    localized,
    new_token,
    utcnow,
)
from .files import StoredFile

if TYPE_CHECKING:
    from .batch import Batch
    from .certification import Certification
    from .decision import RatingDecision
    from .producer import Producer
    from .rating import RatingApplication


class ProductStatus(enum.Enum):
    ACTIVE = "active"
    #: Kept for its labels and decisions, hidden from the catalogue.
    ARCHIVED = "archived"


class Product(CreatedMixin, DemoMixin, Base):
    __tablename__ = "products"
    __table_args__ = (
        sa.CheckConstraint(
            f"group_code BETWEEN 1 AND {len(GROUPS)}", name="group_code_known"
        ),
        sa.CheckConstraint("gtin IS NULL OR length(gtin) = 14", name="gtin_14_digits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    #: Unguessable, short: the public page and registry-owned label addresses use it.
    public_token: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_token)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    #: OCOP group code (1 = Thực phẩm ... 6 = du lịch), see ``registry.ocop.groups``.
    group_code: Mapped[int] = mapped_column(sa.SmallInteger)
    subgroup: Mapped[str | None] = mapped_column(sa.String(200))
    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    #: GTIN-14 (zero-padded), check digit validated; None when the producer has none.
    gtin: Mapped[str | None] = mapped_column(sa.String(14), unique=True)
    status: Mapped[ProductStatus] = mapped_column(
        enum_type(ProductStatus), default=ProductStatus.ACTIVE
    )
    #: Lower-case, diacritics-free copy of the names for search.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship(back_populates="products", lazy="joined")
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", order_by="ProductPhoto.position",
        cascade="all, delete-orphan",
    )
    decisions: Mapped[list[RatingDecision]] = relationship(
        back_populates="product", order_by="RatingDecision.decided_on.desc()",
        passive_deletes="all",
    )
    applications: Mapped[list[RatingApplication]] = relationship(
        back_populates="product", passive_deletes="all"
    )
    batches: Mapped[list[Batch]] = relationship(
        back_populates="product", passive_deletes="all"
    )
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="product", passive_deletes="all"
    )

    @validates("gtin")
    def _normalise_gtin(self, key: str, value: str | None) -> str | None:
        """GTIN-8/12/13/14 stored as GTIN-14; a wrong check digit raises ValueError."""
        if value is None or not value.strip():
            return None
        return normalize_gtin(value)

    @property
    def group_name(self) -> str:
        group = GROUPS[self.group_code]
        return localized((group.name_vi, group.name_en))

    def current_decision(self, on: date | None = None) -> RatingDecision | None:
        """The newest decision taken on or before ``on`` (valid, expired or revoked)."""
        from ..ocop.rules import today_vn

        on = on or today_vn()
        dated = [d for d in self.decisions if d.decided_on <= on]
        return max(dated, key=lambda d: (d.decided_on, d.id), default=None)

    def valid_stars(self, on: date | None = None) -> int | None:
        decision = self.current_decision(on)
        if decision is not None and decision.is_valid(on):
            return decision.stars
        return None

    def __repr__(self) -> str:
        return f"<Product {self.name_vi!r}>"


@sa.event.listens_for(Product, "before_insert")
@sa.event.listens_for(Product, "before_update")
def _refresh_search_text(mapper, connection, product: Product) -> None:  # noqa: ARG001
    product.search_text = search_key(" ".join(
        p for p in (product.name_vi, product.name_en, product.subgroup) if p))


class ProductPhoto(CreatedMixin, Base):
    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    #: Re-encoded image (metadata stripped, at most 1600 px) and its thumbnail.
    image_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"))
    thumb_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"))
    width: Mapped[int]
    height: Mapped[int]
    alt_vi: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="photos")
    image: Mapped[StoredFile] = relationship(foreign_keys=[image_id])
    thumb: Mapped[StoredFile] = relationship(foreign_keys=[thumb_id])


@dataclass(frozen=True)
class RatingSummary:
    """What a buyer should read about a product's stars on a given day."""

    #: "valid", "expired", "revoked", "pending", "rejected" or "none"
    state: str
    decision: RatingDecision | None = None
    pending: RatingApplication | None = None

    @property
    def stars(self) -> int | None:
        return self.decision.stars if self.decision is not None else None


def rating_summary(product: Product, on: date | None = None) -> RatingSummary:
    """Valid decision first; then an expired or revoked one; then a pending application."""
    from ..ocop.rules import DecisionStatus, today_vn
    from .rating import PENDING_STATES, ApplicationState

    on = on or today_vn()
    decision = product.current_decision(on)
    pending = next((a for a in product.applications if a.state in PENDING_STATES), None)
    if decision is not None and decision.status(on) is DecisionStatus.VALID:
        return RatingSummary("valid", decision, pending)
    if decision is not None and decision.status(on) is not DecisionStatus.NOT_YET:
        # An expired or revoked rating is said plainly, even while a re-rating waits.
        return RatingSummary(decision.status(on).value, decision, pending)
    if pending is not None:
        return RatingSummary("pending", None, pending)
    if any(a.state is ApplicationState.REJECTED for a in product.applications):
        return RatingSummary("rejected")
    return RatingSummary("none")
