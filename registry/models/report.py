"""Buyers' reports of a suspected fake label or product, with the address they scanned."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from .batch import Batch
    from .product import Product
    from .user import User


class ReportStatus(enum.Enum):
    NEW = "new"
    #: The producer or the office has looked at it (and says what they did).
    HANDLED = "handled"


class FakeReport(Base):
    __tablename__ = "fake_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: The address the buyer scanned or opened, as they had it (never trusted for data).
    address: Mapped[str] = mapped_column(sa.String(400))
    #: What the registry matched the address to, if anything (a forged serial matches none).
    product_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("products.id", ondelete="SET NULL"), index=True)
    batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="SET NULL"))
    serial_seq: Mapped[int | None]
    #: True when the serial in the address was issued by the registry.
    label_issued: Mapped[bool] = mapped_column(default=False)
    what_seen: Mapped[str] = mapped_column(sa.Text)
    where_bought: Mapped[str | None] = mapped_column(sa.String(300))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    #: Keyed hash of the reporter's address and browser (no raw IP is stored).
    client_hash: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[ReportStatus] = mapped_column(enum_type(ReportStatus),
                                                 default=ReportStatus.NEW)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    handling_note: Mapped[str | None] = mapped_column(sa.Text)

    product: Mapped[Product | None] = relationship()
    batch: Mapped[Batch | None] = relationship()
    handled_by: Mapped[User | None] = relationship()
