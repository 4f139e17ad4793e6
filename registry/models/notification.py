"""Notifications: what a user is told, in the registry's inbox and by e-mail.

A notification is written in the same transaction as the act it reports (a decision,
a return, a recall); its mail is sent afterwards by the job queue, never by the request.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, utcnow
from .user import User


class MailStatus(enum.Enum):
    #: The user has no address, or turned mails of this kind off.
    NONE = "none"
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_inbox", "user_id", "read_at"),
        # A reminder (decision expiring in 90 days) is sent once per user and decision.
        sa.UniqueConstraint("user_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: "application.queued", "decision.made", ... (``registry.notifications.KINDS``)
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    #: Path of the page it is about ("/office/applications/3").
    path: Mapped[str | None] = mapped_column(sa.String(300))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mail_status: Mapped[MailStatus] = mapped_column(enum_type(MailStatus),
                                                    default=MailStatus.NONE)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mail_error: Mapped[str | None] = mapped_column(sa.String(300))

    user: Mapped[User] = relationship()
