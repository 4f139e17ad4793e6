"""Public pages, no login: the label resolver, product pages and the catalogue."""
import logging

from flask import Blueprint
from werkzeug.routing import BaseConverter

# gs1-compression logs every address it cannot expand at ERROR level, under the logger
# literally named "__name__"; an unknown one-segment path is a 404 here, not an error.
logging.getLogger("__name__").setLevel(logging.CRITICAL)

bp = Blueprint("public", __name__)


class GS1CompressedConverter(BaseConverter):
    """One path segment of base64url characters: a compressed GS1 Digital Link."""

    regex = r"[A-Za-z0-9_-]{8,}"
    weight = 300  # after every literal route


@bp.record_once
def _converters(state) -> None:
    state.app.url_map.converters["gs1compressed"] = GS1CompressedConverter


from . import catalogue  # noqa: E402,F401  (routes register on bp)
from .scan import views  # noqa: E402,F401

__all__ = ["bp"]
