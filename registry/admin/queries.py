"""The audit log's reads: entries filtered as the office asks, the people who acted."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _

from ..extensions import db
from ..inputs import bounded_int
from ..models import AuditEntry, User
from ..ocop.rules import VN_TZ
from . import audit_text

FILTERS = ("actor", "area", "object", "object_id", "start", "end", "action")


def audit_filters(args: Mapping[str, str]) -> dict[str, str]:
    """The filters as typed (trimmed, at most 60 characters), to show them again."""
    return {k: (args.get(k) or "").strip()[:60] for k in FILTERS}


def _int(text: str) -> int | None:
    try:
        return bounded_int(text)
    except ValueError:
        return None


def audit_query(filters: dict[str, str]):
    """(select of the entries, newest first; messages about dates that are not dates)."""
    query = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    errors = []
    actor_id, object_id = _int(filters["actor"]), _int(filters["object_id"])
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if filters["area"] in audit_text.AREAS:
        query = query.where(AuditEntry.action.startswith(filters["area"] + "."))
    if filters["action"]:
        query = query.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["object"] in audit_text.OBJECTS:
        query = query.where(AuditEntry.object_type == filters["object"])
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
    for key, bound in (("start", time.min), ("end", time.max)):
        if not filters[key]:
            continue
        day = _day(filters[key])
        if day is None:
            errors.append(_("Ngày không hợp lệ: %(d)s (dùng dạng 2026-12-31).", d=filters[key]))
            continue
        moment = datetime.combine(day, bound, VN_TZ)
        query = query.where(AuditEntry.at >= moment if key == "start"
                            else AuditEntry.at < moment.replace(microsecond=0)
                            + timedelta(seconds=1))
    return query, errors


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2200 else None


def people_in_log() -> list[User]:
    """Everyone who has an entry, by name (the log's person filter)."""
    return db.session.scalars(db.select(User).where(User.id.in_(
        db.select(AuditEntry.actor_id).distinct())).order_by(User.name)).all()
