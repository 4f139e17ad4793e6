"""Audit entries written by operations, inside the caller's transaction."""
from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from .models import AuditEntry, User, db


def record(
    action: str,
    obj: Any,
    summary: str,
    details: dict[str, Any] | None = None,
    *,
    actor: User | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Add an audit entry for ``obj`` (flushes nothing; the caller commits once)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    if hasattr(obj, "id") and obj.id is None:
        db.session.flush()  # the entry must name the new row's id
    entry = AuditEntry(
        actor=actor,
        actor_label=actor_label,
        action=action,
        object_type=type(obj).__tablename__ if hasattr(obj, "__tablename__") else str(obj),
        object_id=getattr(obj, "id", None),
        summary=summary[:300],
        details=_jsonable(details or {}),
    )
    db.session.add(entry)
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "value") and hasattr(value, "name"):  # enums
        return value.value
    return str(value)
