"""Decisions on rating applications: approval (a decision with its validity), rejection,
forwarding to the national council, revocation, and the decisions about to expire.
Each checks the rules, writes its audit entry, and never commits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..models import (
    PENDING_STATES,
    ApplicationState,
    CriteriaSet,
    Product,
    RatingApplication,
    RatingDecision,
    User,
)
from ..models.base import localized
from ..notifications import operations as notices
from ..ocop import rules
from ..ocop.criteria import (
    COUNCIL_LEVEL_LABELS,
    MIN_RECOGNISED_STARS,
    CouncilLevel,
)
from .scoring import check_quorum, not_awaiting_proposal

#: The average score a dossier needs to be forwarded as a potential 5-star product.
POTENTIAL_5STAR_POINTS = Decimal(90)


def check_award(criteria_set: CriteriaSet, stars: int, level: CouncilLevel,
                points: Decimal | None) -> None:
    """Refuse stars that the points or this council level do not support."""
    if stars < MIN_RECOGNISED_STARS or stars > 5:
        raise OperationRefused(
            _("Chỉ công nhận sản phẩm OCOP từ %(min)s đến 5 sao.", min=MIN_RECOGNISED_STARS))
    if points is not None:
        band = criteria_set.definition.stars_for(points)
        if stars > band:
            raise OperationRefused(
                _("%(points)s điểm chỉ đạt hạng %(band)s sao; không thể công nhận %(stars)s sao "
                  "(cần từ %(floor)s điểm).", points=str(points), band=band, stars=stars,
                  floor=str(rules.band_floor(stars))))
    required = CouncilLevel(criteria_set.award_levels[str(stars)])
    if level is not required:
        raise OperationRefused(
            _("Theo bộ tiêu chí %(criteria)s, hạng %(stars)s sao do hội đồng %(required)s "
              "công nhận, không phải %(level)s.", criteria=criteria_set.label, stars=stars,
              required=localized(COUNCIL_LEVEL_LABELS[required]),
              level=localized(COUNCIL_LEVEL_LABELS[level])), 403)


def record_decision(
    *,
    product: Product,
    criteria_set: CriteriaSet,
    stars: int,
    points: Decimal | None,
    issuing_body: str,
    issuing_level: CouncilLevel,
    decision_number: str,
    decided_on: date,
    application: RatingApplication | None = None,
    actor: User | None = None,
    actor_label: str | None = None,
    is_demo: bool = False,
    product_set: int | None = None,
) -> RatingDecision:
    """Record a recognition decision; a later decision supersedes the product's previous
    one, which stays in the history."""
    check_award(criteria_set, stars, issuing_level, points)
    previous = product.current_decision(decided_on)
    decision = RatingDecision(
        product=product, criteria_set=criteria_set, stars=stars, points=points,
        issuing_body=issuing_body, issuing_level=issuing_level,
        decision_number=decision_number, decided_on=decided_on,
        valid_until=rules.valid_until(decided_on), application=application,
        decided_by_id=actor.id if actor else None, supersedes=previous, is_demo=is_demo,
        product_set=application.product_set if application is not None else product_set,
    )
    db.session.add(decision)
    if application is not None:
        application.state = ApplicationState.APPROVED
    audit.record(
        "decision.approve", decision,
        f"Công nhận {product.name_vi} đạt {stars} sao ({decision_number})",
        {"product_id": product.id, "stars": stars, "points": points,
         "decided_on": decided_on, "valid_until": decision.valid_until,
         "supersedes": previous.decision_number if previous else None},
        actor=actor, actor_label=actor_label)
    return decision


def revoke_decision(decision: RatingDecision, *, reason: str, on: date,
                    actor: User | None = None, actor_label: str | None = None) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Phải ghi rõ lý do thu hồi."))
    if decision.revoked_on is not None:
        raise OperationRefused(_("Quyết định này đã bị thu hồi."), 409)
    if on < decision.decided_on:
        raise OperationRefused(_("Ngày thu hồi không thể trước ngày quyết định."))
    decision.revoked_on = on
    decision.revocation_reason = reason
    decision.revoked_by_id = actor.id if actor else None
    audit.record("decision.revoke", decision,
                 f"Thu hồi quyết định {decision.decision_number} ({decision.stars} sao, "
                 f"{decision.product.name_vi}): {reason}",
                 {"reason": reason, "revoked_on": on}, actor=actor, actor_label=actor_label)
    notices.decision_revoked(decision, actor=actor)


def failed_mandatory(app: RatingApplication, stars: int) -> list[str]:
    """Mandatory criteria for ``stars`` that some reviewer recorded as not met, as code
    and title (the title in the page's language)."""
    failed = []
    for sheet in app.score_sheets:
        for line in sheet.lines:
            c = line.criterion
            named = f"{c.code} {localized((c.title_vi, c.title_en))}"
            if c.mandatory_from_stars is not None and c.mandatory_from_stars <= stars \
                    and line.met is False and named not in failed:
                failed.append(named)
    return failed


def approve_application(app: RatingApplication, *, actor: User, level: CouncilLevel,
                        stars: int, decision_number: str, decided_on: date,
                        issuing_body: str) -> RatingDecision:
    """Recognise the product: the stars must be supported by the average points, the
    mandatory criteria of that level, and this council's level."""
    if app.state is ApplicationState.SUBMITTED and not app.awaiting_proposal:
        check_quorum(app)  # being scored: say how many sheets are missing
    if app.state not in (ApplicationState.SCORED, ApplicationState.POTENTIAL_5STAR):
        raise OperationRefused(_("Chỉ quyết định được hồ sơ đã chấm điểm."), 409)
    check_quorum(app)
    points = app.average_points()
    if points is None:
        raise OperationRefused(_("Hồ sơ chưa có phiếu chấm điểm nào."))
    check_award(app.criteria_set, stars, level, points)  # points and level before criteria
    failed = failed_mandatory(app, stars)
    if failed:
        raise OperationRefused(
            _("Không thể công nhận %(stars)s sao: tiêu chí bắt buộc chưa đạt: %(failed)s.",
              stars=stars, failed="; ".join(failed)))
    if not decision_number.strip() or not issuing_body.strip():
        raise OperationRefused(_("Cần số quyết định và cơ quan ban hành."))
    decision = record_decision(
        product=app.product, criteria_set=app.criteria_set, stars=stars, points=points,
        issuing_body=issuing_body.strip(), issuing_level=level,
        decision_number=decision_number.strip(), decided_on=decided_on, application=app,
        actor=actor)
    notices.application_decided(app, decision, actor=actor)
    return decision


def reject_application(app: RatingApplication, *, actor: User, reason: str) -> None:
    if app.state not in PENDING_STATES:
        raise OperationRefused(_("Chỉ từ chối được hồ sơ đang chờ đánh giá."), 409)
    not_awaiting_proposal(app)  # the proposing level returns a dossier, never rejects it
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Phải ghi rõ lý do không công nhận."))
    check_quorum(app)
    app.state = ApplicationState.REJECTED
    app.rejection_reason = reason
    audit.record("application.reject", app, f"Không công nhận {app.product.name_vi}: {reason}",
                 {"reason": reason}, actor=actor)
    notices.application_decided(app, None, actor=actor)


def forward_potential_5star(app: RatingApplication, *, actor: User,
                            level: CouncilLevel) -> None:
    """Mark "potential 5★" and send the application to the national council."""
    if app.state is ApplicationState.SUBMITTED and not app.awaiting_proposal:
        check_quorum(app)
    if app.state is not ApplicationState.SCORED:
        raise OperationRefused(_("Chỉ hồ sơ đã chấm điểm mới chuyển được."), 409)
    if level is not CouncilLevel.PROVINCE:
        raise OperationRefused(_("Chỉ hội đồng cấp tỉnh đề nghị sản phẩm tiềm năng 5 sao."), 403)
    check_quorum(app)
    points = app.average_points()
    if points is None or points < POTENTIAL_5STAR_POINTS:
        raise OperationRefused(
            _("Sản phẩm tiềm năng 5 sao cần từ %(min)s điểm (hiện có %(points)s).",
              min=str(POTENTIAL_5STAR_POINTS), points=str(points or 0)))
    failed = failed_mandatory(app, 5)
    if failed:
        raise OperationRefused(_("Tiêu chí bắt buộc của hạng 5 sao chưa đạt: %(failed)s.",
                                 failed="; ".join(failed)))
    app.state = ApplicationState.POTENTIAL_5STAR
    app.council_level = CouncilLevel.NATIONAL
    app.council_unit = None
    audit.record("application.potential_5star", app,
                 f"{app.product.name_vi}: tiềm năng 5 sao, chuyển Hội đồng trung ương",
                 {"points": points}, actor=actor)
    notices.application_queued(app, actor=actor)


def expiring_decisions(on: date, days: int = rules.EXPIRY_NOTICE_DAYS) -> list[RatingDecision]:
    """Valid decisions whose validity ends within ``days`` (newest per product only)."""
    from datetime import timedelta

    candidates = db.session.scalars(
        db.select(RatingDecision)
        .where(RatingDecision.valid_until >= on,
               RatingDecision.valid_until <= on + timedelta(days=days),
               RatingDecision.decided_on <= on,
               (RatingDecision.revoked_on.is_(None)) | (RatingDecision.revoked_on > on))
        .order_by(RatingDecision.valid_until)
    ).all()
    return [d for d in candidates if d.product.current_decision(on) is d]
