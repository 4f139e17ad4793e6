"""What a scanned address points at, loaded once and kept per process.

:class:`Facts` holds, as plain values, everything the scan decides with: the product
and batch ids, the label runs (and the stars each run printed), the rating, the recall.
It is cached per process under the address's item key and lot, stamped with the public
version (``cache_state.public_version``) it was read at; every request compares that
stamp with the version it reads in its own transaction, so no request is ever answered
from data older than the last committed change.

:class:`Bundle` is the same address's ORM objects, loaded only when a page fragment has
to be rendered (see ``views``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...labels.links import LabelKey
from ...models import (
    PENDING_STATES,
    ApplicationState,
    Batch,
    BatchRecall,
    Certification,
    Product,
    ProductPhoto,
    RatingApplication,
    TraceEvent,
)
from ...ocop.rules import VN_TZ
from ..cache import VERSION_QUERY
from .rules import DecisionFacts, RatingFacts, rating_state


@dataclass(frozen=True)
class RunSpan:
    start: int
    end: int
    run_id: int
    #: The OCOP stars the run's labels carry (valid on the day it was ordered), or None,
    #: and the decision they came from.
    printed_stars: int | None
    printed_decision: DecisionFacts | None = None


@dataclass(frozen=True)
class RecallFacts:
    reason: str
    advice: str
    recalled_on: date


@dataclass(frozen=True)
class Facts:
    version: int
    today: date
    item_key: str
    product_id: int
    product_token: str
    gtin: str | None
    product_name_vi: str
    batch_id: int | None
    lot: str | None
    #: The address names a lot the registry does not know (walk-up to the product).
    lot_unknown: bool
    batch_expiry: date | None
    runs: tuple[RunSpan, ...]
    rating: RatingFacts
    recall: RecallFacts | None

    def run_for(self, seq: int) -> RunSpan | None:
        return next((r for r in self.runs if r.start <= seq < r.end), None)


@dataclass
class Bundle:
    """The ORM objects of one address (one request's session only)."""

    product: Product
    batch: Batch | None
    certifications: list[Certification] = field(default_factory=list)
    events: list[TraceEvent] = field(default_factory=list)
    #: The product page lists the product's recalled batches.
    recalled_batches: list[Batch] = field(default_factory=list)


def decision_facts(decision) -> DecisionFacts:
    return DecisionFacts(stars=decision.stars, number=decision.decision_number,
                         decided_on=decision.decided_on, valid_until=decision.valid_until,
                         revoked_on=decision.revoked_on,
                         revocation_reason=decision.revocation_reason)


def rating_facts(product: Product, today: date) -> RatingFacts:
    """The rating as of ``today``, from a product with decisions and applications loaded."""
    decision = product.current_decision(today)
    facts = decision_facts(decision) if decision is not None else None
    pending = any(a.state in PENDING_STATES for a in product.applications)
    rejected = any(a.state is ApplicationState.REJECTED for a in product.applications)
    return RatingFacts(rating_state(facts, pending=pending, rejected=rejected, today=today),
                       facts, pending, today)


def current_version() -> int:
    return db.session.execute(sa.select(VERSION_QUERY)).scalar() or 0


def _product(key: LabelKey) -> Product | None:
    column = Product.gtin if key.gtin14 is not None else Product.public_token
    return db.session.scalar(
        sa.select(Product).where(column == key.item_key).options(
            selectinload(Product.decisions),
            selectinload(Product.applications).load_only(RatingApplication.state),
            selectinload(Product.photos).selectinload(ProductPhoto.thumb),
            selectinload(Product.photos).selectinload(ProductPhoto.image)))


def load(key: LabelKey, today: date) -> tuple[Facts, Bundle] | None:
    """Read the address's facts at the current version; None for an unknown product."""
    version = current_version()
    product = _product(key)
    if product is None:
        return None
    batch = None
    if key.lot is not None:
        batch = db.session.scalar(
            sa.select(Batch).where(Batch.product_id == product.id, Batch.lot_code == key.lot)
            .options(selectinload(Batch.label_runs), selectinload(Batch.recalls)))
    runs: tuple[RunSpan, ...] = ()
    recall = None
    if batch is not None:
        runs = tuple(RunSpan(r.start_seq, r.end_seq, r.id, *_printed(product, r))
                     for r in batch.label_runs)
        active = batch.active_recall
        if active is not None:
            recall = RecallFacts(active.reason, active.advice, active.recalled_on)
    facts = Facts(version=version, today=today, item_key=key.item_key,
                  product_id=product.id, product_token=product.public_token,
                  gtin=product.gtin, product_name_vi=product.name_vi,
                  batch_id=batch.id if batch else None,
                  lot=key.lot, lot_unknown=key.lot is not None and batch is None,
                  batch_expiry=batch.expiry_date if batch else None, runs=runs,
                  rating=rating_facts(product, today), recall=recall)
    return facts, _bundle(product, batch)


def _printed(product: Product, run) -> tuple[int | None, DecisionFacts | None]:
    """The stars a run's labels carry and the decision they came from."""
    if run.printed_stars is not None:
        decision = next((d for d in product.decisions if d.id == run.printed_decision_id),
                        None)
        return (run.printed_stars or None,
                decision_facts(decision) if decision is not None else None)
    # runs ordered before the stars were recorded with them: those valid that day
    day = _vn_day(run.created_at)
    decision = product.current_decision(day)
    if decision is not None and decision_facts(decision).valid_on(day):
        return decision.stars, decision_facts(decision)
    return None, None


def _vn_day(moment: datetime | None) -> date:
    return (moment or datetime.now(VN_TZ)).astimezone(VN_TZ).date()


def _bundle(product: Product, batch: Batch | None) -> Bundle:
    certs = db.session.scalars(
        sa.select(Certification)
        .where(Certification.producer_id == product.producer_id,
               (Certification.product_id == product.id) | Certification.product_id.is_(None))
        .order_by(Certification.issued_on.desc())).all()
    events: list[TraceEvent] = []
    recalled: list[Batch] = []
    if batch is not None:
        events = list(db.session.scalars(
            sa.select(TraceEvent).where(TraceEvent.batch_id == batch.id)
            .options(selectinload(TraceEvent.corrected_by))
            .order_by(TraceEvent.event_time, TraceEvent.id)).all())
    else:
        recalled = list(db.session.scalars(
            sa.select(Batch).join(BatchRecall, BatchRecall.batch_id == Batch.id)
            .where(Batch.product_id == product.id, BatchRecall.lifted_at.is_(None))
            .options(selectinload(Batch.recalls)).order_by(Batch.lot_code)).all())
    return Bundle(product, batch, list(certs), events, recalled)


def bundle_for(facts: Facts) -> Bundle | None:
    """The ORM objects behind cached ``facts`` (to render a page fragment)."""
    product = db.session.scalar(
        sa.select(Product).where(Product.id == facts.product_id).options(
            selectinload(Product.decisions),
            selectinload(Product.applications).load_only(RatingApplication.state),
            selectinload(Product.photos).selectinload(ProductPhoto.thumb),
            selectinload(Product.photos).selectinload(ProductPhoto.image)))
    if product is None:
        return None
    batch = db.session.get(Batch, facts.batch_id) if facts.batch_id is not None else None
    return _bundle(product, batch)
