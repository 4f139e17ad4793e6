"""Queries over decisions that the office pages and exports share."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..models import RatingDecision


def current_valid_decisions(on: date) -> sa.Select:
    """Each product's newest decision dated on or before ``on``, when it is valid then."""
    newer = aliased(RatingDecision)
    return sa.select(RatingDecision).where(
        RatingDecision.decided_on <= on,
        RatingDecision.valid_until >= on,
        sa.or_(RatingDecision.revoked_on.is_(None), RatingDecision.revoked_on > on),
        ~sa.exists().where(newer.product_id == RatingDecision.product_id,
                           newer.decided_on > RatingDecision.decided_on,
                           newer.decided_on <= on),
    )
