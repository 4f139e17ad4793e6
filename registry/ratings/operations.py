"""Rating operations. Each checks the rules, writes its audit entry, and never commits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..models import (
    AdminUnit,
    ApplicationState,
    CriteriaSet,
    Criterion,
    Product,
    RatingApplication,
    RatingDecision,
    ScoreLine,
    ScoreSheet,
    UnitLevel,
    User,
)
from ..models.base import localized, utcnow
from ..notifications import operations as notices
from ..ocop import rules
from ..ocop.criteria import (
    COUNCIL_LEVEL_LABELS,
    CRITERIA_SETS,
    MIN_RECOGNISED_STARS,
    CouncilLevel,
    CriteriaSetDef,
    Part,
    set_in_force,
)


def ensure_criteria_sets() -> dict[str, CriteriaSet]:
    """Load the criteria sets defined in ``registry.ocop.criteria`` (idempotent)."""
    out: dict[str, CriteriaSet] = {}
    for definition in CRITERIA_SETS:
        row = db.session.scalar(db.select(CriteriaSet).filter_by(
            code=definition.code, version=definition.version))
        if row is None:
            row = _criteria_set_row(definition)
            db.session.add(row)
        out[definition.key] = row
    db.session.flush()
    return out


def _criteria_set_row(d: CriteriaSetDef) -> CriteriaSet:
    row = CriteriaSet(
        code=d.code, version=d.version, name_vi=d.name_vi,
        part_a_max=d.part_max[Part.A], part_b_max=d.part_max[Part.B],
        part_c_max=d.part_max[Part.C],
        award_levels={str(stars): level.value for stars, level in d.award_level.items()},
        proposing_level=d.proposing_level,
    )
    row.criteria = [
        Criterion(code=c.code, part=c.part.value, title_vi=c.title_vi, title_en=c.title_en,
                  max_points=c.max_points, mandatory_from_stars=c.mandatory_from_stars,
                  position=i)
        for i, c in enumerate(d.criteria)
    ]
    return row


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


# --------------------------------------------------------------------------- workflow

def current_criteria_set(on: date | None = None) -> CriteriaSet:
    """The set a dossier started on ``on`` (today) is scored under: the newest in force."""
    last = set_in_force(on or rules.today_vn())
    row = db.session.scalar(db.select(CriteriaSet).filter_by(code=last.code,
                                                             version=last.version))
    if row is None:
        row = ensure_criteria_sets()[last.key]
    return row


def _check_points(criteria_set: CriteriaSet, points: dict[str, Decimal]) -> Decimal:
    by_code = {c.code: c for c in criteria_set.criteria}
    total = Decimal(0)
    for code, value in points.items():
        criterion = by_code.get(code)
        if criterion is None:
            raise OperationRefused(_("Tiêu chí %(code)s không thuộc bộ tiêu chí này.",
                                     code=code))
        if value < 0 or value > criterion.max_points:
            raise OperationRefused(_("Điểm tiêu chí %(code)s phải từ 0 đến %(max)s.",
                                     code=code, max=str(criterion.max_points)))
        total += value
    return total


def _check_product_set(cs: CriteriaSet, product_set: int | None) -> int | None:
    if not cs.has_product_sets:
        return None
    if product_set is None or cs.definition.product_set(product_set) is None:
        raise OperationRefused(_("Chọn bộ sản phẩm của %(criteria)s mà sản phẩm thuộc về.",
                                 criteria=cs.code))
    return product_set


def _clean_notes(cs: CriteriaSet, notes: dict[str, str] | None) -> dict[str, str]:
    codes = {c.code for c in cs.criteria}
    return {k: v.strip()[:1000] for k, v in (notes or {}).items()
            if k in codes and v and v.strip()}


def create_application(product: Product, *, requested_stars: int,
                       self_assessment: dict[str, Decimal],
                       certifications: list | None = None,
                       actor: User | None = None, product_set: int | None = None,
                       self_notes: dict[str, str] | None = None) -> RatingApplication:
    """A draft application for one of the producer's products, under the criteria set
    in force today (and, from Decision 26/2026, one of its product sets)."""
    if db.session.scalar(db.select(RatingApplication.id).where(
            RatingApplication.product_id == product.id,
            RatingApplication.state.in_((ApplicationState.DRAFT,) + PENDING))) is not None:
        raise OperationRefused(
            _("Sản phẩm này đã có một hồ sơ đang soạn hoặc đang chờ đánh giá."), 409)
    if not MIN_RECOGNISED_STARS <= requested_stars <= 5:
        raise OperationRefused(_("Hạng sao đề nghị phải từ 3 đến 5."))
    cs = current_criteria_set()
    total = _check_points(cs, self_assessment)
    app = RatingApplication(
        product=product, criteria_set=cs, state=ApplicationState.DRAFT,
        product_set=_check_product_set(cs, product_set), self_notes=_clean_notes(cs, self_notes),
        council_level=CouncilLevel(cs.award_levels[str(requested_stars)]),
        requested_stars=requested_stars,
        self_assessment={k: str(v) for k, v in self_assessment.items()}, self_points=total,
        certifications=list(certifications or []))
    db.session.add(app)
    audit.record("application.create", app, f"Tạo hồ sơ đánh giá {product.name_vi}",
                 {"requested_stars": requested_stars, "self_points": total}, actor=actor)
    return app


def update_application(app: RatingApplication, *, requested_stars: int,
                       self_assessment: dict[str, Decimal], certifications: list,
                       actor: User | None = None, product_set: int | None = None,
                       self_notes: dict[str, str] | None = None) -> None:
    """Correct a draft (before it is submitted, or after it was returned to complete)."""
    if app.state is not ApplicationState.DRAFT:
        raise OperationRefused(_("Chỉ sửa được hồ sơ đang soạn."), 409)
    if not MIN_RECOGNISED_STARS <= requested_stars <= 5:
        raise OperationRefused(_("Hạng sao đề nghị phải từ 3 đến 5."))
    total = _check_points(app.criteria_set, self_assessment)
    before = {"requested_stars": app.requested_stars, "self_points": app.self_points}
    app.requested_stars = requested_stars
    app.council_level = app.award_level
    app.self_assessment = {k: str(v) for k, v in self_assessment.items()}
    app.self_points = total
    app.product_set = _check_product_set(app.criteria_set, product_set)
    app.self_notes = _clean_notes(app.criteria_set, self_notes)
    app.certifications = list(certifications)
    audit.record("application.update", app, f"Sửa hồ sơ đánh giá {app.product.name_vi}",
                 {"before": before, "requested_stars": requested_stars,
                  "self_points": total}, actor=actor)


PENDING = (ApplicationState.SUBMITTED, ApplicationState.SCORED,
           ApplicationState.POTENTIAL_5STAR)


def submit_application(app: RatingApplication, *, actor: User | None = None,
                       council_unit=None) -> None:
    if app.state is not ApplicationState.DRAFT:
        raise OperationRefused(_("Chỉ hồ sơ đang soạn mới nộp được."), 409)
    if len(app.self_assessment) < len(app.criteria_set.criteria):
        raise OperationRefused(_("Hãy tự chấm đủ các tiêu chí trước khi nộp hồ sơ."))
    app.state = ApplicationState.SUBMITTED
    app.submitted_at = utcnow()
    app.submitted_by_id = actor.id if actor else None
    app.returned_reason = None
    first = app.prescreen_level  # 1489/2025: the commune checks and proposes first
    if first is not None:
        app.council_level = first
        app.council_unit = unit_for(app.product.producer, first)
    else:
        app.council_level = app.award_level
        if council_unit is not None:
            app.council_unit = council_unit
    audit.record("application.submit", app,
                 f"Nộp hồ sơ đánh giá {app.product.name_vi} ({app.requested_stars} sao)",
                 {"council_level": app.council_level,
                  "council_unit": app.council_unit.full_name if app.council_unit else None},
                 actor=actor)
    notices.application_queued(app, actor=actor)


def unit_for(producer, level: CouncilLevel) -> AdminUnit | None:
    """The administrative unit whose council at ``level`` handles this producer's
    dossiers: its commune (or district, or province) as it is today, following the 2025
    mergers from the unit recorded on the producer. None when the producer has no
    commune recorded, or for the national council."""
    recorded = producer.commune
    if recorded is None or level is CouncilLevel.NATIONAL:
        return None
    unit = recorded.unit_at(UnitLevel(level.value))
    while unit is not None and unit.successor is not None:  # merged into another unit
        unit = unit.successor
    return unit


def _not_awaiting_proposal(app: RatingApplication) -> None:
    if app.awaiting_proposal:
        raise OperationRefused(
            _("Hồ sơ đang chờ %(level)s kiểm tra và đề xuất lên hội đồng.",
              level=localized(COUNCIL_LEVEL_LABELS[app.council_level])), 409)


def _at_proposing_level(app: RatingApplication, level: CouncilLevel) -> None:
    if not app.awaiting_proposal:
        raise OperationRefused(_("Hồ sơ này không chờ kiểm tra và đề xuất."), 409)
    if level is not app.council_level:
        raise OperationRefused(
            _("Hồ sơ này do %(level)s kiểm tra và đề xuất.",
              level=localized(COUNCIL_LEVEL_LABELS[app.council_level])), 403)


def propose_application(app: RatingApplication, *, actor: User, level: CouncilLevel) -> None:
    """The proposing level found the dossier complete: it goes to the awarding council
    (1489/2025: the commune People's Committee proposes it to the province)."""
    _at_proposing_level(app, level)
    checked_by = app.council_unit
    app.council_level = app.award_level
    app.council_unit = unit_for(app.product.producer, app.council_level)
    audit.record("application.propose", app,
                 f"{checked_by.full_name if checked_by else COUNCIL_LEVEL_LABELS[level][0]} "
                 f"đề xuất "
                 f"{app.product.name_vi} ({app.requested_stars} sao) lên hội đồng",
                 {"from_level": level, "to_level": app.council_level,
                  "to_unit": app.council_unit.full_name if app.council_unit else None},
                 actor=actor)
    notices.application_queued(app, actor=actor)


def return_application(app: RatingApplication, *, actor: User, level: CouncilLevel,
                       reason: str) -> None:
    """The proposing level sends the dossier back to the producer to complete; the
    producer edits the draft and submits it again."""
    _at_proposing_level(app, level)
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Phải ghi rõ cần bổ sung, sửa gì trong hồ sơ."))
    app.state = ApplicationState.DRAFT
    app.returned_reason = reason
    app.council_level = app.award_level
    app.council_unit = None
    audit.record("application.return", app,
                 f"Trả hồ sơ {app.product.name_vi} để chủ thể bổ sung: {reason}",
                 {"reason": reason, "level": level}, actor=actor)
    notices.application_returned(app, reason, actor=actor)


def quorum(level: CouncilLevel) -> int:
    """Score sheets a decision of the council at ``level`` needs (``COUNCIL_QUORUM``)."""
    from flask import current_app

    configured = current_app.config.get("COUNCIL_QUORUM") or {}
    if isinstance(configured, int):
        return max(1, configured)
    return max(1, int(configured.get(level.value, 3)))


def sheets_missing(app: RatingApplication) -> int:
    return max(0, quorum(app.council_level) - len(app.submitted_sheets()))


def _check_quorum(app: RatingApplication) -> None:
    missing = sheets_missing(app)
    if missing:
        raise OperationRefused(
            _("Hội đồng cần %(quorum)s phiếu chấm độc lập trước khi quyết định; mới có "
              "%(have)s phiếu (còn thiếu %(missing)s).", quorum=quorum(app.council_level),
              have=len(app.submitted_sheets()), missing=missing), 409)


def score_application(app: RatingApplication, reviewer: User,
                      lines: dict[int, tuple[Decimal, bool | None, str | None]]) -> ScoreSheet:
    """Record one reviewer's score sheet: {criterion id: (points, met, note)}. Each
    reviewer scores once and on their own: a sent sheet is final (the reviewer then sees
    the others'), and the dossier is "scored" when the council's quorum of sheets is in."""
    if app.state not in (ApplicationState.SUBMITTED, ApplicationState.SCORED):
        raise OperationRefused(_("Hồ sơ này không ở trạng thái chờ chấm điểm."), 409)
    _not_awaiting_proposal(app)
    mine = app.sheet_of(reviewer)
    if mine is not None and mine.submitted_at is not None:
        raise OperationRefused(_("Bạn đã nộp phiếu chấm cho hồ sơ này; phiếu đã nộp không "
                                 "sửa được."), 409)
    criteria = {c.id: c for c in app.criteria_set.criteria}
    missing = [c.code for cid, c in criteria.items() if cid not in lines]
    if missing:
        raise OperationRefused(_("Chưa chấm các tiêu chí: %(codes)s.",
                                 codes=", ".join(missing)))
    sheet = next((s for s in app.score_sheets if s.reviewer_id == reviewer.id), None)
    if sheet is None:
        sheet = ScoreSheet(application=app, reviewer=reviewer)
        db.session.add(sheet)
    sheet.lines.clear()
    db.session.flush()
    for cid, (points, met, note) in lines.items():
        criterion = criteria.get(cid)
        if criterion is None:
            raise OperationRefused(_("Tiêu chí không thuộc bộ tiêu chí của hồ sơ."))
        if points < 0 or points > criterion.max_points:
            raise OperationRefused(_("Điểm tiêu chí %(code)s phải từ 0 đến %(max)s.",
                                     code=criterion.code, max=str(criterion.max_points)))
        sheet.lines.append(ScoreLine(
            criterion=criterion, points=points, note=note or None,
            met=(bool(met) if criterion.mandatory_from_stars is not None else None)))
    sheet.recompute()
    sheet.submitted_at = utcnow()
    complete = sheets_missing(app) == 0
    audit.record("application.score", app,
                 f"{reviewer.name} chấm {sheet.total} điểm cho {app.product.name_vi} "
                 f"(phiếu {len(app.submitted_sheets())}/{quorum(app.council_level)})",
                 {"reviewer_id": reviewer.id, "total": sheet.total,
                  "parts": [sheet.part_a, sheet.part_b, sheet.part_c],
                  "mandatory_met": sheet.mandatory_met}, actor=reviewer)
    if complete and app.state is ApplicationState.SUBMITTED:
        app.state = ApplicationState.SCORED
        notices.application_scored(app, actor=reviewer)
    return sheet


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
        _check_quorum(app)  # being scored: say how many sheets are missing
    if app.state not in (ApplicationState.SCORED, ApplicationState.POTENTIAL_5STAR):
        raise OperationRefused(_("Chỉ quyết định được hồ sơ đã chấm điểm."), 409)
    _check_quorum(app)
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
    if app.state not in PENDING:
        raise OperationRefused(_("Chỉ từ chối được hồ sơ đang chờ đánh giá."), 409)
    _not_awaiting_proposal(app)  # the proposing level returns a dossier, never rejects it
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Phải ghi rõ lý do không công nhận."))
    _check_quorum(app)
    app.state = ApplicationState.REJECTED
    app.rejection_reason = reason
    audit.record("application.reject", app, f"Không công nhận {app.product.name_vi}: {reason}",
                 {"reason": reason}, actor=actor)
    notices.application_decided(app, None, actor=actor)


#: Points from which a province may propose a 4★ product to the national council.
POTENTIAL_5STAR_POINTS = Decimal(90)


def forward_potential_5star(app: RatingApplication, *, actor: User,
                            level: CouncilLevel) -> None:
    """Mark "potential 5★" and send the application to the national council."""
    if app.state is ApplicationState.SUBMITTED and not app.awaiting_proposal:
        _check_quorum(app)
    if app.state is not ApplicationState.SCORED:
        raise OperationRefused(_("Chỉ hồ sơ đã chấm điểm mới chuyển được."), 409)
    if level is not CouncilLevel.PROVINCE:
        raise OperationRefused(_("Chỉ hội đồng cấp tỉnh đề nghị sản phẩm tiềm năng 5 sao."), 403)
    _check_quorum(app)
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


def unattended(apps: list[RatingApplication]) -> list[RatingApplication]:
    """Dossiers waiting at a level and area where the registry has nobody to handle
    them (no active officer or council member): the province and administrators see
    them flagged."""
    return [a for a in apps if not notices.handlers_of(a)]


def assign_officer(app: RatingApplication, officer: User, *, actor: User) -> None:
    """Give a reviewer account the council seat (level and area) where ``app`` waits,
    so that it, and every later dossier there, has someone to handle it."""
    from ..models import Role

    if officer.role is not Role.REVIEWER or not officer.active:
        raise OperationRefused(_("Chỉ giao được cho tài khoản thành viên hội đồng đang "
                                 "hoạt động."))
    if officer.producer_id is not None and officer.producer_id == app.product.producer_id:
        raise OperationRefused(_("Người này thuộc chủ thể của hồ sơ, không xử lý được hồ "
                                 "sơ của chính mình."), 409)
    before = {"level": officer.council_level,
              "unit": officer.council_unit.full_name if officer.council_unit else None}
    officer.council_level = app.council_level
    officer.council_unit = app.council_unit
    where = app.council_unit.full_name if app.council_unit else \
        COUNCIL_LEVEL_LABELS[app.council_level][0]
    audit.record("user.assign", officer,
                 f"Giao {officer.name} xử lý hồ sơ tại {where} "
                 f"(từ hồ sơ {app.product.name_vi})",
                 {"before": before, "level": app.council_level, "unit": where,
                  "application_id": app.id}, actor=actor)
    notices.application_queued(app, actor=actor)
