"""Who calls the API: the holder of a personal token (``Authorization: Bearer …``), or
nobody. A browser's session cookie never acts on the API (its writes take no CSRF
token, so a cookie must not be enough), and a token never opens a page of the site.

A token that is wrong or revoked is a 401 even on a public read: the caller meant to be
someone and is told at once, not after its first write.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import AnonymousUserMixin

from .. import web
from ..api_tokens import operations as tokens
from ..models import TokenScope

SCHEME = {"type": "http", "scheme": "bearer",
          "description": "A personal API token, made in the portal (Khoá API)"}
SECURITY = [{"token": []}]


def load_caller() -> None:
    """The API blueprint's before-request hook."""
    g._login_user = AnonymousUserMixin()  # Flask-Login's current_user for this request
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _sep, secret = header.strip().partition(" ")
    token = tokens.find(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None or not token.active or not token.user.is_active:
        abort(401)
    g.api_token, g._login_user = token, token.user
    web.attempt(lambda: tokens.note_use(token))  # at most once a minute writes anything


def forget_caller(_error=None) -> None:
    """The API blueprint's teardown: the caller was this request's alone (an app context
    shared by several requests, as in the tests, must not keep it)."""
    g.pop("_login_user", None)
    g.pop("api_token", None)


def needs(scope: TokenScope):
    """View decorator: a token in force (401) that allows ``scope`` (403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = g.get("api_token")
            if token is None:
                abort(401)
            if not token.allows(scope):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
