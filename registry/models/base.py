"""Shared column types and helpers for the typed models."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Base, db

__all__ = ["Base", "db", "UTCDateTime", "localized", "enum_type", "utcnow", "new_token",
           "TOKEN_ALPHABET", "CreatedMixin", "DemoMixin"]

#: Upper-case letters and digits without look-alikes (no 0/O, 1/I): 32 symbols, 5 bits each.
TOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_token(length: int = 10) -> str:
    """Unguessable public token: ``length`` symbols of 5 bits (10 → 50 bits)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


def localized(pair: tuple[str, str]) -> str:
    """The (Vietnamese, English) label for the page's language; Vietnamese elsewhere
    (commands, exports, audit summaries)."""
    from flask import has_request_context

    from ..i18n import current_lang

    lang = current_lang()  # chosen for the request (registry.i18n)
    if lang is None and has_request_context():
        from flask_babel import get_locale

        lang = str(get_locale())
    return pair[1] if lang == "en" else pair[0]


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def enum_type(enum_cls: type[enum.Enum]) -> sa.Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, storing the values."""
    return sa.Enum(
        enum_cls,
        name=enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DemoMixin:
    #: Invented record loaded by ``flask demo``; pages show it as demo data.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
