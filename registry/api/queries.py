"""What the public API reads: the same public scope as the pages.

Only listed products (not archived) are public, and with them their producers,
decisions, certifications, batches, events and recalls. A producer with no listed
product is not in the API, as it is on no public page.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..labels.gs1 import GtinError, normalize_gtin
from ..models import (
    AdminUnit,
    Batch,
    BatchRecall,
    Certification,
    Producer,
    Product,
    RatingDecision,
    TraceEvent,
)
from ..public.catalogue import Filters, listed_products, search_conditions, search_query

#: A product's answer lists at most this many batches, newest first.
BATCHES_PER_PRODUCT = 50


def _product_options():
    return (selectinload(Product.decisions), selectinload(Product.applications))


def _paged(query, page: int, per_page: int, count_of) -> tuple[list, int]:
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(count_of.subquery())) or 0
    items = list(db.session.scalars(
        query.limit(per_page).offset((page - 1) * per_page)).unique()) if total else []
    return items, total


def products(args: dict, today: date) -> tuple[list[Product], int]:
    q, words = search_query(args.get("q") or "")
    filters = Filters(q=q, words=words, stars=args.get("stars"), group=args.get("group"))
    conditions = search_conditions(filters, today)
    if args.get("commune"):
        conditions.append(Product.producer_id.in_(
            sa.select(Producer.id).join(AdminUnit, Producer.commune_id == AdminUnit.id)
            .where(AdminUnit.code == args["commune"])))
    if args.get("gtin"):
        try:
            conditions.append(Product.gtin == normalize_gtin(args["gtin"]))
        except GtinError:
            conditions.append(sa.false())  # a GTIN that cannot exist names nothing
    base = sa.select(Product).where(*conditions)
    query = base.options(*_product_options()).order_by(Product.search_text, Product.id)
    return _paged(query, args["page"], args["per_page"], base.with_only_columns(Product.id))


def product(token: str) -> Product | None:
    return db.session.scalar(
        sa.select(Product).where(Product.public_token == token, listed_products())
        .options(*_product_options()))


def product_certifications(product: Product) -> list[Certification]:
    """The producer's certifications for this product or for all its products."""
    return list(db.session.scalars(
        sa.select(Certification)
        .where(Certification.producer_id == product.producer_id,
               (Certification.product_id == product.id) | Certification.product_id.is_(None))
        .order_by(Certification.issued_on.desc(), Certification.id)))


def product_batches(product: Product) -> list[Batch]:
    return list(db.session.scalars(
        sa.select(Batch).where(Batch.product_id == product.id)
        .options(selectinload(Batch.recalls))
        .order_by(Batch.created_at.desc(), Batch.id.desc()).limit(BATCHES_PER_PRODUCT)))


def _public_producers():
    return Producer.id.in_(sa.select(Product.producer_id).where(listed_products()))


def producers(page: int, per_page: int) -> tuple[list[Producer], int]:
    base = sa.select(Producer).where(_public_producers())
    query = base.order_by(Producer.name, Producer.id)
    return _paged(query, page, per_page, base.with_only_columns(Producer.id))


def producer(code: str) -> Producer | None:
    return db.session.scalar(
        sa.select(Producer).where(Producer.code == code, _public_producers()))


def producer_products(producer: Producer) -> list[Product]:
    return list(db.session.scalars(
        sa.select(Product).where(Product.producer_id == producer.id, listed_products())
        .options(*_product_options()).order_by(Product.search_text, Product.id)))


def producer_certifications(producer: Producer) -> list[Certification]:
    return list(db.session.scalars(
        sa.select(Certification).where(Certification.producer_id == producer.id)
        .order_by(Certification.issued_on.desc(), Certification.id)))


def decisions(status: str, page: int, per_page: int, today: date):
    in_force = sa.and_(RatingDecision.decided_on <= today, RatingDecision.valid_until >= today,
                       sa.or_(RatingDecision.revoked_on.is_(None),
                              RatingDecision.revoked_on > today))
    past = sa.or_(RatingDecision.valid_until < today, RatingDecision.revoked_on <= today)
    conditions = [RatingDecision.product_id.in_(
        sa.select(Product.id).where(listed_products()))]
    if status == "valid":
        conditions.append(in_force)
    elif status == "past":
        conditions.append(past)
    base = sa.select(RatingDecision).where(*conditions)
    query = base.options(selectinload(RatingDecision.product)).order_by(
        RatingDecision.decided_on.desc(), RatingDecision.id.desc())
    return _paged(query, page, per_page, base.with_only_columns(RatingDecision.id))


def batch(token: str, lot: str) -> Batch | None:
    return db.session.scalar(
        sa.select(Batch).join(Product, Batch.product_id == Product.id)
        .where(Product.public_token == token, Batch.lot_code == lot, listed_products())
        .options(selectinload(Batch.events).selectinload(TraceEvent.corrected_by),
                 selectinload(Batch.events).selectinload(TraceEvent.commune),
                 selectinload(Batch.recalls), selectinload(Batch.product)
                 .selectinload(Product.decisions),
                 selectinload(Batch.product).selectinload(Product.applications)))


def recalls(active: bool, page: int, per_page: int):
    conditions = [BatchRecall.batch_id.in_(
        sa.select(Batch.id).join(Product, Batch.product_id == Product.id)
        .where(listed_products()))]
    if active:
        conditions.append(BatchRecall.lifted_at.is_(None))
    base = sa.select(BatchRecall).where(*conditions)
    query = base.options(selectinload(BatchRecall.batch)).order_by(
        BatchRecall.recalled_on.desc(), BatchRecall.id.desc())
    return _paged(query, page, per_page, base.with_only_columns(BatchRecall.id))
