"""The producer portal's home: the member's products and where each stands."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Product,
    ProductStatus,
    Role,
)
from ..models.product import rating_summary
from ..ocop.rules import today_vn
from ..permissions import Perm, requires

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.route("/")
@requires(Perm.PRODUCT_EDIT)
def home():
    query = (db.select(Product).where(Product.status == ProductStatus.ACTIVE)
             .options(selectinload(Product.decisions), selectinload(Product.applications))
             .order_by(Product.search_text))
    if current_user.role is Role.PRODUCER:
        query = query.where(Product.producer_id == current_user.producer_id)
    products = db.session.scalars(query).all()
    today = today_vn()
    return render_template("portal/home.html", today=today,
                           rows=[(p, rating_summary(p, today)) for p in products])
