from __future__ import annotations

from flask import Blueprint

from ..extensions import db
from ..public.catalogue import catalogue_page

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """The home page is the public catalogue (search, filters, product cards)."""
    return catalogue_page()


@bp.route("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
