"""The council's score sheets: who may score, the quorum, and a reviewer's sheet.
Never commits."""
from __future__ import annotations

from decimal import Decimal

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..models import (
    ApplicationState,
    RatingApplication,
    ScoreLine,
    ScoreSheet,
    User,
)
from ..models.base import localized, utcnow
from ..notifications import operations as notices
from ..ocop.criteria import (
    COUNCIL_LEVEL_LABELS,
    CouncilLevel,
)


def not_awaiting_proposal(app: RatingApplication) -> None:
    if app.awaiting_proposal:
        raise OperationRefused(
            _("Hồ sơ đang chờ %(level)s kiểm tra và đề xuất lên hội đồng.",
              level=localized(COUNCIL_LEVEL_LABELS[app.council_level])), 409)


def quorum(level: CouncilLevel) -> int:
    """Score sheets a decision of the council at ``level`` needs (``COUNCIL_QUORUM``)."""
    from flask import current_app

    configured = current_app.config.get("COUNCIL_QUORUM") or {}
    if isinstance(configured, int):
        return max(1, configured)
    return max(1, int(configured.get(level.value, 3)))


def sheets_missing(app: RatingApplication) -> int:
    return max(0, quorum(app.council_level) - len(app.submitted_sheets()))


def check_quorum(app: RatingApplication) -> None:
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
    not_awaiting_proposal(app)
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
