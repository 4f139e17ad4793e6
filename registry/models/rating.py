"""Rating applications, score sheets and decisions.

A decision is a dated administrative act: its validity, expiry and revocation are
derived from its dates by ``registry.ocop.rules`` (no job flips a status). A re-rating
creates a new application and a new decision that ``supersedes`` the old one, which
stays in the product's history.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..ocop.criteria import (
    COUNCIL_LEVEL_LABELS,
    CouncilLevel,
    CriteriaSetDef,
    Part,
    prescreen_level,
)
from ..ocop.criteria import criteria_set as criteria_set_def
from ..ocop.product_sets import ProductSet
from .base import Base, CreatedMixin, DemoMixin, UTCDateTime, enum_type, localized
from .files import StoredFile

if TYPE_CHECKING:
    from .certification import Certification
    from .decision import RatingDecision
    from .place import AdminUnit
    from .product import Product
    from .user import User

POINTS = sa.Numeric(5, 2)


class CriteriaSet(Base):
    """A criteria set version, loaded from ``registry.ocop.criteria`` as data."""

    __tablename__ = "criteria_sets"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[str] = mapped_column(sa.String(40))
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    part_a_max: Mapped[Decimal] = mapped_column(POINTS)
    part_b_max: Mapped[Decimal] = mapped_column(POINTS)
    part_c_max: Mapped[Decimal] = mapped_column(POINTS)
    #: {"3": "province", "4": "province", "5": "national"}
    award_levels: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    proposing_level: Mapped[CouncilLevel] = mapped_column(enum_type(CouncilLevel))

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="criteria_set", order_by="Criterion.position"
    )

    @property
    def label(self) -> str:
        return f"{self.code} ({self.version})"

    @property
    def definition(self) -> CriteriaSetDef:
        """The set's data in ``registry.ocop.criteria`` (citation, product sets)."""
        return criteria_set_def(self.code, self.version)

    @property
    def has_product_sets(self) -> bool:
        return bool(self.definition.product_sets)


