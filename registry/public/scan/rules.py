"""What a scan page must say, as pure rules (no Flask, no database).

Two questions are answered here for every public page that shows a product:

* :func:`rating_statement`: the one sentence about the product's OCOP rating. Every
  page (scan page, product page, batch page, catalogue card) says exactly this one
  statement for a product's state, and nothing that contradicts it.
* :func:`verdict_findings`: what the buyer of a labelled item must learn, most urgent
  first: a recall; stars printed on the label that are void; a batch past its expiry
  date; an expiry in the address that differs from the batch's; a label looked at by
  many different clients; else a genuine label. (A serial the registry never issued
  gets its own 404 page before any of this.)
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ...ocop.rules import DecisionStatus, decision_status, expires_within

#: A valid rating that ends within this many days is said to expire soon.
EXPIRING_DAYS = 90
#: Repeated loads by one client within this window count as one check.
DEFAULT_CHECK_WINDOW = timedelta(minutes=30)
#: Above this many distinct clients the page warns that the label may have been copied.
DEFAULT_WARNING_THRESHOLD = 5


class RatingState(enum.Enum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"
    PENDING = "pending"
    REJECTED = "rejected"
    NONE = "none"

    @property
    def has_stars(self) -> bool:
        return self in (RatingState.VALID, RatingState.EXPIRING)


@dataclass(frozen=True)
class DecisionFacts:
    """The parts of a rating decision the public pages need, as plain values."""

    stars: int
    number: str
    decided_on: date
    valid_until: date
    revoked_on: date | None = None
    revocation_reason: str | None = None

    def valid_on(self, day: date) -> bool:
        return decision_status(self.decided_on, self.valid_until, self.revoked_on,
                               day) is DecisionStatus.VALID


@dataclass(frozen=True)
class RatingFacts:
    """A product's rating as of ``today``: its state and the decision it rests on."""

    state: RatingState
    decision: DecisionFacts | None
    #: A (re-)rating application waiting for a council.
    pending: bool
    today: date

    @property
    def days_left(self) -> int | None:
        if self.decision is None or not self.state.has_stars:
            return None
        return (self.decision.valid_until - self.today).days


def rating_state(decision: DecisionFacts | None, *, pending: bool, rejected: bool,
                 today: date) -> RatingState:
    """Valid (or expiring) first; then the expired or revoked decision, said plainly even
    while a re-rating waits; then pending, rejected, or never rated."""
    if decision is not None:
        status = decision_status(decision.decided_on, decision.valid_until,
                                 decision.revoked_on, today)
        if status is DecisionStatus.REVOKED:
            return RatingState.REVOKED
        if status is DecisionStatus.EXPIRED:
            return RatingState.EXPIRED
        if status is DecisionStatus.VALID:
            if expires_within(decision.valid_until, today, EXPIRING_DAYS):
                return RatingState.EXPIRING
            return RatingState.VALID
    if pending:
        return RatingState.PENDING
    if rejected:
        return RatingState.REJECTED
    return RatingState.NONE


class Finding(enum.Enum):
    """What the scan page says about a label, in the order a buyer must read it."""

    RECALLED = "recalled"
    STARS_VOID = "stars_void"
    BATCH_EXPIRED = "batch_expired"
    EXPIRY_MISMATCH = "expiry_mismatch"
    MANY_CLIENTS = "many_clients"
    GENUINE = "genuine"

    @property
    def severity(self) -> str:
        """``danger`` (red), ``warning`` (amber) or ``ok`` (green)."""
        if self is Finding.RECALLED:
            return "danger"
        return "ok" if self is Finding.GENUINE else "warning"


@dataclass(frozen=True)
class LabelFacts:
    """What is known about one scanned, issued label."""

    #: Stars the label carries: those valid on the day its run was ordered (or None).
    printed_stars: int | None
    rating: RatingFacts
    recalled: bool
    batch_expiry: date | None
    #: The expiry date written in the address (``?17=YYMMDD``), if any.
    address_expiry: date | None
    address_expiry_given: bool
    clients: int
    warning_threshold: int


def stars_void(facts: LabelFacts) -> bool:
    """The label shows stars that the product no longer holds: none now, or another
    number (a re-rating to fewer or more stars)."""
    if facts.printed_stars is None:
        return False
    rating = facts.rating
    return not rating.state.has_stars or rating.decision.stars != facts.printed_stars


def void_reason(printed: DecisionFacts | None, rating: RatingFacts) -> str:
    """Why the printed stars are void, about the decision they came from: "revoked",
    "expired", "changed" (the product now holds another number of stars) or "none"
    (it holds none, and the printing decision is not known)."""
    if printed is not None:
        status = decision_status(printed.decided_on, printed.valid_until, printed.revoked_on,
                                 rating.today)
        if status is DecisionStatus.REVOKED:
            return "revoked"
        if status is DecisionStatus.EXPIRED:
            return "expired"
    return "changed" if rating.state.has_stars else "none"


def verdict_findings(facts: LabelFacts) -> list[Finding]:
    """Every finding that holds, most urgent first; GENUINE only when nothing else does."""
    found = []
    if facts.recalled:
        found.append(Finding.RECALLED)
    if stars_void(facts):
        found.append(Finding.STARS_VOID)
    if facts.batch_expiry is not None and facts.batch_expiry < facts.rating.today:
        found.append(Finding.BATCH_EXPIRED)
    if facts.address_expiry_given and facts.address_expiry != facts.batch_expiry:
        found.append(Finding.EXPIRY_MISMATCH)
    if facts.clients > facts.warning_threshold:
        found.append(Finding.MANY_CLIENTS)
    return found or [Finding.GENUINE]


def parse_yymmdd(text: str) -> date | None:
    """A GS1 AI (17) date: YYMMDD, DD 00 meaning the last day of the month; the century
    follows GS1's sliding window (-49/+50 years around ``today``'s year). None if bad."""
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        return None
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    this_year = datetime.now().year
    century = this_year // 100 * 100
    year = century + yy
    if year - this_year > 50:
        year -= 100
    elif this_year - year > 49:
        year += 100
    if not 1 <= mm <= 12:
        return None
    try:
        if dd == 0:
            next_month = date(year + (mm == 12), mm % 12 + 1, 1)
            return next_month - timedelta(days=1)
        return date(year, mm, dd)
    except ValueError:
        return None
