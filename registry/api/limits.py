"""The API's rate limit: per client address, ``API_RATE_LIMIT`` (Flask-Limiter syntax).

A client over the limit gets a 429 problem with ``Retry-After``; the limit is checked by
the view's decorator, as everywhere in the registry (``create_app`` drops the limiter's
global hook).
"""
from __future__ import annotations

from flask import current_app

from ..extensions import limiter

DEFAULT_LIMIT = "600 per minute"


def _limit() -> str:
    return current_app.config.get("API_RATE_LIMIT") or DEFAULT_LIMIT


#: One budget per client for the whole API, not one per endpoint.
limited = limiter.shared_limit(_limit, scope="api")
