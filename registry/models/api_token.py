"""Personal API tokens: a member's key to the API's writes, shown once, stored hashed."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Base
from .base import CreatedMixin, UTCDateTime, enum_type

if TYPE_CHECKING:
    from .user import User


class TokenScope(enum.Enum):
    #: Reads only (what the public reads, and nothing more yet).
    READ = "read"
    #: Also writes: products, batches, trace events, label runs.
    WRITE = "write"


class ApiToken(CreatedMixin, Base):
    """The token itself is never stored: only its SHA-256 (a random 256-bit secret
    needs no slow hash) and its first characters, so its owner can tell tokens apart."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: TokenScope) -> bool:
        return self.active and (scope is TokenScope.READ or self.scope is TokenScope.WRITE)
