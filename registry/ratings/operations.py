"""Rating operations. Each checks the rules, writes its audit entry, and never commits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from .. import audit
from ..exceptions import OperationRefused
from ..extensions import db
from ..models import (ApplicationState, CriteriaSet, Criterion, Product, RatingApplication,
                      RatingDecision, User)
from ..ocop import rules
from ..ocop.criteria import (COUNCIL_LEVEL_LABELS, CRITERIA_SETS, MIN_RECOGNISED_STARS,
                             CouncilLevel, CriteriaSetDef, Part)


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
            f"Chỉ công nhận sản phẩm OCOP từ {MIN_RECOGNISED_STARS} đến 5 sao.")
    if points is not None:
        band = rules.stars_for_points(points)
        if stars > band:
            raise OperationRefused(
                f"{points} điểm chỉ đạt hạng {band} sao; không thể công nhận {stars} sao "
                f"(cần từ {rules.band_floor(stars)} điểm).")
    required = CouncilLevel(criteria_set.award_levels[str(stars)])
    if level is not required:
        raise OperationRefused(
            f"Theo bộ tiêu chí {criteria_set.label}, hạng {stars} sao do hội đồng "
            f"{COUNCIL_LEVEL_LABELS[required][0]} công nhận, không phải "
            f"{COUNCIL_LEVEL_LABELS[level][0]}.", 403)


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
        raise OperationRefused("Phải ghi rõ lý do thu hồi.")
    if decision.revoked_on is not None:
        raise OperationRefused("Quyết định này đã bị thu hồi.", 409)
    if on < decision.decided_on:
        raise OperationRefused("Ngày thu hồi không thể trước ngày quyết định.")
    decision.revoked_on = on
    decision.revocation_reason = reason
    decision.revoked_by_id = actor.id if actor else None
    audit.record("decision.revoke", decision,
                 f"Thu hồi quyết định {decision.decision_number} ({decision.stars} sao)",
                 {"reason": reason, "revoked_on": on}, actor=actor, actor_label=actor_label)
