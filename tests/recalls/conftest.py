"""Shared fixtures and helpers of the recall tests."""
from __future__ import annotations

import pytest

from registry.extensions import db
from registry.models import AuditEntry, BatchRecall, CacheState

from .. import factories
from ..helpers import post_in_session, session_token


@pytest.fixture
def batch(product):
    return factories.make_batch(product, "NR2611")


token = session_token
post = post_in_session


def recalls() -> list[BatchRecall]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(BatchRecall).order_by(BatchRecall.id)))


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def public_version() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(CacheState.public_version)) or 0


def snapshot() -> tuple:
    """What a refused request must leave as it was."""
    rows = [(r.id, r.batch_id, r.reason, r.advice, r.recalled_on, r.lifted_at, r.lift_note)
            for r in recalls()]
    audit_count = db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))
    return rows, audit_count, public_version()
