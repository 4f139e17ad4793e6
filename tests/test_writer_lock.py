"""SQLite writers on one host queue on a file lock instead of sleeping in SQLite's busy
handler (registry.db_setup.SqliteWriterLock)."""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from registry.db_setup import SqliteWriterLock, writer_lock

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX file locks")

HOLD = 0.3


def _child_waits(lock: SqliteWriterLock, started, waited) -> None:
    started.set()
    t0 = time.monotonic()
    with lock:
        waited.value = time.monotonic() - t0


def test_a_second_process_waits_until_the_first_lets_go(tmp_path):
    lock = SqliteWriterLock(str(tmp_path / "registry.sqlite3"))
    context = multiprocessing.get_context("fork")
    started, waited = context.Event(), context.Value("d", -1.0)
    with lock:  # held while the child is forked: the child must still wait its turn
        child = context.Process(target=_child_waits, args=(lock, started, waited))
        child.start()
        assert started.wait(10)
        time.sleep(HOLD)
    child.join(10)
    assert child.exitcode == 0
    assert waited.value >= HOLD * 0.8  # it did wait for the parent …
    assert waited.value < 5  # … and was woken when the parent let go, not much later
    assert (tmp_path / "registry.sqlite3-writer.lock").exists()


def test_threads_of_one_process_take_turns(tmp_path):
    lock = SqliteWriterLock(str(tmp_path / "db.sqlite3"))
    inside, overlaps = [0], []

    def write():
        for _ in range(200):
            with lock:
                inside[0] += 1
                overlaps.append(inside[0])
                inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(overlaps) == 800 and set(overlaps) == {1}


def test_an_error_inside_releases_the_lock(tmp_path):
    lock = SqliteWriterLock(str(tmp_path / "db.sqlite3"))
    with pytest.raises(RuntimeError), lock:
        raise RuntimeError("boom")
    acquired = []
    t = threading.Thread(target=lambda: acquired.append(lock.__enter__()))
    t.start()
    t.join(5)
    assert acquired == [lock]
    lock.__exit__(None, None, None)


def test_only_sqlite_files_get_a_lock(tmp_path):
    file_engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    memory_engine = sa.create_engine("sqlite://")
    pg_engine = sa.create_engine("postgresql+psycopg://u@127.0.0.1/db")
    assert isinstance(writer_lock(file_engine), SqliteWriterLock)
    assert not isinstance(writer_lock(memory_engine), SqliteWriterLock)
    assert not isinstance(writer_lock(pg_engine), SqliteWriterLock)


def test_scans_queued_behind_a_locked_database_give_up_within_one_timeout(
        app, client, monkeypatch, tmp_path):
    """Something outside the scan path (a long job) holds SQLite's write lock past the
    busy timeout. Scans queued on the writer lock must not each wait a full timeout in
    turn: they all answer 503 "busy, retry" within about two timeouts, and nothing is
    written."""
    import sqlite3
    import threading
    from urllib.parse import urlsplit

    from registry import db_setup
    from registry.extensions import db as _db
    from registry.label_runs.operations import order_label_run, print_job, signer
    from registry.models import Scan

    from . import factories

    with app.app_context():
        if _db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's lock")
        producer = factories.make_producer(code="htx-lock")
        product = factories.make_product(producer, gtin="8939999000031")
        factories.make_decision(product, date(2026, 1, 5))
        run = order_label_run(factories.make_batch(product, "LK01"), count=1,
                              layout="a4-3x8")
        _db.session.commit()
        path = "/page" + urlsplit(next(print_job(run).contents(signer())).url).path
        database = _db.engine.url.database
    phone = {"User-Agent": "Mozilla/5.0 (iPhone; Mobile)", "Accept": "text/html"}
    assert client.get(path, headers=phone).status_code == 200  # caches warm
    timeout_ms = 400
    monkeypatch.setattr(db_setup, "SQLITE_BUSY_TIMEOUT_MS", timeout_ms)
    from registry.public.scan.service import close as close_scan_connections

    close_scan_connections(app)
    with app.app_context():  # the next connections get the short timeout
        _db.engine.dispose()
    blocker = sqlite3.connect(database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock
    statuses, elapsed = [], []

    def scan():
        with app.test_client() as c:
            started = time.monotonic()
            response = c.get(path, headers=phone)
            elapsed.append(time.monotonic() - started)
            statuses.append((response.status_code, response.headers.get("Retry-After")))

    threads = [threading.Thread(target=scan) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert statuses == [(503, "5")] * 4
    # at most one timeout, shared by the queue, and some slack for the threads
    assert max(elapsed) < 2 * timeout_ms / 1000 + 0.5, elapsed
    with app.app_context():
        assert _db.session.scalar(_db.select(_db.func.count(Scan.id))) == 1
