"""Accounts and roles."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..ocop.criteria import CouncilLevel
from .base import Base, CreatedMixin, DemoMixin, UTCDateTime, enum_type, localized

if TYPE_CHECKING:
    from .place import AdminUnit
    from .producer import Producer


class Role(enum.Enum):
    #: Member of one producer: keeps that producer's records.
    PRODUCER = "producer"
    #: Member of a council (commune, district, province or national): scores and decides.
    REVIEWER = "reviewer"
    #: The agriculture office's administrator: producers, accounts, everything.
    ADMIN = "admin"


ROLE_LABELS = {
    Role.PRODUCER: ("Thành viên chủ thể", "Producer member"),
    Role.REVIEWER: ("Thành viên hội đồng", "Council reviewer"),
    Role.ADMIN: ("Quản trị (văn phòng nông nghiệp)", "Administrator"),
}

MIN_PASSWORD_LENGTH = 10


def password_hash_method() -> str:
    """How passwords are hashed: werkzeug's scrypt. Only a testing app may pick another
    (``PASSWORD_HASH_METHOD``): the tests log in thousands of times and every scrypt hash
    costs 0.16 s there. Outside testing the setting is ignored, so no configuration can
    weaken the hashes of real accounts."""
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("TESTING"):
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class User(UserMixin, CreatedMixin, DemoMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role <> 'producer' OR producer_id IS NOT NULL",
                           name="producer_member_has_producer"),
        sa.CheckConstraint("role <> 'reviewer' OR council_level IS NOT NULL",
                           name="reviewer_has_council"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    producer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    #: A producer's manager adds and removes the producer's other members.
    is_manager: Mapped[bool] = mapped_column(default=False)
    council_level: Mapped[CouncilLevel | None] = mapped_column(enum_type(CouncilLevel))
    council_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_units.id", ondelete="RESTRICT")
    )
    #: Chairs the council of their level and unit: records its decisions.
    is_chair: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    #: Moves on at every logout: sessions and remember cookies made before stop working.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Language of the mails sent to the user ("vi" or "en").
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi")
    #: Kinds of notification the user turned off ("decision.made", ...).
    notifications_off: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    producer: Mapped[Producer | None] = relationship(back_populates="members")
    council_unit: Mapped[AdminUnit | None] = relationship()

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        # Changing the password, or logging out, changes the session id, which ends the
        # user's other sessions and remember cookies (copied cookies stop working).
        return f"{self.id}:{self.password_hash[-12:]}:{self.session_version}"

    def set_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def role_label(self) -> str:
        return localized(ROLE_LABELS[self.role])

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.login} {self.role.value}>"
