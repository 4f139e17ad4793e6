"""Recalls of batches: why, since when, what buyers should do, and when it was lifted.

A recall is kept when it is lifted (``lifted_at``), so a batch's history shows every
recall it had; at most one recall of a batch is active at a time (a partial unique index).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .batch import Batch
    from .user import User


class BatchRecall(Base):
    __tablename__ = "batch_recalls"
    __table_args__ = (
        sa.Index("uq_batch_recalls_active", "batch_id", unique=True,
                 sqlite_where=sa.text("lifted_at IS NULL"),
                 postgresql_where=sa.text("lifted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id", ondelete="RESTRICT"),
                                          index=True)
    #: Why the batch is recalled, in one or two sentences buyers understand.
    reason: Mapped[str] = mapped_column(sa.Text)
    #: What a buyer holding the product should do ("stop eating it, return it to …").
    advice: Mapped[str] = mapped_column(sa.Text)
    #: The day the recall takes effect (Vietnam's calendar).
    recalled_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    lift_note: Mapped[str | None] = mapped_column(sa.Text)

    batch: Mapped[Batch] = relationship(back_populates="recalls")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])

    @property
    def active(self) -> bool:
        return self.lifted_at is None
