"""One counter that every change to public data moves forward.

Processes cache what the scan page shows (product, batch, rating, events) keyed by this
version, so a label scan reads one number instead of a dozen rows, and no process ever
serves data older than the last committed change.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CacheState(Base):
    __tablename__ = "cache_state"

    id: Mapped[int] = mapped_column(primary_key=True)  # a single row, id 1
    public_version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
