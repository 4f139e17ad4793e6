"""Recording a scan: one transaction against the address's facts (the scan, the label's
counts, the public version), retried once on reloaded facts when the version moved.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import request

from ... import db_setup
from ...db_setup import writer_lock
from ...extensions import db
from ...labels.links import LabelKey
from ...labels.serials import normalize_serial
from ...models import ClientClass
from ..clients import classify
from . import service as service_connections
from .checks import LabelHistory, client_hash, record_scan
from .facts import reload_facts
from .service import ScanService, service

#: A scan that waited longer than this (seconds) for the writer lock gets only what is
#: left of the busy timeout.
BUDGET_SLACK = 0.05


#: What :func:`record_label` answers, without ``reload``, when the facts are not current.
STALE = "stale"


def visit_of(svc: ScanService, remote_addr: str | None, user_agent: str, accept: str,
             purpose: str) -> tuple[ClientClass, str]:
    """Who is scanning: their class (phone, browser, bot, API) and keyed client hash."""
    kind = classify(user_agent, accept=accept, purpose=purpose)
    return kind, client_hash(svc.client_key, remote_addr, user_agent)


def _client() -> tuple[ClientClass, str]:
    return visit_of(service(), request.remote_addr, request.user_agent.string,
                    request.headers.get("Accept", ""),
                    request.headers.get("Sec-Purpose") or request.headers.get("Purpose", ""))


def record_label(svc: ScanService, key: LabelKey, seq: int, facts, bundle, today,
                  client: ClientClass | None = None, *, visit=None, record: bool | None = None,
                  reload: bool = True):
    """Record the scan against the cached facts. When the public version moved since
    they were read, undo, reload them once and record against the reloaded facts,
    whatever the version is by then: an edit elsewhere (another product, a busy office)
    must never make a scan fail, and facts read in this request are current enough for
    the ids a scan row needs. None: the serial was never printed. Without ``reload``
    (outside Flask's request cycle: the front), :data:`STALE` when the facts would have
    had to be reloaded, with nothing written."""
    kind, client_id = visit if visit is not None else _client()
    if record is None:
        record = request.method != "HEAD"
    if client is not None:
        kind = ClientClass.BOT if kind is ClientClass.BOT else client
    fresh = bundle is not None
    while True:
        run = facts.run_for(seq)
        if run is None:
            if fresh:
                return None  # signed, but never printed: not issued by the registry
        else:
            history = _write_scan(svc, facts, run, key, seq, kind, client_id,
                                  check_version=not fresh, record=record)
            if history is not None:
                return facts, bundle, run, history, kind
        if not reload:
            return STALE
        facts, bundle = reload_facts(svc, key, today)
        if facts is None:
            return facts, bundle, None, None, kind
        fresh = True


def _write_scan(svc, facts, run, key, seq, kind, client_id,
                check_version: bool = True, record: bool = True) -> LabelHistory | None:
    """One transaction: the scan, the counts, the version. None (rolled back) when
    ``check_version`` and the version differs from the facts'.

    On SQLite the writers of this host queue on a file lock first (``db_setup``), which
    wakes the next one at once instead of after SQLite's busy-handler sleep; a scan that
    waited there gets only what is left of the busy timeout, so scans queued behind a
    long-locked database give up together within one timeout (503, retry)."""
    engine = svc.engine
    if engine is None:
        engine = svc.engine = db.engine
    if svc.writer_lock is None:
        svc.writer_lock = writer_lock(engine)
    dialect = engine.dialect.name
    driver = service_connections.take(svc, engine)
    try:
        with svc.writer_lock as lock:
            waited = getattr(lock, "waited", 0.0) if dialect == "sqlite" else 0.0
            if waited > BUDGET_SLACK:
                _busy_timeout(driver, db_setup.SQLITE_BUSY_TIMEOUT_MS - waited * 1000)
            try:
                history, version = record_scan(
                    driver, dialect, batch_id=facts.batch_id, run_id=run.run_id,
                    serial=normalize_serial(key.serial), seq=seq, client=kind,
                    client_id=client_id, at=datetime.now(timezone.utc), window=svc.window,
                    record=record,
                    expected_version=facts.version if check_version else None)
                if check_version and version != facts.version:
                    driver.rollback()
                    history = None
                else:
                    driver.commit()
            except BaseException:
                driver.rollback()
                raise
            finally:
                if waited > BUDGET_SLACK:
                    _busy_timeout(driver, db_setup.SQLITE_BUSY_TIMEOUT_MS)
    except BaseException:
        service_connections.drop(driver)  # broken, or interrupted mid-way: not reused
        raise
    service_connections.give(svc, driver)
    return history


def _busy_timeout(driver, milliseconds: float) -> None:
    try:
        driver.execute(f"PRAGMA busy_timeout={max(0, int(milliseconds))}")
    except Exception:  # noqa: BLE001 - a dead connection: the pool replaces it
        pass
