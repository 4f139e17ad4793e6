"""Notifications: the registry's inbox and the mails that go with it.

``operations.notify`` writes a notification in the caller's transaction; once that
transaction commits, the mail is put on the job queue (``mail.send_notification``), so a
request never waits for an SMTP server and a rolled-back act tells nobody anything.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

_PENDING = "registry.notifications.pending"
_FLUSHED = "registry.notifications.flushed"


def _after_flush(session, _flush_context) -> None:
    from ..models import MailStatus, Notification

    for obj in session.new:
        if isinstance(obj, Notification) and obj.mail_status is MailStatus.QUEUED:
            session.info.setdefault(_FLUSHED, []).append(obj.id)


def _after_commit(session) -> None:
    ids = session.info.pop(_FLUSHED, None)
    if not ids or not has_app_context():
        return
    from ..jobs import enqueue

    for notification_id in ids:
        try:
            enqueue("notifications.mail", notification_id)
        except Exception:  # the queue is down: the inbox has it, the mail waits
            current_app.logger.exception("could not queue mail %s", notification_id)


def _after_rollback(session) -> None:
    session.info.pop(_FLUSHED, None)


def init_app(app: Flask) -> None:
    from flask_sqlalchemy.session import Session

    from ..extensions import mailer
    from . import mail as _mail_task  # noqa: F401 - registers the job
    from .cli import notifications_cli
    from .views import bp

    mailer.init_app(app)
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    app.register_blueprint(bp)
    app.cli.add_command(notifications_cli)

    @app.context_processor
    def unread_count():
        from .operations import unread_count as count

        return {"unread_notifications": count}
