"""The one authorisation mechanism: named permissions checked by every view.

Views call ``authorize(Perm.X, obj)`` (or use ``@requires(Perm.X)`` when there is no
object yet) and templates ask ``can(Perm.X, obj)``: both go through ``allowed``, so a
rule lives in one place. A refused request gets 403; an anonymous one is sent to log in.
"""
from __future__ import annotations

import enum
from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user, login_required

from .models import (Batch, Certification, LabelRun, Producer, Product, RatingApplication,
                     RatingDecision, Role, StoredFile, TraceEvent, User)
from .models import FakeReport


class Perm(enum.Enum):
    #: Producer portal: the producer's own records.
    PRODUCER_VIEW = "producer.view"
    PRODUCER_EDIT = "producer.edit"
    PRODUCER_MEMBERS = "producer.members"
    PRODUCT_EDIT = "product.edit"
    BATCH_EDIT = "batch.edit"
    #: Recall a batch (buyers are told to stop using it) or lift the recall.
    BATCH_RECALL = "batch.recall"
    LABELS_PRINT = "labels.print"
    CERTIFICATION_EDIT = "certification.edit"
    FILE_READ = "file.read"
    APPLICATION_EDIT = "application.edit"
    #: The office.
    OFFICE_VIEW = "office.view"
    APPLICATION_SCORE = "application.score"
    APPLICATION_DECIDE = "application.decide"
    DECISION_REVOKE = "decision.revoke"
    PRODUCER_REGISTER = "producer.register"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    #: Buyers' reports of suspected fakes: the named product's producer and the office.
    REPORT_VIEW = "report.view"
    REPORT_HANDLE = "report.handle"


def producer_id_of(obj: Any) -> int | None:
    """The producer a record belongs to, for ownership checks."""
    if isinstance(obj, Producer):
        return obj.id
    if isinstance(obj, (Product, Certification)):
        return obj.producer_id
    if isinstance(obj, (Batch, RatingApplication, RatingDecision)):
        return obj.product.producer_id
    if isinstance(obj, (LabelRun, TraceEvent)):
        return obj.batch.product.producer_id
    if isinstance(obj, StoredFile):
        return obj.owner_producer_id
    if isinstance(obj, FakeReport):
        # A report that matched no product belongs to no producer: the office's alone.
        return obj.product.producer_id if obj.product is not None else None
    if isinstance(obj, int):
        return obj
    raise TypeError(f"no producer for {type(obj).__name__}")


def _member_of(user: User, obj: Any) -> bool:
    """A member of the producer owning ``obj`` (with no object: of some producer)."""
    if user.role is not Role.PRODUCER or user.producer_id is None:
        return False
    return obj is None or user.producer_id == producer_id_of(obj)


def _office(user: User) -> bool:
    return user.role in (Role.REVIEWER, Role.ADMIN)


def _admin(user: User) -> bool:
    return user.role is Role.ADMIN


def _portal(user: User, obj: Any) -> bool:
    """Members edit their own producer's records; the office may act for them."""
    return _admin(user) or _member_of(user, obj)


def _reviewer_without_conflict(user: User, app: Any) -> bool:
    """Council members of the application's level and area, never on an application of
    a producer they belong to."""
    if user.role not in (Role.REVIEWER, Role.ADMIN):
        return False
    if app is None:
        return True
    if user.producer_id is not None and user.producer_id == producer_id_of(app):
        return False
    return user.role is Role.ADMIN or in_council_scope(user, app)


def in_council_scope(user: User, record: Any) -> bool:
    """Is this application (or decision) in the reviewer's council: same level, and the
    same area when both name one?"""
    if isinstance(record, RatingApplication):
        level, unit_id = record.council_level, record.council_unit_id
    elif isinstance(record, RatingDecision):
        level, unit_id = record.issuing_level, None
    else:
        return True  # a producer id: conflict already checked, no council to compare
    if user.council_level is not level:
        return False
    return user.council_unit_id is None or unit_id is None or user.council_unit_id == unit_id


RULES: dict[Perm, Callable[[User, Any], bool]] = {
    Perm.PRODUCER_VIEW: lambda u, o: _portal(u, o) or _office(u),
    Perm.PRODUCER_EDIT: _portal,
    Perm.PRODUCER_MEMBERS: lambda u, o: _admin(u) or (_member_of(u, o) and u.is_manager),
    Perm.PRODUCT_EDIT: _portal,
    Perm.BATCH_EDIT: _portal,
    # The batch's own producer and the agriculture office; councils score, they do not
    # take products off the market.
    Perm.BATCH_RECALL: lambda u, o: _admin(u) or (_member_of(u, o)
                                                   and RULES[Perm.BATCH_EDIT](u, o)),
    Perm.LABELS_PRINT: _portal,
    Perm.CERTIFICATION_EDIT: _portal,
    Perm.FILE_READ: lambda u, o: _office(u) or _member_of(u, o),
    Perm.APPLICATION_EDIT: lambda u, o: _member_of(u, o),
    Perm.OFFICE_VIEW: lambda u, o: _office(u),
    Perm.APPLICATION_SCORE: _reviewer_without_conflict,
    Perm.APPLICATION_DECIDE: _reviewer_without_conflict,
    Perm.DECISION_REVOKE: lambda u, o: _reviewer_without_conflict(u, o),
    Perm.PRODUCER_REGISTER: lambda u, o: _admin(u),
    Perm.USER_MANAGE: lambda u, o: _admin(u),
    Perm.AUDIT_VIEW: lambda u, o: _admin(u),
    # Members see and handle reports naming their own products; the office sees all,
    # administrators handle all (a report matching no product is the office's alone).
    Perm.REPORT_VIEW: lambda u, o: _office(u) or _member_of(u, o),
    Perm.REPORT_HANDLE: lambda u, o: _admin(u) or (_member_of(u, o)
                                                   and RULES[Perm.BATCH_EDIT](u, o)),
}


def allowed(user: User | None, perm: Perm, obj: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return RULES[perm](user, obj)


def can(perm: Perm, obj: Any = None) -> bool:
    """For templates and views: may the current user do ``perm`` on ``obj``?"""
    return allowed(current_user, perm, obj)


def authorize(perm: Perm, obj: Any = None) -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not allowed(current_user, perm, obj):
        abort(403)


def requires(perm: Perm) -> Callable:
    """View decorator: log in first, then hold ``perm`` (without an object)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            authorize(perm)
            return view(*args, **kwargs)

        return wrapped

    return decorator
