"""The edge: anonymous label scans answered before Flask, from the scan caches.

A buyer's phone opening ``/01/{GTIN}/10/{lot}/21/{serial}`` is the registry's hottest
request. When everything the page needs is already cached by this process (the label's
target, the rendered page and its verdict forms, all at the current public version),
this WSGI layer verifies the serial, records the scan (three driver-level statements on
SQLite, one prepared libpq statement on PostgreSQL), and fills the verdict into the
cached page, without building a Flask request, session, locale or template context.
Anything else (a cache miss, a changed version, a cookie that may carry a login,
``?lang=`` or ``?linkType=``, a JSON client, an error) goes to Flask, whose answer is the
reference: the tests run both ways and expect the same page.
"""
from __future__ import annotations

import functools
import html
import logging
import re
from datetime import datetime, timezone
from urllib.parse import parse_qsl

from werkzeug.datastructures import LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header, parse_cookie

from ..db_setup import SQLITE_BUSY_TIMEOUT_MS, writer_lock
from ..labels.links import LabelAddressError, parse_label_path
from ..labels.serials import display, normalize_serial
from ..ocop.rules import today_vn
from ..templating import vn_datetime
from .clients import classify
from .fast import PLACE_CHECKS, PLACE_SEQ, PLACE_SERIAL, PLACE_WHEN
from .scans import (DEFAULT_WARNING_THRESHOLD, prepare_one_trip_pg, record_and_count,
                    record_one_trip_pg)

log = logging.getLogger(__name__)

LABEL_PATH = re.compile(r"^/(?:01|p)/[^/]+/10/[^/]+/21/[^/]+/?$")
OFFERED = ["text/html", "application/json", "application/linkset+json"]
LOGIN_COOKIES = ("session", "remember_token")


class ScanEdge:
    """WSGI middleware in front of ``app.wsgi_app``."""

    def __init__(self, app, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._engine = None
        self._writer_lock = None
        # Idle driver connections of the edge (list pop/append are atomic): taking one out
        # of SQLAlchemy's pool for every scan, with its reset on return, costs more than
        # the scan's own SQL.
        self._idle: list = []

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and LABEL_PATH.match(
                environ.get("PATH_INFO", "")):
            try:
                answer = self.serve(environ)
            except Exception:  # noqa: BLE001 - Flask answers instead, and logs its own errors
                log.exception("scan edge fell back to Flask")
                answer = None
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.wsgi_app(environ, start_response)

    def serve(self, environ):
        app = self.app
        caches = app.extensions.get("registry.scan_caches")
        if caches is None:
            return None
        cookies = parse_cookie(environ) if environ.get("HTTP_COOKIE") else {}
        if any(name in cookies for name in LOGIN_COOKIES):
            return None
        if _asks_for_flask(environ.get("QUERY_STRING", "")):
            return None
        if _best_type(environ.get("HTTP_ACCEPT")) != "text/html":
            return None
        try:
            key = parse_label_path(environ["PATH_INFO"])
        except LabelAddressError:
            return None
        target = caches.targets.peek((key.item_key, key.lot))
        if target is None:
            return None
        seq = caches.signer.verify(target.item_key, key.lot, key.serial)
        run_id = target.run_for(seq) if seq is not None else None
        if run_id is None:
            return None
        lang = _language(app, cookies, environ)
        parts = caches.pages.peek((target.product_id, target.batch_id, lang, today_vn(),
                                   target.version))
        if parts is None:
            return None
        client = classify(environ.get("HTTP_USER_AGENT"), accept=environ.get("HTTP_ACCEPT", ""),
                          purpose=environ.get("HTTP_SEC_PURPOSE") or environ.get("HTTP_PURPOSE", ""))
        history = self._record(target, run_id, normalize_serial(key.serial), seq, client)
        if history is None:
            return None  # the public data changed: Flask rebuilds the caches
        body = (parts.head + _verdict(parts.verdicts, history, key.serial, seq, app)
                + parts.tail).encode()
        base = app.config["PUBLIC_BASE_URL"].rstrip("/")
        path = environ["PATH_INFO"].rstrip("/")
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Link", f'<{base}{path}?linkType=linkset>; rel="linkset"; '
                     'type="application/linkset+json"'),
            ("Cache-Control", "no-store"),
            ("Vary", "Accept, Accept-Language, Cookie"),
            ("X-Registry-Path", "edge"),
        ]
        return "200 OK", headers, body

    def _take(self):
        """An idle driver connection of the edge, or a new one."""
        try:
            return self._idle.pop()
        except IndexError:
            if self._engine is None:
                from ..extensions import db

                with self.app.app_context():
                    engine = db.engine
                self._writer_lock = writer_lock(engine)
                self._engine = engine
            pooled = self._engine.raw_connection()  # made with the engine's settings …
            driver = pooled.dbapi_connection
            # … then the edge's own: it takes no slot of SQLAlchemy's pool (Flask's
            # requests keep all of it) and never goes back to it, so the settings below
            # can never leak into a Flask request.
            pooled.detach()
            if self._engine.dialect.name == "postgresql":
                try:
                    driver.autocommit = True  # one statement, one round trip
                    # A scan is a log line: after a crash the last fraction of a second
                    # of scans may be missing, but nothing is ever half-written, and no
                    # scan waits for a disk flush. Only the edge's own connections do it.
                    driver.execute("SET synchronous_commit = off")
                    prepare_one_trip_pg(driver.pgconn)
                except BaseException:
                    _drop(driver)
                    raise
            return driver

    def _record(self, target, run_id, serial, seq, client):
        driver = self._take()
        if self._engine.dialect.name == "postgresql":
            try:
                history = record_one_trip_pg(
                    driver.pgconn, version=target.version, batch_id=target.batch_id,
                    run_id=run_id, serial=serial, seq=seq, client=client,
                    at=datetime.now(timezone.utc))
            except BaseException:
                _drop(driver)  # broken, or interrupted mid-way: not reused
                raise
            self._idle.append(driver)
            return history
        try:
            with self._writer_lock as lock:
                waited = getattr(lock, "waited", 0.0)
                if waited > BUDGET_SLACK:
                    _set_busy_timeout(driver, SQLITE_BUSY_TIMEOUT_MS - waited * 1000)
                history, version = record_and_count(
                    driver, "sqlite", batch_id=target.batch_id, run_id=run_id,
                    serial=serial, seq=seq, client=client, at=datetime.now(timezone.utc))
                if version != target.version:
                    driver.rollback()
                    history = None
                else:
                    driver.commit()
                if waited > BUDGET_SLACK:
                    _set_busy_timeout(driver, SQLITE_BUSY_TIMEOUT_MS)
        except BaseException:
            _drop(driver)  # a broken connection is not reused
            raise
        self._idle.append(driver)
        return history

    def close(self) -> None:
        """Close the edge's connections (tests, worker shutdown)."""
        while self._idle:
            _drop(self._idle.pop())


