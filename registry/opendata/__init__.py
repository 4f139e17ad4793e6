"""Open data: the public catalogue as files anyone may reuse (CC BY 4.0), written by
``flask --app registry open-data export DIR`` and, every night, by the job queue into
``OPEN_DATA_DIR``, whose latest files ``/du-lieu-mo`` lists."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from ..jobs import task

REFRESH = "opendata.refresh"


def refresh() -> dict:
    """The job: today's files into ``OPEN_DATA_DIR``."""
    from ..ocop.rules import today_vn
    from .export import export

    return export(Path(current_app.config["OPEN_DATA_DIR"]), today=today_vn(),
                  base=current_app.config["PUBLIC_BASE_URL"].rstrip("/"))


task(REFRESH)(refresh)


def init_app(app: Flask) -> None:
    from . import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.open_data_cli)
