"""Public pages, no login: the label resolver, product pages and the catalogue."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import catalogue, resolver  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
