"""Star bands, decision validity and rating status.

Points are Decimals compared with >= / < so that a score such as 69.5 has a band.
"""
from __future__ import annotations

import calendar
import enum
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: A recognised rating is valid 36 months from its decision date.
VALIDITY_MONTHS = 36
#: The issuing body notifies producers this many days before expiry.
EXPIRY_NOTICE_DAYS = 30

#: (stars, lowest points of the band), highest first. Same cut points in both sets.
STAR_BANDS: tuple[tuple[int, Decimal], ...] = (
    (5, Decimal(90)),
    (4, Decimal(70)),
    (3, Decimal(50)),
    (2, Decimal(30)),
    (1, Decimal(0)),
)
MAX_POINTS = Decimal(100)


def today_vn() -> date:
    """Today's date in Vietnam: decisions are dated in local time."""
    return datetime.now(VN_TZ).date()


def stars_for_points(points: Decimal | int | float | str,
                     bands: tuple[tuple[int, Decimal], ...] = STAR_BANDS) -> int:
    """Star band for a total score out of 100 (29.9 → 1★, 30 → 2★, 70 → 4★, 90 → 5★)."""
    value = Decimal(str(points))
    if value < 0 or value > MAX_POINTS:
        raise ValueError(f"points must be between 0 and 100, got {value}")
    for stars, lowest in bands:
        if value >= lowest:
            return stars
    raise AssertionError("unreachable: the lowest band starts at 0")


def band_floor(stars: int) -> Decimal:
    return dict(STAR_BANDS)[stars]


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (29 Feb → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def valid_until(decided_on: date) -> date:
    """Last day a decision counts: 36 months after its date."""
    return add_months(decided_on, VALIDITY_MONTHS)


class DecisionStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET = "not_yet"  # dated in the future


def decision_status(
    decided_on: date, until: date, revoked_on: date | None, on: date
) -> DecisionStatus:
    """Status of a decision on a given day, derived from its dates (no job needed)."""
    if revoked_on is not None and revoked_on <= on:
        return DecisionStatus.REVOKED
    if on < decided_on:
        return DecisionStatus.NOT_YET
    if on > until:
        return DecisionStatus.EXPIRED
    return DecisionStatus.VALID


def expires_within(until: date, on: date, days: int = EXPIRY_NOTICE_DAYS) -> bool:
    return on <= until and (until - on).days <= days


def stars_text(stars: int) -> str:
    return "★" * stars + "☆" * (5 - stars)
