"""The pure OCOP rules, tested without an application."""
from datetime import date
from decimal import Decimal

import pytest

from registry.ocop import rules
from registry.ocop.criteria import CRITERIA_SETS, Part, check_definition, criteria_set
from registry.ocop.rules import DecisionStatus


@pytest.mark.parametrize("points, stars", [
    ("0", 1), ("29.9", 1), ("29.99", 1), ("30", 2), ("49.99", 2), ("50", 3),
    ("69.5", 3), ("69.99", 3), ("70", 4), ("89.99", 4), ("90", 5), ("100", 5),
])
def test_star_band_from_points(points, stars):
    assert rules.stars_for_points(Decimal(points)) == stars


def test_star_band_accepts_floats_without_binary_rounding_surprises():
    assert rules.stars_for_points(69.5) == 3
    assert rules.stars_for_points(70.0) == 4


@pytest.mark.parametrize("points", ["-0.01", "100.01"])
def test_points_outside_the_sheet_are_refused(points):
    with pytest.raises(ValueError):
        rules.stars_for_points(points)


@pytest.mark.parametrize("decided, until", [
    (date(2023, 12, 28), date(2026, 12, 28)),
    (date(2020, 3, 10), date(2023, 3, 10)),
    (date(2024, 2, 29), date(2027, 2, 28)),  # leap day clamps to the month's end
    (date(2022, 10, 31), date(2025, 10, 31)),
])
def test_valid_until_is_36_months_after_the_decision(decided, until):
    assert rules.valid_until(decided) == until


def test_decision_status_is_derived_from_dates():
    decided, until = date(2023, 12, 28), date(2026, 12, 28)
    status = rules.decision_status
    assert status(decided, until, None, date(2026, 12, 28)) is DecisionStatus.VALID
    assert status(decided, until, None, date(2026, 12, 29)) is DecisionStatus.EXPIRED
    assert status(decided, until, None, date(2023, 12, 27)) is DecisionStatus.NOT_YET
    assert status(decided, until, date(2025, 1, 2), date(2025, 1, 2)) is DecisionStatus.REVOKED
    assert status(decided, until, date(2025, 1, 2), date(2025, 1, 1)) is DecisionStatus.VALID


def test_expiring_within_the_notice_period():
    until = date(2026, 12, 28)
    assert rules.expires_within(until, date(2026, 11, 28))
    assert not rules.expires_within(until, date(2026, 11, 27))
    assert not rules.expires_within(until, date(2026, 12, 29))


@pytest.mark.parametrize("definition", CRITERIA_SETS, ids=lambda d: d.key)
def test_criteria_sets_add_up_to_their_part_maxima(definition):
    check_definition(definition)


def test_part_maxima_of_each_set():
    old = criteria_set("1048/QĐ-TTg", "781/QĐ-TTg (2020)")
    new = criteria_set("148/QĐ-TTg", "1489/QĐ-TTg (2025)")
    assert [old.part_max[p] for p in Part] == [35, 25, 40]
    assert [new.part_max[p] for p in Part] == [40, 25, 35]
