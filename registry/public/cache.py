"""Per-process caches for the scan page, checked against ``cache_state.public_version``.

Every flush that adds, changes or deletes a record shown on public pages moves the
version forward in the same transaction (``before_flush`` below). A scan reads the
version together with its label's counts, so a process notices any change committed
by any other process at its next scan and never serves older data than that.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import chain
from typing import Any, Callable, Hashable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import (
    AdminUnit,
    Batch,
    BatchRecall,
    CacheState,
    Certification,
    CriteriaSet,
    LabelRun,
    Producer,
    Product,
    ProductPhoto,
    RatingApplication,
    RatingDecision,
    StoredFile,
    TraceEvent,
)

PUBLIC_MODELS = (Product, ProductPhoto, Producer, AdminUnit, RatingDecision,
                 RatingApplication, Certification, Batch, LabelRun, TraceEvent, CriteriaSet,
                 StoredFile, BatchRecall)
STATE_ID = 1


@event.listens_for(Session, "before_flush")
def _bump_on_public_change(session: Session, flush_context, instances) -> None:
    changed = chain(session.new, session.deleted,
                    (o for o in session.dirty if session.is_modified(o)))
    if any(isinstance(obj, PUBLIC_MODELS) for obj in changed):
        bump(session)


def bump(session: Session) -> None:
    result = session.execute(
        sa.update(CacheState).where(CacheState.id == STATE_ID)
        .values(public_version=CacheState.public_version + 1))
    if result.rowcount == 0:  # a database built by create_all (tests) has no row yet
        session.execute(sa.insert(CacheState).values(id=STATE_ID, public_version=1))


VERSION_QUERY = sa.select(CacheState.public_version).where(
    CacheState.id == STATE_ID).scalar_subquery()


class LRU:
    """A small bounded mapping; entries keyed by version simply age out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share one process

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()  # outside the lock: it may query the database
        if value is not None:
            with self._lock:
                self._data[key] = value
                if len(self._data) > self.size:
                    self._data.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> Any:
        """The cached value or None, without making one (for callers outside Flask)."""
        with self._lock:
            return self._data.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if len(self._data) > self.size:
                self._data.popitem(last=False)

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
