"""Large label runs through a real job queue and a real worker process (SQLite queue,
the embedded default, and Redis, production's), and the finished file downloaded by a
slow client from gunicorn, resumed with a range request after a broken connection."""
from __future__ import annotations

import http.cookiejar
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from registry import jobs
from registry.extensions import db
from registry.label_runs import files
from registry.label_runs.operations import order_label_run
from registry.models import LabelFile, LabelFileStatus

from .. import factories
from ..conftest import PASSWORD, csrf_token
from ..helpers import Gunicorn
from ..labels.support import decode_pdf

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
COUNT = 1_200


def _env(app) -> dict:
    env = dict(os.environ)
    env.update({
        "REGISTRY_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REGISTRY_SECRET_KEY": app.config["SECRET_KEY"],
        "REGISTRY_LABEL_SIGNING_KEY": app.config["LABEL_SIGNING_KEY"],
        "REGISTRY_PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
        "REGISTRY_JOBS_URL": app.config["JOBS_URL"],
        "REGISTRY_LABEL_FILES_DIR": app.config["LABEL_FILES_DIR"],
        "REGISTRY_INSTANCE_PATH": app.instance_path,
        # the labels say https://…, but this server is reached over plain http: its
        # cookies must not be Secure, or the client would never send them back
        "REGISTRY_SESSION_COOKIE_SECURE": "false",
        "REGISTRY_REMEMBER_COOKIE_SECURE": "false",
    })
    return env


def _use_queue(app, url: str):
    app.config["JOBS_URL"] = url
    jobs.init_app(app)
    return jobs.queue()


@pytest.fixture
def batch(producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     gtin="8939999000055")
    return factories.make_batch(product, "NR2611")


def _wait_done(file_id: int, seconds: float = 120) -> LabelFile:
    deadline = time.monotonic() + seconds
    seen_progress = set()
    while time.monotonic() < deadline:
        db.session.expire_all()
        label_file = db.session.get(LabelFile, file_id)
        seen_progress.add(label_file.done)
        if not label_file.pending:
            return label_file
        time.sleep(0.2)
    raise AssertionError(f"label file still {label_file.status} after {seconds} s")


def _run_through_worker(app, batch, url: str) -> LabelFile:
    queue = _use_queue(app, url)
    queue.flush()
    run = order_label_run(batch, count=COUNT, layout="a4-3x8")
    db.session.commit()
    label_file, queued = files.request_file(run, "pdf")
    db.session.commit()
    assert queued
    files.start(label_file)
    db.session.expire_all()
    assert db.session.get(LabelFile, label_file.id).status is LabelFileStatus.QUEUED
    worker = subprocess.Popen([FLASK, "--app", "registry", "jobs", "worker"], cwd=ROOT,
                              env=_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        done = _wait_done(label_file.id)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert done.status is LabelFileStatus.DONE, (done.error, output)
    return done


def _check_file(app, label_file: LabelFile) -> bytes:
    data = (Path(app.config["LABEL_FILES_DIR"]) / label_file.filename).read_bytes()
    assert len(data) == label_file.size and label_file.done == COUNT
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == COUNT // 24
    assert not list(Path(app.config["LABEL_FILES_DIR"]).glob("*.part"))
    return data


def test_a_worker_on_the_sqlite_queue_makes_a_large_run(app, app_ctx, batch, tmp_path):
    done = _run_through_worker(app, batch, f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    data = _check_file(app, done)
    assert len(set(decode_pdf(data))) == COUNT


def test_a_worker_on_redis_makes_a_large_run(app, app_ctx, batch):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.fail("Redis is not running on 127.0.0.1:6379")
    done = _run_through_worker(app, batch, "redis://127.0.0.1:6379/15")
    _check_file(app, done)


# ------------------------------------------------------ a slow phone, via gunicorn


def _opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _login(opener, base: str, login: str) -> None:
    page = opener.open(base + "/login").read().decode()
    data = urllib.parse.urlencode({"login": login, "password": PASSWORD,
                                   "csrf_token": csrf_token(page)}).encode()
    opener.open(base + "/login", data=data).read()


def _slow_read(response, limit: int | None = None, piece: int = 8 * 1024,
               pause: float = 0.1) -> bytes:
    got = bytearray()
    while limit is None or len(got) < limit:
        chunk = response.read(piece)
        if not chunk:
            break
        got += chunk
        time.sleep(pause)
    return bytes(got)


def test_a_slow_client_downloads_a_finished_file_whole_and_resumes_a_broken_download(
        app, app_ctx, batch, producer_user):
    run = order_label_run(batch, count=COUNT, layout="a4-3x8")
    db.session.commit()
    label_file, _ = files.request_file(run, "pdf")
    db.session.commit()
    files.start(label_file)  # immediate queue: made now
    db.session.expire_all()
    label_file = db.session.get(LabelFile, label_file.id)
    expected = (Path(app.config["LABEL_FILES_DIR"]) / label_file.filename).read_bytes()
    timeout = 2
    with Gunicorn(_env(app), workers=1, timeout=timeout) as server:
        opener = _opener()
        _login(opener, server.base, "member.a")
        url = f"{server.base}/portal/label-runs/{run.id}/labels.pdf"
        started = time.monotonic()
        whole = _slow_read(opener.open(url))
        took = time.monotonic() - started
        assert took > 2 * timeout, f"not slow enough to prove anything: {took:.1f} s"
        assert whole == expected
        # a connection broken half-way resumes where it stopped
        half = _slow_read(opener.open(url), limit=len(expected) // 2)
        request = urllib.request.Request(url, headers={"Range": f"bytes={len(half)}-"})
        rest = opener.open(request)
        assert rest.status == 206
        assert half + rest.read() == expected
    log = server.log
    assert "WORKER TIMEOUT" not in log, log
    assert re.search(r"Booting worker", log)
