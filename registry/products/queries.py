"""Reads of products shared by the portal's pages."""
from __future__ import annotations

from flask_login import current_user

from ..extensions import db
from ..models import Product, ProductStatus, Role


def own_products() -> list[Product]:
    """The active products the signed-in member works on (all of them for the office and
    administrators), in name order."""
    query = (db.select(Product).where(Product.status == ProductStatus.ACTIVE)
             .order_by(Product.search_text))
    if current_user.role is Role.PRODUCER:
        query = query.where(Product.producer_id == current_user.producer_id)
    return db.session.scalars(query).all()
