"""``flask --app registry open-data export DIR`` (any folder) and ``open-data refresh``
(``OPEN_DATA_DIR``, as the nightly job does)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..ocop.rules import today_vn

open_data_cli = AppGroup("open-data", help="Open data files of the public catalogue.")


def _summary(package: dict) -> str:
    tables = {r["name"].rsplit("-", 1)[0]: r["rows"] for r in package["resources"]}
    return ", ".join(f"{n} {name}" for name, n in tables.items())


@open_data_cli.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_command(folder: Path):
    """Write the CSV and JSON files, the data dictionary and the licence into FOLDER
    (replaced whole)."""
    from .export import export

    package = export(folder, today=today_vn(),
                     base=current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    click.echo(f"{folder}: {_summary(package)}")


@open_data_cli.command("refresh")
def refresh_command():
    """Write today's files where /du-lieu-mo serves them from (OPEN_DATA_DIR)."""
    from . import refresh

    package = refresh()
    click.echo(f"{current_app.config['OPEN_DATA_DIR']}: {_summary(package)}")
