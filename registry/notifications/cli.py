"""``flask notifications``: reminders that no request triggers."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from ..extensions import db
from ..ocop.rules import today_vn

notifications_cli = AppGroup("notifications", help="Notifications and their mails.")


@notifications_cli.command("expiring")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Day to remind for (default: today in Vietnam).")
def expiring(on) -> None:
    """Remind producers of decisions ending in 90 and 30 days (each reminder once).

    The job worker runs this every day at 07:00; the command is for a cron without it."""
    from .operations import expiry_reminders

    day: date = on.date() if on else today_vn()
    sent = expiry_reminders(day)
    db.session.commit()
    click.echo(f"{sent} nhắc hạn đã ghi")
