"""Scans of printed labels: one row per resolved address request."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, enum_type, utcnow


class ClientClass(enum.Enum):
    PHONE = "phone"
    BROWSER = "browser"
    #: Link previews and crawlers: logged, never counted as checks.
    BOT = "bot"
    API = "api"


class Scan(Base):
    __tablename__ = "scans"
    __table_args__ = (
        sa.Index("ix_scans_batch_serial", "batch_id", "serial_seq"),
        sa.CheckConstraint("serial_seq >= 0", name="serial_seq_not_negative"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id", ondelete="RESTRICT"))
    label_run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("label_runs.id", ondelete="RESTRICT"), index=True
    )
    serial: Mapped[str] = mapped_column(sa.String(12))
    serial_seq: Mapped[int]
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    client_class: Mapped[ClientClass] = mapped_column(enum_type(ClientClass))
    #: Keyed hash of the client's address and User-Agent (never the raw address), so
    #: reloads by one phone can be told from looks by different phones.
    client_hash: Mapped[str | None] = mapped_column(sa.String(16))


class LabelCheck(Base):
    """People's checks of one label, kept as running totals.

    ``checks`` counts looks: one client's repeated loads within the check window count
    once. ``clients`` counts distinct clients (phones, browsers) that ever looked; the
    "possible copy" warning is about those. Updated by upserts that return the new
    totals, so reading a label's history costs one row however often it was scanned.
    """

    __tablename__ = "label_checks"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id", ondelete="RESTRICT"),
                                          primary_key=True)
    serial_seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    checks: Mapped[int] = mapped_column(default=0)
    clients: Mapped[int] = mapped_column(default=0)
    first_checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LabelClient(Base):
    """One client's looks at one label: when it first looked, when a look last counted.

    ``hits`` counts every load; ``counted_hit`` is the value ``hits`` had at the load
    that last counted as a check, so one upsert tells whether this load counts
    (``hits == counted_hit``) and whether the client is new (``hits == 1``), exactly,
    however many loads arrive at once.
    """

    __tablename__ = "label_clients"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id", ondelete="RESTRICT"),
                                          primary_key=True)
    serial_seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    client_hash: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    hits: Mapped[int] = mapped_column(default=1)
    counted_hit: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_counted_at: Mapped[datetime] = mapped_column(UTCDateTime())
