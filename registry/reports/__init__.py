"""Buyers report a suspected fake: a public form (no account, no JavaScript) and the
queues where the producer and the agriculture office read and handle the reports."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, bind the rate limiter and give templates the count of new
    reports (the portal home links the queue with it)."""
    from ..extensions import limiter
    from . import operations, views

    if limiter not in app.extensions.get("limiter", ()):
        limiter.init_app(app)  # one shared Limiter; each app gets its own storage
    app.register_blueprint(views.bp)

    def new_report_count() -> int:
        from flask_login import current_user

        from ..permissions import Perm, can

        return operations.new_report_count(current_user) if can(Perm.REPORT_VIEW) else 0

    app.jinja_env.globals["new_report_count"] = new_report_count
