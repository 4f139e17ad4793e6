"""What a product page shows, loaded in a few queries: the view model of the scan page."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..labels.links import LabelKey
from ..models import (Batch, Certification, Product, ProductPhoto, ProductStatus,
                      RatingApplication, TraceEvent)
from ..models.product import RatingSummary, rating_summary
from ..ocop.rules import today_vn


@dataclass
class ProductPage:
    product: Product
    rating: RatingSummary
    certifications: list[Certification]
    batch: Batch | None = None
    events: list[TraceEvent] = field(default_factory=list)
    today: date = field(default_factory=today_vn)

    @property
    def history(self):
        """Earlier decisions, newest first (re-ratings keep them)."""
        current = self.rating.decision
        return [d for d in self.product.decisions if current is None or d.id != current.id]


def find_product(key: LabelKey) -> Product | None:
    query = db.select(Product).options(
        selectinload(Product.decisions),
        selectinload(Product.applications).load_only(RatingApplication.state),
        selectinload(Product.photos).selectinload(ProductPhoto.thumb),
    )
    if key.gtin14 is not None:
        query = query.where(Product.gtin == key.gtin14)
    else:
        query = query.where(Product.public_token == key.product_code)
    return db.session.scalar(query)


def find_batch(product: Product, lot: str) -> Batch | None:
    return db.session.scalar(
        db.select(Batch).where(Batch.product_id == product.id, Batch.lot_code == lot))


def load_page(product: Product, batch: Batch | None) -> ProductPage:
    today = today_vn()
    certs = db.session.scalars(
        db.select(Certification)
        .where(Certification.producer_id == product.producer_id,
               (Certification.product_id == product.id) | Certification.product_id.is_(None))
        .order_by(Certification.issued_on.desc())
    ).all()
    events: list[TraceEvent] = []
    if batch is not None:
        events = db.session.scalars(
            db.select(TraceEvent).where(TraceEvent.batch_id == batch.id)
            .order_by(TraceEvent.event_time, TraceEvent.id)
        ).all()
    return ProductPage(product=product, rating=rating_summary(product, today),
                       certifications=list(certs), batch=batch, events=list(events),
                       today=today)


def is_public(product: Product) -> bool:
    """Archived products still answer their labels (they were sold), with a note."""
    return product.status in (ProductStatus.ACTIVE, ProductStatus.ARCHIVED)
