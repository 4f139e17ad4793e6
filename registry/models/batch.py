"""Batches (lots), label runs, printer profiles and EPCIS-shaped trace events."""
from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..labels.links import check_ai_text
from .base import Base, CreatedMixin, DemoMixin, UTCDateTime, enum_type, localized

if TYPE_CHECKING:
    from .decision import RatingDecision
    from .place import AdminUnit
    from .product import Product
    from .recall import BatchRecall
    from .user import User

LOT_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")

#: Sequence numbers a batch may issue: serials carry 20 bits of sequence.
MAX_SERIALS_PER_BATCH = 2**20


class BatchStatus(enum.Enum):
    OPEN = "open"
    #: Has label runs: it can no longer be deleted or have its key fields changed.
    CLOSED = "closed"


class Batch(CreatedMixin, DemoMixin, Base):
    __tablename__ = "batches"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "lot_code"),
        sa.CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("expiry_date IS NULL OR packing_date IS NULL "
                           "OR expiry_date >= packing_date", name="expiry_after_packing"),
        sa.CheckConstraint(f"next_serial BETWEEN 0 AND {MAX_SERIALS_PER_BATCH}",
                           name="next_serial_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    #: Printed in the label address: short, URL-safe characters preferred.
    lot_code: Mapped[str] = mapped_column(sa.String(20))
    harvest_date: Mapped[date | None]
    production_date: Mapped[date | None]
    packing_date: Mapped[date | None]
    expiry_date: Mapped[date | None]
    quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 3))
    unit: Mapped[str | None] = mapped_column(sa.String(20))
    #: Farm, plot or orchard as the producer names it.
    origin: Mapped[str | None] = mapped_column(sa.String(200))
    origin_commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_units.id", ondelete="RESTRICT")
    )
    status: Mapped[BatchStatus] = mapped_column(enum_type(BatchStatus), default=BatchStatus.OPEN)
    #: Next unissued serial sequence number; label runs take ranges from it.
    next_serial: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="batches", lazy="joined")
    origin_commune: Mapped[AdminUnit | None] = relationship()
    label_runs: Mapped[list[LabelRun]] = relationship(
        back_populates="batch", order_by="LabelRun.start_seq", passive_deletes="all"
    )
    events: Mapped[list[TraceEvent]] = relationship(
        back_populates="batch", order_by="TraceEvent.event_time", passive_deletes="all"
    )
    recalls: Mapped[list[BatchRecall]] = relationship(
        back_populates="batch", order_by="BatchRecall.recorded_at", passive_deletes="all"
    )

    @property
    def active_recall(self) -> BatchRecall | None:
        return next((r for r in self.recalls if r.lifted_at is None), None)

    @validates("lot_code")
    def _check_lot_code(self, key: str, value: str) -> str:
        """Lot codes go into label addresses: at most 20 letters, digits, '-', '.', '_'.

        GS1 allows more punctuation in AI (10), but characters such as '/', '?' or '%'
        would have to be percent-encoded in the address, making codes larger and paths
        fragile behind proxies; producers' lot codes never need them.
        """
        value = (value or "").strip()
        if not LOT_CODE_RE.fullmatch(value):
            raise ValueError("lot code: 1–20 letters, digits, '-', '.' or '_', "
                             "starting with a letter or digit")
        check_ai_text(value, "lot code")
        return value

    def run_for_seq(self, seq: int) -> LabelRun | None:
        return next((r for r in self.label_runs if r.start_seq <= seq < r.end_seq), None)


class LabelRun(CreatedMixin, Base):
    """One print order: serials [start_seq, start_seq + count) of a batch.

    Serials are signed, so a run of 100,000 labels is this one row.
    """

    __tablename__ = "label_runs"
    __table_args__ = (
        sa.UniqueConstraint("batch_id", "start_seq"),
        sa.CheckConstraint("count > 0", name="count_positive"),
        sa.CheckConstraint("start_seq >= 0", name="start_not_negative"),
        sa.CheckConstraint("ecc IN ('M', 'Q')", name="ecc_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="RESTRICT"), index=True
    )
    start_seq: Mapped[int]
    count: Mapped[int]
    layout: Mapped[str] = mapped_column(sa.String(20))
    ecc: Mapped[str] = mapped_column(sa.String(1), default="M")
    offset_x_mm: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1), default=Decimal(0))
    offset_y_mm: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1), default=Decimal(0))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: The OCOP stars the run's labels carry: the product's valid rating when the run was
    #: ordered (0: no stars; NULL: ordered before this was recorded). The scan page says
    #: so when they are void since.
    printed_stars: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: The decision those stars came from (None: no stars, or ordered before this was
    #: recorded), so the scan page can say what became of it.
    printed_decision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("rating_decisions.id", ondelete="SET NULL"))

    #: The order form's one-time token: the same form sent twice (double tap, back
    #: button, reload) finds this run instead of issuing new serials.
    order_token: Mapped[str | None] = mapped_column(sa.String(43), unique=True)
    #: A4 sheets: the first label goes to this position of the first sheet (1-based).
    start_position: Mapped[int] = mapped_column(sa.SmallInteger, default=1,
                                                server_default="1")
    #: Printed beside the stars when the decision ends before the batch expires.
    stars_until: Mapped[date | None]
    #: The public address the labels carry (the configured one, or the one the
    #: registry was reached at when none is configured): reprints keep it.
    base_url: Mapped[str | None] = mapped_column(sa.String(200))
    #: The serial of the run's first label, as signed when the run was ordered: start-up
    #: checks that the configured signing key still makes it (registry/printing/keycheck),
    #: so a lost or changed key stops the app instead of calling genuine labels fakes.
    first_serial: Mapped[str | None] = mapped_column(sa.String(12))
    #: Ordered for a batch past its expiry date, confirmed by the member (audited).
    expired_confirmed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    batch: Mapped[Batch] = relationship(back_populates="label_runs")
    created_by: Mapped[User | None] = relationship()
    printed_decision: Mapped[RatingDecision | None] = relationship()
    files: Mapped[list[LabelFile]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="LabelFile.id")

    @property
    def end_seq(self) -> int:
        return self.start_seq + self.count

    def file(self, fmt: str, dpi: int = 0) -> LabelFile | None:
        return next((f for f in self.files if f.fmt == fmt and f.dpi == dpi), None)


class LabelFileStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class LabelFile(CreatedMixin, Base):
    """A print file of a run (PDF, or TSPL/ZPL for a thermal printer at some dpi),
    produced by a background worker into the label-file folder."""

    __tablename__ = "label_files"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "fmt", "dpi"),
        sa.CheckConstraint("fmt IN ('pdf', 'tspl', 'zpl')", name="fmt_known"),
        sa.CheckConstraint("done >= 0", name="done_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("label_runs.id", ondelete="CASCADE"),
                                        index=True)
    fmt: Mapped[str] = mapped_column(sa.String(4))
    dpi: Mapped[int] = mapped_column(sa.SmallInteger, default=0)  # 0: PDF
    status: Mapped[LabelFileStatus] = mapped_column(
        enum_type(LabelFileStatus), default=LabelFileStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)  # labels written so far
    #: File name inside LABEL_FILES_DIR, set when the file is complete.
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    error: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    run: Mapped[LabelRun] = relationship(back_populates="files")

    @property
    def pending(self) -> bool:
        return self.status in (LabelFileStatus.QUEUED, LabelFileStatus.RUNNING)


class PrinterProfile(CreatedMixin, Base):
    """A producer's printer with the X/Y shift that lines its sheets up."""

    __tablename__ = "printer_profiles"
    __table_args__ = (
        sa.UniqueConstraint("producer_id", "name"),
        sa.CheckConstraint("offset_x_mm BETWEEN -20 AND 20", name="offset_x_range"),
        sa.CheckConstraint("offset_y_mm BETWEEN -20 AND 20", name="offset_y_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("producers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    offset_x_mm: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1), default=Decimal(0))
    offset_y_mm: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1), default=Decimal(0))


class BizStep(enum.Enum):
    """EPCIS business steps offered to producers (CBV names)."""

    COMMISSIONING = "commissioning"
    HARVESTING = "harvesting"
    SORTING = "sorting"
    DRYING = "drying"
    PROCESSING = "processing"  # CBV "transforming" for TransformationEvents
    INSPECTING = "inspecting"
    PACKING = "packing"
    STORING = "storing"
    SHIPPING = "shipping"
    RECEIVING = "receiving"


BIZ_STEP_LABELS = {
    BizStep.COMMISSIONING: ("Tạo lô", "Batch created"),
    BizStep.HARVESTING: ("Thu hoạch", "Harvesting"),
    BizStep.SORTING: ("Phân loại", "Sorting"),
    BizStep.DRYING: ("Sấy", "Drying"),
    BizStep.PROCESSING: ("Chế biến", "Processing"),
    BizStep.INSPECTING: ("Kiểm tra", "Inspecting"),
    BizStep.PACKING: ("Đóng gói", "Packing"),
    BizStep.STORING: ("Lưu kho", "Storing"),
    BizStep.SHIPPING: ("Vận chuyển", "Shipping"),
    BizStep.RECEIVING: ("Nhận hàng", "Receiving"),
}


class EventType(enum.Enum):
    OBJECT = "ObjectEvent"
    AGGREGATION = "AggregationEvent"
    TRANSFORMATION = "TransformationEvent"
    TRANSACTION = "TransactionEvent"


class TraceEvent(CreatedMixin, Base):
    """What happened to a batch, when (with offset), where and why: an EPCIS event.

    Events are never edited: a correction is a new event whose ``corrects_id`` points
    at the old one, which stays visible as corrected.
    """

    __tablename__ = "trace_events"
    __table_args__ = (
        sa.CheckConstraint("tz_offset LIKE '+__:__' OR tz_offset LIKE '-__:__'",
                           name="tz_offset_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="RESTRICT"), index=True
    )
    event_type: Mapped[EventType] = mapped_column(enum_type(EventType),
                                                  default=EventType.OBJECT)
    biz_step: Mapped[BizStep] = mapped_column(enum_type(BizStep))
    #: Instant of the event (UTC) and the offset it happened in (eventTimeZoneOffset).
    event_time: Mapped[datetime] = mapped_column(UTCDateTime())
    tz_offset: Mapped[str] = mapped_column(sa.String(6), default="+07:00")
    #: readPoint / bizLocation as text ("Vườn ông Sáu, ấp Xóm Đồng 2").
    location: Mapped[str | None] = mapped_column(sa.String(200))
    commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_units.id", ondelete="RESTRICT")
    )
    disposition: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str | None] = mapped_column(sa.Text)
    corrects_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("trace_events.id", ondelete="RESTRICT"), unique=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    batch: Mapped[Batch] = relationship(back_populates="events")
    corrects: Mapped[TraceEvent | None] = relationship(
        remote_side=[id], back_populates="corrected_by"
    )
    corrected_by: Mapped[TraceEvent | None] = relationship(back_populates="corrects")
    commune: Mapped[AdminUnit | None] = relationship()

    @property
    def biz_step_label(self) -> str:
        return localized(BIZ_STEP_LABELS[self.biz_step])
