"""Faults answered cleanly (#13 item 5).

1. With the database refusing every connection, every page answers 503 with
   Retry-After for a signed-in producer, an administrator and an anonymous buyer (a
   scan among them), the error page needs no database, the log has one line for the
   outage and one for its end, and the same session works again once it is back.
2. A throwaway PostgreSQL of the test's own (own data folder and port) is stopped and
   started again under load, with gunicorn serving the registry: 503s during the outage,
   never a 500, recovery without restarting the app, every acknowledged write present,
   and one log line per outage burst rather than a traceback per request.
"""
from __future__ import annotations

import http.cookiejar
import logging
import os
import pwd
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from registry import create_app
from registry.errors import outage
from registry.extensions import db
from registry.models import Batch

from . import factories
from .conftest import PASSWORD, csrf_token
from .helpers import Gunicorn, free_port
from .public.scan.support import print_labels

ROOT = Path(__file__).resolve().parents[1]
UNAVAILABLE = "Cơ sở dữ liệu đang bận, vui lòng thử lại sau ít phút."


def _refuse_connections(*_args, **_kwargs):
    raise sqlite3.OperationalError("connection refused (the test's outage)")


def _login(client, login):
    page = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={"login": login, "password": PASSWORD,
                                         "csrf_token": csrf_token(page)})
    assert answer.status_code == 302, answer.status_code


def test_every_page_answers_503_without_the_database_and_works_again(app, caplog):
    from registry.public.scan.service import close as close_scan_connections

    with app.app_context():
        producer = factories.make_producer()
        factories.make_user("member.a", producer=producer)
        factories.make_user("admin", role="admin")
        product = factories.make_product(producer, gtin="8939999000017")
        batch = factories.make_batch(product, "L1")
        label = print_labels(batch, 1)[0]
        batch_id = batch.id
    member, admin, buyer = app.test_client(), app.test_client(), app.test_client()
    _login(member, "member.a")
    _login(admin, "admin")
    pages = {member: ["/", "/portal/", f"/portal/batches/{batch_id}", "/inbox/"],
             admin: ["/office/", "/office/audit"],
             buyer: ["/", "/page" + label]}
    for client, urls in pages.items():
        for url in urls:
            assert client.get(url).status_code in (200, 307), url
    token = csrf_token(buyer.get("/login").get_data(as_text=True))

    with app.app_context():
        event.listen(db.engine, "do_connect", _refuse_connections)
        db.engine.dispose()
    close_scan_connections(app)
    caplog.set_level(logging.WARNING, logger="registry.errors")
    try:
        for client, urls in pages.items():
            for url in urls:
                answer = client.get(url)
                assert answer.status_code == 503, (url, answer.status_code)
                assert answer.headers["Retry-After"] == "5"
                text = answer.get_data(as_text=True)
                assert UNAVAILABLE in text and "Mã lỗi 503" in text
                assert "Dữ liệu đã lưu trước đó không bị ảnh hưởng." in text
                assert "Đăng xuất" not in text  # nobody's session was loaded to draw it
        assert buyer.get("/login").status_code == 200  # pages that need no database
        assert buyer.get(label).status_code == 307  # the resolver checks the MAC alone
        refused = buyer.post("/login", data={"login": "member.a", "password": PASSWORD,
                                             "csrf_token": token})
        assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
    finally:
        with app.app_context():
            event.remove(db.engine, "do_connect", _refuse_connections)
    for client, urls in pages.items():
        for url in urls:
            assert client.get(url).status_code in (200, 307), url
    assert "Đăng xuất" in member.get("/portal/").get_data(as_text=True)  # still signed in
    lines = [r.getMessage() for r in caplog.records if r.name == "registry.errors"]
    assert len([m for m in lines if m.startswith("database unavailable")]) == 1, lines
    assert len([m for m in lines if m.startswith("database back after")]) == 1, lines
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert outage.since is None


# ----------------------------------------------- a real PostgreSQL, stopped under load

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class ThrowawayPostgres:
    """A PostgreSQL cluster in a folder of its own, on a port of its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run it as the postgres account
            account = pwd.getpwnam("postgres")
            os.chown(folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True,
                              timeout=120, check=check)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                  "postgres", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "-l",
                  str(self.folder / "server.log"), "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 "
                  f"-c unix_socket_directories={self.folder}", "start")

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop",
                  check=False)


class Member:
    """A producer's member at a browser: cookies, CSRF token, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect)

    def open(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=15) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")


@pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL 15 server missing")
def test_a_postgresql_outage_under_load_gives_503s_then_recovers_losing_nothing(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="registry-pg-outage-"))
    pg = ThrowawayPostgres(folder)
    server = None
    try:
        pg.init()
        pg.start()
        instance = tmp_path / "instance"
        config = {"DATABASE_URL": pg.url, "SECRET_KEY": "s" * 40, "TESTING": True,
                  "UPLOAD_FOLDER": str(instance / "uploads"), "JOBS_URL": "immediate"}
        setup = create_app(config)
        with setup.app_context():
            db.create_all()
            producer = factories.make_producer()
            factories.make_user("member.a", producer=producer)
            product_id = factories.make_product(producer).id
            db.engine.dispose()

        env = dict(os.environ, REGISTRY_DATABASE_URL=pg.url, REGISTRY_SECRET_KEY="s" * 40,
                   REGISTRY_INSTANCE_PATH=str(instance), REGISTRY_JOBS_URL="immediate",
                   REGISTRY_SESSION_COOKIE_SECURE="false",
                   REGISTRY_REMEMBER_COOKIE_SECURE="false")
        env.pop("REGISTRY_PUBLIC_BASE_URL", None)  # the server's own address
        log_path = tmp_path / "gunicorn.log"
        server = Gunicorn(env, workers=2, log_path=log_path).start()
        base = server.base

        acknowledged: list[str] = []
        answers: list[tuple[float, int, str | None, str]] = []
        stop = threading.Event()
        lock = threading.Lock()

        def load(worker: int) -> None:
            member = Member(base)
            _status, _h, page = member.open("/login")
            status, _h, _page = member.open("/login", {
                "login": "member.a", "password": PASSWORD, "csrf_token": csrf_token(page)})
            assert status == 302
            new_batch = f"/portal/products/{product_id}/batches/new"
            _s, _h, form = member.open(new_batch)
            token = csrf_token(form)
            n = 0
            while not stop.is_set():
                n += 1
                lot = f"T{worker}-{n}"
                status, headers, _body = member.open(new_batch, {
                    "csrf_token": token, "lot_code": lot, "quantity": "12,5", "unit": "kg"})
                if status == 400:
                    print("400:", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _body))[-600:])
                with lock:
                    answers.append((time.monotonic(), status, headers.get("Retry-After"),
                                    "write"))
                    if status == 302:
                        acknowledged.append(lot)
                for path in ("/portal/", "/"):
                    status, headers, _body = member.open(path)
                    with lock:
                        answers.append((time.monotonic(), status,
                                        headers.get("Retry-After"), path))
                time.sleep(0.02)

        threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        down_at = time.monotonic()
        pg.stop()
        time.sleep(2.5)
        restart_at = time.monotonic()
        pg.start()
        up_at = time.monotonic()
        time.sleep(3.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        end = time.monotonic()

        statuses = {status for _t, status, _r, _w in answers}
        assert 500 not in statuses and not any(s >= 500 and s != 503 for s in statuses), \
            statuses
        during = [a for a in answers if down_at + 0.3 < a[0] < restart_at]
        assert during and all(status == 503 for _t, status, _r, _w in during), \
            sorted({(a[1], a[3]) for a in during})
        assert all(retry == "5" for _t, status, retry, _w in answers if status == 503)
        before = [a for a in answers if a[0] < down_at]
        after = [a for a in answers if up_at + 1.5 < a[0] < end]
        assert before and all(status in (200, 302) for _t, status, _r, _w in before)
        assert after and all(status in (200, 302) for _t, status, _r, _w in after), \
            {a[1] for a in after}  # recovered, and nobody was signed out by the outage

        check = sa.create_engine(pg.url)
        with check.connect() as conn:
            stored = set(conn.execute(sa.select(Batch.__table__.c.lot_code)).scalars())
        check.dispose()
        assert acknowledged and set(acknowledged) <= stored, set(acknowledged) - stored
    finally:
        if server is not None:
            server.stop()
        pg.stop()
        shutil.rmtree(folder, ignore_errors=True)
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    burst_lines = re.findall(r"database unavailable", log)
    # one per worker process and burst (the stop may be seen as two: shutting down, gone)
    assert 1 <= len(burst_lines) <= 4, burst_lines
    assert len(re.findall(r"database back after", log)) >= 1


# ------------------------------------------------------- a locked SQLite database

@pytest.mark.skipif(bool(os.environ.get("REGISTRY_TEST_DATABASE_URL")),
                    reason="SQLite's write lock")
def test_a_locked_sqlite_database_answers_503_within_one_busy_timeout(app, monkeypatch):
    from registry import db_setup

    timeout_ms = 500
    monkeypatch.setattr(db_setup, "SQLITE_BUSY_TIMEOUT_MS", timeout_ms)
    with app.app_context():
        producer = factories.make_producer()
        factories.make_user("member.a", producer=producer)
        product_id = factories.make_product(producer).id
        path = db.engine.url.database
        db.engine.dispose()  # the next connections get the short timeout
    member = app.test_client()
    _login(member, "member.a")
    url = f"/portal/products/{product_id}/batches/new"
    token = csrf_token(member.get(url).get_data(as_text=True))
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        started = time.monotonic()
        answer = member.post(url, data={"csrf_token": token, "lot_code": "L1",
                                        "quantity": "3", "unit": "kg"})
        took = time.monotonic() - started
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert UNAVAILABLE in answer.get_data(as_text=True)
    assert took < 1.5 * timeout_ms / 1000 + 0.3, took  # one timeout, not two
    again = member.post(url, data={"csrf_token": token, "lot_code": "L1", "quantity": "3",
                                   "unit": "kg"})
    assert again.status_code == 302  # nothing was half-written: the lot is made now
