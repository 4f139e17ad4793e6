"""Rating applications: criteria sets, the dossier (create, correct, submit),
the commune's prescreen (propose, return), and assigning an officer. Each checks the
rules, writes its audit entry, and never commits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..models import (
    PENDING_STATES,
    AdminUnit,
    ApplicationState,
    CriteriaSet,
    Criterion,
    Product,
    RatingApplication,
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
            RatingApplication.state.in_((ApplicationState.DRAFT,) + PENDING_STATES))) is not None:
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


#: Points from which a province may propose a 4★ product to the national council.


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
