"""Record scans and answer "how often was this label checked, and since when"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import ClientClass, Scan
from ..models.base import utcnow
from ..printing.operations import LabelCheck
from .clients import COUNTED

#: Above this many checks the page warns that the label may have been copied.
DEFAULT_WARNING_THRESHOLD = 5


@dataclass(frozen=True)
class LabelHistory:
    checks: int
    first_checked_at: datetime | None

    @property
    def first_check(self) -> bool:
        return self.checks == 1

    def suspicious(self, threshold: int | None = None) -> bool:
        if threshold is None:
            threshold = current_app.config.get("SCAN_WARNING_THRESHOLD",
                                               DEFAULT_WARNING_THRESHOLD)
        return self.checks > threshold


def record_scan(check: LabelCheck, serial: str, client: ClientClass) -> None:
    """One row per request: concurrent scans never lose a count (no read-modify-write)."""
    db.session.execute(sa.insert(Scan).values(
        batch_id=check.batch.id, label_run_id=check.run.id, serial=serial,
        serial_seq=check.seq, scanned_at=utcnow(), client_class=client))


def label_history(batch_id: int, seq: int) -> LabelHistory:
    """People's checks of one label (bots and API calls left out)."""
    count, first = db.session.execute(
        sa.select(sa.func.count(Scan.id), sa.func.min(Scan.scanned_at))
        .where(Scan.batch_id == batch_id, Scan.serial_seq == seq,
               Scan.client_class.in_(COUNTED))
    ).one()
    if first is not None and first.tzinfo is None:
        from datetime import timezone

        first = first.replace(tzinfo=timezone.utc)
    return LabelHistory(count, first)
