from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Producer, Product, ProductStatus
from ..models.product import rating_summary
from ..ocop.rules import today_vn

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    page = request.args.get("page", 1, type=int)
    query = (
        db.select(Product)
        .where(Product.status == ProductStatus.ACTIVE)
        .options(selectinload(Product.decisions), selectinload(Product.applications))
        .order_by(Product.search_text, Product.id)
    )
    products = db.paginate(query, page=page, per_page=current_app.config["PRODUCTS_PER_PAGE"],
                           error_out=False)
    today = today_vn()
    rows = [(p, rating_summary(p, today)) for p in products.items]
    producer_count = db.session.scalar(db.select(db.func.count(Producer.id)))
    return render_template("main/index.html", products=products, rows=rows,
                           producer_count=producer_count, today=today)


@bp.route("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
