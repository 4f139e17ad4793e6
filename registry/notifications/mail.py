"""The job that mails one notification (run by the worker, after the act committed)."""
from __future__ import annotations

from flask import current_app
from flask_mailman import EmailMessage

from ..extensions import db
from ..jobs import task
from ..models import MailStatus, Notification
from ..models.base import utcnow


def mail_text(notification: Notification) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    en = notification.user.locale == "en"
    lines = [notification.body, ""]
    if notification.path:
        lines += [("Open: " if en else "Xem: ") + base + notification.path, ""]
    lines.append("To stop these mails, turn this kind off in your notification settings: "
                 if en else "Để không nhận loại thư này, tắt nó trong phần cài đặt thông báo: ")
    lines.append(base + "/inbox/settings")
    return "\n".join(lines)


@task("notifications.mail")
def send_notification(notification_id: int) -> None:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.mail_status is not MailStatus.QUEUED:
        return
    message = EmailMessage(subject=notification.subject, body=mail_text(notification),
                           to=[notification.user.email])
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - SMTP refused or unreachable: said on the inbox entry
        notification.mail_status = MailStatus.FAILED
        notification.mail_error = f"{type(error).__name__}: {error}"[:300]
        current_app.logger.warning("mail %s failed: %s", notification_id, error)
    else:
        notification.mail_status = MailStatus.SENT
        notification.mailed_at = utcnow()
    db.session.commit()


def daily_reminders() -> None:
    """The worker's daily job: decisions ending in 90 and 30 days (each reminder once)."""
    from ..ocop.rules import today_vn
    from .operations import expiry_reminders

    expiry_reminders(today_vn())
    db.session.commit()
