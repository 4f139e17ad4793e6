"""Per-process state of the scan path: the caches, the serial signer, the client key.

One :class:`ScanService` per application (and so per database), kept in
``app.extensions``. Everything in it is plain values, safe to share between requests and
threads; nothing in it is trusted without the public version check (see ``snapshot``).
"""
from __future__ import annotations

import logging
import weakref
from datetime import timedelta

from flask import current_app

from ...labels.serials import SerialSigner, derive_key
from ..cache import LRU
from .checks import client_key


class ScanService:
    def __init__(self, config) -> None:
        self.signer = SerialSigner(derive_key(config["LABEL_SIGNING_KEY"]))
        self.client_key = client_key(config["SECRET_KEY"])
        self.window = timedelta(minutes=int(config.get("CHECK_WINDOW_MINUTES", 30)))
        self.threshold = int(config.get("SCAN_WARNING_THRESHOLD", 5))
        self.base = config["PUBLIC_BASE_URL"].rstrip("/")
        #: (item key, lot) -> Facts at the newest version this process has seen.
        self.facts = LRU(8192)
        #: (item key, lot, lang, version, day) -> rendered head and body of the page.
        self.fragments = LRU(1024)
        #: (item key, lot, lang, version, day, query) -> the page's top and bottom
        #: (head, header, footer) for visitors who are not signed in.
        self.shells = LRU(1024)
        #: (shell key, serial, the verdict's values) -> the page's content block, so a
        #: reload by a client already counted renders nothing.
        self.contents = LRU(2048)
        #: Item keys (GTIN or product code) known to exist, so the resolver's redirect
        #: costs no database read. A key is added after one lookup; a deleted product
        #: still redirects, and its page answers 404.
        self.known_items: set[tuple[str, str]] = set()
        self._known_at = 0
        self.writer_lock = None
        #: The app's engine, once a scan was recorded through Flask (the front records
        #: scans outside an app context).
        self.engine = None
        #: Idle DB-API connections for recording scans (list pop/append are atomic).
        self._idle: list = []
        self._finalizer = weakref.finalize(self, _close_all, self._idle)

    def saw_version(self, version: int) -> None:
        """Forget the known item keys once any request has seen newer public data, so a
        deleted product stops redirecting as soon as this process notices."""
        if version > self._known_at:
            self.known_items.clear()
            self._known_at = version


def service() -> ScanService:
    svc = current_app.extensions.get("registry.scan")
    if svc is None:
        svc = ScanService(current_app.config)
        current_app.extensions["registry.scan"] = svc
    return svc


log = logging.getLogger(__name__)


# DB-API connections of one process for recording scans, outside the ORM session.
#
# A scan's write is three or four tiny statements; going through the request's ORM
# session (checkout from the pool, transaction bookkeeping, reset on return) cost more
# than the statements (benchmarks/README.md). These connections are made with the
# engine's settings (SQLite's pragmas, PostgreSQL's options), then detached from the
# pool, so nothing set on them can reach a Flask request's connection. On PostgreSQL
# they commit with ``synchronous_commit = off``: after a crash the last fraction of a
# second of scans may be missing from the log, never half-written.


def take(svc: ScanService, engine):
    try:
        return svc._idle.pop()
    except IndexError:
        pooled = engine.raw_connection()
        driver = pooled.dbapi_connection
        pooled.detach()
        if engine.dialect.name == "postgresql":
            try:
                with driver.cursor() as cursor:
                    cursor.execute("SET synchronous_commit = off")
                driver.commit()
            except BaseException:
                drop(driver)
                raise
        return driver


def give(svc: ScanService, driver) -> None:
    svc._idle.append(driver)


def drop(driver) -> None:
    try:
        driver.close()
    except Exception:  # noqa: BLE001 - already dead
        log.warning("scan connection: closing a broken connection", exc_info=True)


def _close_all(idle: list) -> None:
    while idle:
        drop(idle.pop())


VERSION_SQL = "SELECT public_version FROM cache_state WHERE id = 1"


def public_version(svc: ScanService) -> int:
    """``cache_state.public_version``, read on one of the scan connections (no ORM
    session, no pool checkout): what every cached page is checked against."""
    from ...extensions import db

    driver = take(svc, db.engine)
    try:
        cursor = driver.cursor()
        try:
            cursor.execute(VERSION_SQL)
            row = cursor.fetchone()
        finally:
            cursor.close()
        driver.rollback()  # end the read (PostgreSQL opened a transaction for it)
    except BaseException:
        drop(driver)
        raise
    give(svc, driver)
    return row[0] if row else 0


def close(app) -> None:
    """Close this application's scan connections (tests, worker shutdown)."""
    svc = app.extensions.get("registry.scan")
    if svc is not None:
        _close_all(svc._idle)
