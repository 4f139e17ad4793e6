"""Background jobs on a real queue (huey): label files of large runs, later mails and
exports.

One queue per app, chosen by ``JOBS_URL``:

* unset: a SQLite queue file in the instance folder (``instance/jobs.sqlite3``), the
  embedded default; ``scripts/start`` starts its worker beside the web server;
* ``redis://host:6379/0``: Redis, for production (several app processes and workers);
* ``immediate``: every job runs at once in the process that enqueues it (tests).

Workers run ``flask --app registry jobs worker``; each job runs inside an app context
of the worker's app, with its own database session.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

log = logging.getLogger(__name__)

#: name -> function, registered on every app's queue under the same name (the web
#: process enqueues by name, the worker finds the function by it).
TASKS: dict[str, Callable] = {}


def task(name: str):
    def register(fn: Callable) -> Callable:
        TASKS[name] = fn
        return fn
    return register


def make_queue(url: str | None, instance_path: str):
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    if url == "immediate":
        return MemoryHuey("registry", immediate=True, results=False)
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("registry", url=url, results=False)
    if url and url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
    elif url:
        raise ValueError(f"JOBS_URL {url!r}: use redis://…, sqlite:///path or immediate")
    else:
        path = str(Path(instance_path) / "jobs.sqlite3")
    return SqliteHuey("registry", filename=path, results=False, timeout=30)


def init_app(app: Flask) -> None:
    from .. import opendata  # noqa: F401 - registers the open data job
    from ..label_runs import files  # noqa: F401 - registers the label-file job
    from ..notifications import mail  # noqa: F401 - registers the mail job

    queue = make_queue(app.config.get("JOBS_URL"), app.instance_path)
    wrappers = {}
    for name, fn in TASKS.items():
        wrappers[name] = queue.task(name=name, context=False)(_in_app_context(app, fn))
    from huey import crontab

    from ..notifications.mail import daily_reminders

    # 00:00 UTC is 07:00 in Vietnam: producers are reminded of expiring decisions daily.
    queue.periodic_task(crontab(minute="0", hour="0"), name="notifications.expiring",
                        context=False)(_in_app_context(app, daily_reminders))
    from ..opendata import refresh

    # 19:30 UTC is 02:30 in Vietnam: the open data files are written again every night.
    queue.periodic_task(crontab(minute="30", hour="19"), name="opendata.nightly",
                        context=False)(_in_app_context(app, refresh))
    app.extensions["jobs"] = (queue, wrappers)
    from .cli import jobs_cli

    app.cli.add_command(jobs_cli)


def _in_app_context(app: Flask, fn: Callable) -> Callable:
    def run(*args, **kwargs):
        with app.app_context():
            return fn(*args, **kwargs)
    run.__name__ = fn.__name__
    return run


def queue():
    return current_app.extensions["jobs"][0]


def enqueue(name: str, *args) -> None:
    """Put job ``name`` on the queue (after the caller's commit: the job reads the rows
    the caller wrote)."""
    current_app.extensions["jobs"][1][name](*args)
