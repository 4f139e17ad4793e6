"""The pure rules of the scan: rating states, the order of findings, GS1 dates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.public.scan.rules import (
    DecisionFacts,
    Finding,
    LabelFacts,
    RatingFacts,
    RatingState,
    parse_yymmdd,
    rating_state,
    verdict_findings,
)

TODAY = date(2026, 12, 1)


def _decision(decided: date, until: date, revoked: date | None = None) -> DecisionFacts:
    return DecisionFacts(4, "1/QĐ", decided, until, revoked)


@pytest.mark.parametrize("decision, pending, rejected, state", [
    (_decision(date(2025, 1, 1), date(2028, 1, 1)), False, False, RatingState.VALID),
    (_decision(date(2024, 1, 1), TODAY + timedelta(days=90)), False, False, RatingState.EXPIRING),
    (_decision(date(2024, 1, 1), TODAY + timedelta(days=91)), False, False, RatingState.VALID),
    (_decision(date(2024, 1, 1), TODAY), False, False, RatingState.EXPIRING),
    (_decision(date(2023, 1, 1), TODAY - timedelta(days=1)), True, False, RatingState.EXPIRED),
    (_decision(date(2025, 1, 1), date(2028, 1, 1), TODAY), True, False, RatingState.REVOKED),
    (_decision(date(2025, 1, 1), date(2028, 1, 1), TODAY + timedelta(days=1)), False, False,
     RatingState.VALID),
    (None, True, True, RatingState.PENDING),
    (None, False, True, RatingState.REJECTED),
    (None, False, False, RatingState.NONE),
])
def test_rating_states(decision, pending, rejected, state):
    assert rating_state(decision, pending=pending, rejected=rejected, today=TODAY) is state


def _label(**kw) -> LabelFacts:
    decision = _decision(date(2025, 1, 1), date(2028, 1, 1))
    base = dict(printed_stars=4, rating=RatingFacts(RatingState.VALID, decision, False, TODAY),
                recalled=False, batch_expiry=date(2027, 6, 1), address_expiry=date(2027, 6, 1),
                address_expiry_given=True, clients=1, warning_threshold=5)
    base.update(kw)
    return LabelFacts(**base)


def test_a_genuine_label_with_nothing_to_say():
    assert verdict_findings(_label()) == [Finding.GENUINE]


def test_findings_come_in_the_order_a_buyer_must_read_them():
    revoked = RatingFacts(RatingState.REVOKED, _decision(date(2025, 1, 1), date(2028, 1, 1),
                                                         TODAY), False, TODAY)
    facts = _label(recalled=True, rating=revoked, batch_expiry=date(2026, 11, 30),
                   address_expiry=date(2029, 1, 1), clients=6)
    assert verdict_findings(facts) == [Finding.RECALLED, Finding.STARS_VOID,
                                       Finding.BATCH_EXPIRED, Finding.EXPIRY_MISMATCH,
                                       Finding.MANY_CLIENTS]


def test_stars_are_void_only_when_the_label_printed_some():
    expired = RatingFacts(RatingState.EXPIRED, _decision(date(2022, 1, 1), date(2025, 1, 1)),
                          False, TODAY)
    assert Finding.STARS_VOID in verdict_findings(_label(rating=expired))
    assert verdict_findings(_label(rating=expired, printed_stars=None)) == [Finding.GENUINE]


def test_an_address_without_expiry_never_mismatches_and_one_without_batch_expiry_does():
    assert verdict_findings(_label(address_expiry=None, address_expiry_given=False)) == [
        Finding.GENUINE]
    assert verdict_findings(_label(batch_expiry=None)) == [Finding.EXPIRY_MISMATCH]


def test_the_warning_is_about_more_distinct_clients_than_the_threshold():
    assert verdict_findings(_label(clients=5)) == [Finding.GENUINE]
    assert verdict_findings(_label(clients=6)) == [Finding.MANY_CLIENTS]


@pytest.mark.parametrize("text, day", [("281105", date(2028, 11, 5)),
                                       ("260200", date(2026, 2, 28)),
                                       ("280200", date(2028, 2, 29)),
                                       ("991231", date(1999, 12, 31)),
                                       ("291399", None), ("2811", None), ("28110A", None),
                                       ("270231", None)])
def test_gs1_expiry_dates(text, day):
    assert parse_yymmdd(text) == day
