"""``flask --app registry jobs worker``: run the background worker of this app's queue."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

jobs_cli = AppGroup("jobs", help="Background jobs (label files of large runs).")


@jobs_cli.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Jobs run at the same time (threads).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also start the nightly jobs (expiry reminders, open data). With several "
                   "workers on one queue, give all but one --no-periodic.")
@with_appcontext
def worker_command(workers, periodic):
    """Run jobs until stopped (Ctrl+C or SIGTERM finishes the running ones first)."""
    from . import queue

    huey = queue()
    if huey.immediate:
        raise click.ClickException("JOBS_URL is 'immediate': jobs run where they are queued")
    click.echo(f"Worker for {type(huey.storage).__name__} ({workers} thread(s)), "
               f"app {current_app.import_name}")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                    check_worker_health=True)
    consumer.run()
