"""OCOP decisions: the dated administrative act that awards a product its stars.

Its validity, expiry and revocation are derived from its dates by
``registry.ocop.rules`` (no job flips a status). A re-rating's decision ``supersedes``
the old one, which stays in the product's history.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..ocop import rules
from ..ocop.criteria import COUNCIL_LEVEL_LABELS, CouncilLevel
from ..ocop.product_sets import ProductSet
from .base import Base, CreatedMixin, DemoMixin, enum_type, localized
from .rating import POINTS

if TYPE_CHECKING:
    from .product import Product
    from .rating import CriteriaSet, RatingApplication


class RatingDecision(CreatedMixin, DemoMixin, Base):
    __tablename__ = "rating_decisions"
    __table_args__ = (
        sa.UniqueConstraint("issuing_body", "decision_number", "product_id"),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        sa.CheckConstraint("valid_until > decided_on", name="valid_after_decision"),
        sa.CheckConstraint("revoked_on IS NULL OR revoked_on >= decided_on",
                           name="revoked_after_decision"),
        sa.CheckConstraint("(revoked_on IS NULL) = (revocation_reason IS NULL)",
                           name="revocation_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("rating_applications.id", ondelete="RESTRICT"), unique=True
    )
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    criteria_set_id: Mapped[int] = mapped_column(
        sa.ForeignKey("criteria_sets.id", ondelete="RESTRICT")
    )
    stars: Mapped[int] = mapped_column(sa.SmallInteger)
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    #: Product set it was rated in (Decision 26/2026 and later sets), kept with the set.
    product_set: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: "UBND tỉnh Sóc Trăng"
    issuing_body: Mapped[str] = mapped_column(sa.String(200))
    issuing_level: Mapped[CouncilLevel] = mapped_column(enum_type(CouncilLevel))
    #: "2585/QĐ-UBND"
    decision_number: Mapped[str] = mapped_column(sa.String(60))
    decided_on: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_on: Mapped[date | None]
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: The earlier decision this one replaces after a re-rating (kept in history).
    supersedes_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("rating_decisions.id", ondelete="RESTRICT")
    )

    product: Mapped[Product] = relationship(back_populates="decisions")
    application: Mapped[RatingApplication | None] = relationship(
        back_populates="decision", foreign_keys=[application_id]
    )
    criteria_set: Mapped[CriteriaSet] = relationship()
    supersedes: Mapped[RatingDecision | None] = relationship(remote_side=[id])

    def status(self, on: date | None = None) -> rules.DecisionStatus:
        return rules.decision_status(
            self.decided_on, self.valid_until, self.revoked_on, on or rules.today_vn()
        )

    def is_valid(self, on: date | None = None) -> bool:
        return self.status(on) is rules.DecisionStatus.VALID

    def expires_soon(self, on: date | None = None) -> bool:
        return self.is_valid(on) and rules.expires_within(
            self.valid_until, on or rules.today_vn()
        )

    @property
    def level_label(self) -> str:
        return localized(COUNCIL_LEVEL_LABELS[self.issuing_level])

    @property
    def product_set_def(self) -> ProductSet | None:
        return self.criteria_set.definition.product_set(self.product_set)

    def __repr__(self) -> str:
        return f"<RatingDecision {self.decision_number} {self.stars}★>"