def _drop(driver) -> None:
    try:
        driver.close()
    except Exception:  # noqa: BLE001 - already dead: nothing to give back
        log.warning("scan edge: closing a broken connection", exc_info=True)


#: A scan that waited longer than this for the writer lock gets only what is left of the
#: busy timeout for SQLite's own lock, so queued scans never wait a full timeout each.
BUDGET_SLACK = 0.05


def _set_busy_timeout(driver, milliseconds: float) -> None:
    driver.execute(f"PRAGMA busy_timeout={max(0, int(milliseconds))}")


def _asks_for_flask(query: str) -> bool:
    """``?lang=`` or ``?linkType=`` in the query (label addresses carry only AIs there,
    such as ``?17=281105``). A plain substring test suffices unless names are
    percent-encoded; it may send a few odd queries to Flask, never the reverse."""
    if "%" in query:
        names = dict(parse_qsl(query, keep_blank_values=True))
        return "lang" in names or "linkType" in names
    return "lang" in query or "linkType" in query


def _language(app, cookies, environ) -> str:
    """The same choice as ``registry.i18n.select_locale`` (``?lang=`` never reaches here)."""
    languages = app.config["LANGUAGES"]
    chosen = cookies.get("lang")
    if chosen in languages:
        return chosen
    return _best_language(environ.get("HTTP_ACCEPT_LANGUAGE"), tuple(languages))


@functools.lru_cache(maxsize=512)
def _best_type(header: str | None) -> str | None:
    """Werkzeug's content negotiation, memoised: phones send a handful of Accept values."""
    return parse_accept_header(header, MIMEAccept).best_match(OFFERED)


@functools.lru_cache(maxsize=512)
def _best_language(header: str | None, languages: tuple[str, ...]) -> str:
    accept = parse_accept_header(header, LanguageAccept)
    return accept.best_match(languages) or languages[0]


def _verdict(forms, history, serial, seq, app) -> str:
    threshold = app.config.get("SCAN_WARNING_THRESHOLD", DEFAULT_WARNING_THRESHOLD)
    if history.checks > threshold:
        form = forms["warning"]
    elif history.checks <= 1:
        form = forms["first"]
    else:
        form = forms["repeat"]
    when = vn_datetime(history.first_checked_at)
    return (form.replace(str(PLACE_CHECKS), str(history.checks))
            .replace(str(PLACE_SEQ + 1), str(seq + 1))
            .replace(PLACE_SERIAL, html.escape(display(serial)))
            .replace(PLACE_WHEN, when))
