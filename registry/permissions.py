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

from .models import (
    Batch,
    Certification,
    FakeReport,
    LabelRun,
    Producer,
    Product,
    RatingApplication,
    RatingDecision,
    Role,
    StoredFile,
    TraceEvent,
    User,
)


class Perm(enum.Enum):
    #: Producer portal: the producer's own records.
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
    #: Open a dossier (and its files): never a draft or a returned dossier.
    APPLICATION_READ = "application.read"
    APPLICATION_SCORE = "application.score"
    #: The level that checks a dossier proposes it or returns it (the commune, 1489/2025).
    APPLICATION_PROPOSE = "application.propose"
    APPLICATION_DECIDE = "application.decide"
    DECISION_REVOKE = "decision.revoke"
    PRODUCER_REGISTER = "producer.register"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    #: Buyers' reports of suspected fakes: the named product's producer and the office.
    REPORT_VIEW = "report.view"
    REPORT_HANDLE = "report.handle"
    #: Personal API tokens: a producer's member, and only their own tokens.
    API_TOKENS = "api.tokens"


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


def _with_producer(app: Any) -> bool:
    """A draft or returned dossier (the office neither reads nor acts on it)."""
    return isinstance(app, RatingApplication) and app.is_with_producer


def _chair_without_conflict(user: User, obj: Any) -> bool:
    """Council decisions are recorded by the council's chair, or an administrator."""
    if user.role is Role.ADMIN:
        return _reviewer_without_conflict(user, obj)
    return user.is_chair and _reviewer_without_conflict(user, obj)


def _reads_dossier(user: User, app: Any) -> bool:
    """Office users read a dossier once the producer has submitted it: administrators
    all, council members those of their level and area (the level now handling it, or
    the commune that checked it), never one of their own producer."""
    if app is None:
        return _office(user)
    if not _office(user) or _with_producer(app):
        return False
    if user.producer_id is not None and user.producer_id == producer_id_of(app):
        return False
    if user.role is Role.ADMIN or in_council_scope(user, app):
        return True
    checker = app.prescreen_level
    if checker is None or user.council_level is not checker:
        return False
    from .ratings.operations import unit_for

    unit = unit_for(app.product.producer, checker)
    return user.council_unit_id is None or (unit is not None
                                            and unit.id == user.council_unit_id)


def dossiers_of_file(stored: StoredFile) -> list[RatingApplication]:
    """The dossiers a stored file belongs to: as evidence, or as the scan of a
    certificate attached to them."""
    from sqlalchemy import select

    from .extensions import db
    from .models import ApplicationEvidence
    from .models.rating import application_certifications

    as_evidence = select(ApplicationEvidence.application_id).where(
        ApplicationEvidence.file_id == stored.id)
    as_certificate = (select(application_certifications.c.application_id)
                      .join(Certification, Certification.id ==
                            application_certifications.c.certification_id)
                      .where(Certification.evidence_file_id == stored.id))
    return list(db.session.scalars(select(RatingApplication).where(
        RatingApplication.id.in_(as_evidence.union(as_certificate).scalar_subquery()))))


def _reads_file(user: User, stored: Any) -> bool:
    """A producer's own files; for the office, a file of a dossier it may read (and an
    administrator's certificate scans, as it keeps certificates for producers)."""
    if stored is None:
        return _office(user) or _member_of(user, None)
    if _member_of(user, stored):
        return True
    if not _office(user):
        return False
    if any(_reads_dossier(user, app) for app in dossiers_of_file(stored)):
        return True
    if user.role is Role.ADMIN:
        from sqlalchemy import select

        from .extensions import db

        return db.session.scalar(select(Certification.id).where(
            Certification.evidence_file_id == stored.id)) is not None
    return False


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
    Perm.FILE_READ: _reads_file,
    Perm.APPLICATION_EDIT: lambda u, o: _member_of(u, o),
    Perm.OFFICE_VIEW: lambda u, o: _office(u),
    Perm.APPLICATION_READ: _reads_dossier,
    Perm.APPLICATION_SCORE: lambda u, o: not _with_producer(o)
    and _reviewer_without_conflict(u, o),
    Perm.APPLICATION_PROPOSE: lambda u, o: not _with_producer(o)
    and _reviewer_without_conflict(u, o),
    Perm.APPLICATION_DECIDE: lambda u, o: not _with_producer(o)
    and _chair_without_conflict(u, o),
    Perm.DECISION_REVOKE: lambda u, o: _admin(u) or (u.is_chair
                                                     and _reviewer_without_conflict(u, o)),
    Perm.PRODUCER_REGISTER: lambda u, o: _admin(u),
    Perm.USER_MANAGE: lambda u, o: _admin(u),
    Perm.AUDIT_VIEW: lambda u, o: _admin(u),
    # Members see and handle reports naming their own products; the office sees all,
    # administrators handle all (a report matching no product is the office's alone).
    Perm.REPORT_VIEW: lambda u, o: _office(u) or _member_of(u, o),
    Perm.REPORT_HANDLE: lambda u, o: _admin(u) or (_member_of(u, o)
                                                   and RULES[Perm.BATCH_EDIT](u, o)),
    Perm.API_TOKENS: lambda u, o: _member_of(u, None) and (o is None or o.user_id == u.id),
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


def authorized(perm: Perm, model: type, ident: Any) -> Any:
    """The ``model`` row ``ident`` (404 if there is none), if the signed-in user may
    ``perm`` it (else 401 or 403): what a view of one party's record starts with."""
    from .extensions import db

    obj = db.get_or_404(model, ident)
    authorize(perm, obj)
    return obj


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
