"""Personal API tokens: made, found, used and revoked (operations: they audit and never
commit; the caller commits once).

A token is ``ocop_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored, with its first 12 characters so that its owner can tell tokens apart; the token
itself is shown once, when it is made.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import audit
from ..exceptions import OperationRefused
from ..extensions import db
from ..models import ApiToken, Role, TokenScope, User
from ..models.base import utcnow

PREFIX = "ocop_"
SHOWN = 12
MAX_NAME = 80
#: A member keeps at most this many tokens in force.
MAX_ACTIVE = 20
#: ``last_used_at`` is written at most this often per token (not on every call).
USE_GRANULARITY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def may_hold_tokens(user: User) -> bool:
    """Members of a producer: the API's writes are the portal's."""
    return user.role is Role.PRODUCER and user.producer_id is not None


def create_token(user: User, *, name: str, scope: TokenScope) -> tuple[ApiToken, str]:
    """A new token for ``user``: (the record, the secret to show once)."""
    name = " ".join((name or "").split())
    if not name:
        raise OperationRefused(_("Đặt tên cho khoá để nhận ra nó sau này."))
    if len(name) > MAX_NAME:
        raise OperationRefused(_("Tên khoá dài tối đa %(n)s ký tự.", n=MAX_NAME))
    if not may_hold_tokens(user):
        raise OperationRefused(_("Chỉ thành viên của cơ sở sản xuất mới tạo được khoá API."),
                               403)
    active = db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))) or 0
    if active >= MAX_ACTIVE:
        raise OperationRefused(_("Bạn đã có %(n)s khoá đang dùng: thu hồi một khoá cũ trước.",
                                 n=MAX_ACTIVE), 409)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=secret[:SHOWN], token_hash=digest(secret),
                     scope=scope)
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.create", token, f"Tạo khoá API “{name}” ({scope.value})",
                 {"user_id": user.id, "scope": scope.value, "prefix": token.prefix},
                 actor=user)
    return token, secret


def revoke_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is not None:
        raise OperationRefused(_("Khoá này đã bị thu hồi."), 409)
    token.revoked_at = utcnow()
    audit.record("api_token.revoke", token, f"Thu hồi khoá API “{token.name}”",
                 {"user_id": token.user_id, "prefix": token.prefix}, actor=actor)


def find(secret: str) -> ApiToken | None:
    """The token with this secret, in force or not; None for a secret never issued."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))


def note_use(token: ApiToken) -> bool:
    """Record that the token was used now; True when that needs a commit."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < USE_GRANULARITY:
        return False
    token.last_used_at = now
    return True


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.revoked_at.is_not(None),
                                             ApiToken.created_at.desc(), ApiToken.id.desc())))