class Criterion(Base):
    __tablename__ = "criteria"
    __table_args__ = (
        sa.UniqueConstraint("criteria_set_id", "code"),
        sa.CheckConstraint("max_points > 0", name="max_points_positive"),
        sa.CheckConstraint("part IN ('A', 'B', 'C')", name="part_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(
        sa.ForeignKey("criteria_sets.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(10))
    part: Mapped[str] = mapped_column(sa.String(1))
    title_vi: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    max_points: Mapped[Decimal] = mapped_column(POINTS)
    mandatory_from_stars: Mapped[int | None] = mapped_column(sa.SmallInteger)
    position: Mapped[int] = mapped_column(default=0)

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria")

    @property
    def part_enum(self) -> Part:
        return Part(self.part)


class ApplicationState(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCORED = "scored"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: 4★ at province level with 90+ points, waiting for the national council.
    POTENTIAL_5STAR = "potential_5star"


APPLICATION_STATE_LABELS = {
    ApplicationState.DRAFT: ("Bản nháp", "Draft"),
    ApplicationState.SUBMITTED: ("Đã nộp, chờ chấm điểm", "Submitted, waiting to be scored"),
    ApplicationState.SCORED: ("Đã chấm điểm, chờ quyết định", "Scored, waiting for a decision"),
    ApplicationState.APPROVED: ("Đã công nhận", "Recognised"),
    ApplicationState.REJECTED: ("Không công nhận", "Not recognised"),
    ApplicationState.POTENTIAL_5STAR: ("Tiềm năng 5 sao, chờ Hội đồng trung ương",
                                       "Potential 5 stars, waiting for the national council"),
}

#: A submitted application still with the level that checks and proposes it (1489/2025:
#: the commune People's Committee).
AWAITING_PROPOSAL_LABEL = ("Đã nộp, chờ {level} kiểm tra và đề xuất",
                           "Submitted, waiting for the {level} to check and propose it")

#: States in which an application waits for the office.
PENDING_STATES = (
    ApplicationState.SUBMITTED, ApplicationState.SCORED, ApplicationState.POTENTIAL_5STAR
)

application_certifications = sa.Table(
    "application_certifications",
    Base.metadata,
    sa.Column("application_id", sa.ForeignKey("rating_applications.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("certification_id", sa.ForeignKey("certifications.id", ondelete="RESTRICT"),
              primary_key=True),
)


class RatingApplication(CreatedMixin, DemoMixin, Base):
    __tablename__ = "rating_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    criteria_set_id: Mapped[int] = mapped_column(
        sa.ForeignKey("criteria_sets.id", ondelete="RESTRICT")
    )
    state: Mapped[ApplicationState] = mapped_column(
        enum_type(ApplicationState), default=ApplicationState.DRAFT, index=True
    )
    #: Council level whose queue holds the application now, and its unit (scope).
    council_level: Mapped[CouncilLevel] = mapped_column(enum_type(CouncilLevel))
    council_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_units.id", ondelete="RESTRICT")
    )
    #: Stars the producer asks for.
    requested_stars: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: Product set of the criteria set (Decision 26/2026, Annex I: 1 to 26); None before.
    product_set: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: Producer's self-assessment: {"A1": "4.5", ...} and its total.
    self_assessment: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: The producer's note on each criterion: {"A1": "Vùng nguyên liệu 49 ha", ...}.
    self_notes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    self_points: Mapped[Decimal | None] = mapped_column(POINTS)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Why the proposing level sent the dossier back to the producer (kept until the
    #: producer submits again; every return is also in the audit log).
    returned_reason: Mapped[str | None] = mapped_column(sa.Text)
    product: Mapped[Product] = relationship(back_populates="applications")
    criteria_set: Mapped[CriteriaSet] = relationship()
    council_unit: Mapped[AdminUnit | None] = relationship()
    score_sheets: Mapped[list[ScoreSheet]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[ApplicationEvidence]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    certifications: Mapped[list[Certification]] = relationship(
        secondary=application_certifications
    )
    decision: Mapped[RatingDecision | None] = relationship(
        back_populates="application", foreign_keys="RatingDecision.application_id",
        uselist=False,
    )

    __table_args__ = (
        sa.CheckConstraint("requested_stars IS NULL OR requested_stars BETWEEN 1 AND 5",
                           name="requested_stars_range"),
    )

    @property
    def product_set_def(self) -> ProductSet | None:
        return self.criteria_set.definition.product_set(self.product_set)

    @property
    def is_with_producer(self) -> bool:
        """A draft, or a dossier returned to complete: the producer's alone until it is
        (re)submitted."""
        return self.state is ApplicationState.DRAFT

    def submitted_sheets(self) -> list[ScoreSheet]:
        return [s for s in self.score_sheets if s.submitted_at is not None]

    def sheet_of(self, user: User) -> ScoreSheet | None:
        return next((s for s in self.score_sheets if s.reviewer_id == user.id), None)

    def points_spread(self) -> tuple[Decimal, Decimal] | None:
        """Lowest and highest total of the submitted sheets."""
        totals = [s.total for s in self.submitted_sheets()]
        return (min(totals), max(totals)) if totals else None

    def evidence_for(self, code: str | None) -> list[ApplicationEvidence]:
        return [e for e in self.evidence if e.criterion_code == code]

    @property
    def state_label(self) -> str:
        if self.awaiting_proposal:
            return localized(AWAITING_PROPOSAL_LABEL).format(
                level=localized(COUNCIL_LEVEL_LABELS[self.council_level]))
        return localized(APPLICATION_STATE_LABELS[self.state])

    @property
    def award_level(self) -> CouncilLevel:
        """The council that awards the requested stars under the application's set."""
        return CouncilLevel(self.criteria_set.award_levels[str(self.requested_stars)])

    @property
    def prescreen_level(self) -> CouncilLevel | None:
        return prescreen_level(self.criteria_set.proposing_level, self.award_level)

    @property
    def awaiting_proposal(self) -> bool:
        """Submitted, and still with the level that checks and proposes it."""
        return (self.state is ApplicationState.SUBMITTED
                and self.prescreen_level is not None
                and self.council_level is self.prescreen_level)

    def average_points(self) -> Decimal | None:
        """Mean of the submitted score sheets' totals, two decimals."""
        totals = [s.total for s in self.score_sheets if s.submitted_at is not None]
        if not totals:
            return None
        return (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"))


class ApplicationEvidence(CreatedMixin, Base):
    __tablename__ = "application_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rating_applications.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"))
    description: Mapped[str | None] = mapped_column(sa.String(200))
    #: The criterion the document supports ("C1"), or None for the dossier as a whole.
    criterion_code: Mapped[str | None] = mapped_column(sa.String(10))

    application: Mapped[RatingApplication] = relationship(back_populates="evidence")
    file: Mapped[StoredFile] = relationship()


class ScoreSheet(CreatedMixin, Base):
    """One reviewer's scores for one application."""

    __tablename__ = "score_sheets"
    __table_args__ = (sa.UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rating_applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    part_a: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    part_b: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    part_c: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    #: False when any mandatory criterion was recorded as not met.
    mandatory_met: Mapped[bool] = mapped_column(default=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[RatingApplication] = relationship(back_populates="score_sheets")
    reviewer: Mapped[User] = relationship()
    lines: Mapped[list[ScoreLine]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan"
    )

    def recompute(self) -> None:
        """Part totals and total from the lines (decimals, no rounding drift)."""
        parts = {"A": Decimal(0), "B": Decimal(0), "C": Decimal(0)}
        met = True
        for line in self.lines:
            parts[line.criterion.part] += line.points
            if line.criterion.mandatory_from_stars is not None and line.met is False:
                met = False
        self.part_a, self.part_b, self.part_c = parts["A"], parts["B"], parts["C"]
        self.total = parts["A"] + parts["B"] + parts["C"]
        self.mandatory_met = met


class ScoreLine(Base):
    __tablename__ = "score_lines"
    __table_args__ = (
        sa.UniqueConstraint("sheet_id", "criterion_id"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        sa.ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="RESTRICT"))
    points: Mapped[Decimal] = mapped_column(POINTS)
    #: For mandatory criteria: met or not (None for ordinary criteria).
    met: Mapped[bool | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="lines")
    criterion: Mapped[Criterion] = relationship(lazy="joined")
