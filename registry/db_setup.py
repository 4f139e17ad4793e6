"""Per-connection database settings.

SQLite: WAL so readers never wait for the writer, foreign keys enforced (off by
default in SQLite), and a busy timeout so concurrent writers queue instead of failing.
The hot writers (the scan edge) also queue on :class:`SqliteWriterLock`, which wakes
them as soon as the database is free instead of after a busy handler's sleep.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref

from flask import Flask
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from .extensions import db

try:
    import fcntl
except ImportError:  # not on POSIX: SQLite's own busy handler queues the writers
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class SqliteWriterLock:
    """Queue this host's writers of one SQLite file on a file lock (``flock``).

    SQLite lets one writer at a time in; a second one gets SQLITE_BUSY and its busy
    handler *sleeps* (1 ms, then 2, 5, 10 …) before trying again. A scan's write takes
    well under 0.1 ms, so two gunicorn workers recording scans at once would spend more
    time asleep than writing. Taking this lock first makes the second writer wait in the
    kernel, which wakes it the moment the first one lets go. The lock file sits beside
    the database (``<database>-writer.lock``); the kernel drops a dead process's lock.

    A thread lock comes first because ``flock`` excludes open files, not threads: the
    threads of one process share the file. A forked child gets a fresh thread lock and
    opens the file again (sharing the parent's open file would exclude nothing).
    """

    def __init__(self, database_path: str) -> None:
        self.path = f"{database_path}-writer.lock"
        self._reset()
        _WRITER_LOCKS.add(self)

    def _reset(self) -> None:
        if getattr(self, "_fd", None) is not None:  # a forked child's copy of the file:
            os.close(self._fd)  # closing it leaves the parent's lock alone
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._unusable = False
        self.waited = 0.0

    def __enter__(self) -> SqliteWriterLock:
        started = time.monotonic()
        self._threads.acquire()
        try:
            if self._fd is None and not self._unusable:
                try:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                                       0o600)
                except OSError:  # a read-only folder, another owner: SQLite alone queues
                    log.warning("cannot open %s; writers fall back to SQLite's busy "
                                "handler", self.path, exc_info=True)
                    self._unusable = True
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        #: Seconds spent waiting for the lock (callers shorten their own timeouts by it).
        self.waited = time.monotonic() - started
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_WRITER_LOCKS: weakref.WeakSet[SqliteWriterLock] = weakref.WeakSet()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: [lock._reset() for lock in list(_WRITER_LOCKS)])


def writer_lock(engine: Engine) -> contextlib.AbstractContextManager:
    """The :class:`SqliteWriterLock` of a SQLite file database, else a no-op (PostgreSQL
    queues writers itself, without sleeping; an in-memory SQLite has one process)."""
    database = engine.url.database
    if (engine.dialect.name != "sqlite" or fcntl is None or not database
            or database == ":memory:" or database.startswith("file:")):
        return contextlib.nullcontext()
    return SqliteWriterLock(os.path.abspath(database))


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not getattr(engine, "_registry_pragmas", False):
            event.listen(engine, "connect", _sqlite_pragmas)
            engine._registry_pragmas = True  # type: ignore[attr-defined]

    @app.teardown_appcontext
    def _end_session(exc) -> None:
        """Close the request's session before Flask-SQLAlchemy does (teardowns run last
        registered first). A connection that died under the request (the database
        restarted) fails its closing ROLLBACK: it is dropped from the pool rather than
        turning an answer already made into a 500."""
        try:
            db.session.remove()
        except sa_exc.DBAPIError as error:
            try:
                db.session.registry().invalidate()
            except Exception:  # noqa: BLE001 - nothing more to save on this connection
                pass
            db.session.registry.clear()
            from .errors import outage

            outage.failed(error)
