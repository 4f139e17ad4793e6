"""SQLite writers on one host queue on a file lock instead of sleeping in SQLite's busy
handler (registry.db_setup.SqliteWriterLock)."""
from __future__ import annotations

import multiprocessing
import os
import threading
import time

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
