"""Scan benchmark: the label address under load, as the data grows, and what it weighs.

    python benchmarks/scan_bench.py                      # full run, SQLite then PostgreSQL
    python benchmarks/scan_bench.py --quick              # smoke run: short loads, small bulk data
    python benchmarks/scan_bench.py --db sqlite          # one database only (sqlite|postgres|both)
    python benchmarks/scan_bench.py --profile always     # also profile 500 in-process scans

For each database, in a fresh instance folder (and, for PostgreSQL, a fresh database that
is dropped at the end), it runs ``flask --app registry db upgrade``, ``demo`` and
``labels print LC2611A``, takes that run's label addresses, and measures:

1. Throughput. gunicorn, 2 workers (sync, then gthread), wrk with a phone User-Agent on
   the serialized label address, each request recording its scan row, against the
   smallest Flask app (``benchmarks/hello_app.py``) under the same gunicorn settings in
   the same run. Targets: scan throughput >= 0.5x hello; zero errors (non-2xx responses
   or socket errors); scan rows recorded for the label == successful requests reported
   by wrk. wrk stops on a clock, so the requests it abandons in flight at the cut-off
   may still be served and recorded: the script counts what wrk sent too, and also runs
   an exact check (a bounded client that waits for every response: rows == requests).
   It also prints the server's CPU time per request (gunicorn master + workers, from
   /proc), which is steadier than req/s on a shared machine.
2. Latency as data grows. Median time of GET on one label address (in-process, Flask
   test client) with the demo data, then after bulk-inserting 100,000 products over
   2,000 producers (half with a GTIN), 20,000 batches with label runs and trace events,
   and 1,000,000 scans (100,000 of them on the measured label's batch). Target: ratio
   <= 1.2. The database is copied right after the demo-data measurement; after the bulk
   load the copy and the loaded database are measured again in alternating rounds
   (A/B), so that load from other processes hits both alike: that ratio is the verdict,
   the plain before/after ratio is printed too.
3. Page weight. HTML + same-host CSS under 30 KB uncompressed, nothing render-blocking
   (``<script src>``, ``<link rel=stylesheet>``, CSS ``@import``) from another host.

Not a pytest test: the figures depend on the machine; run it by hand and read them.
Needs ``wrk`` (``apt-get install wrk``) and, for PostgreSQL, a server on 127.0.0.1:5432
that lets user ``postgres`` create databases (``--pg-url`` to change it).
"""
from __future__ import annotations

import argparse
import gc
import gzip
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
LOT = "LC2611A"
SECRET_KEY = "scan-bench-secret-key-not-a-real-secret-0123456789abcdef"
LABEL_SIGNING_KEY = "scan-bench-label-signing-key-not-a-real-secret-0123456789"
PUBLIC_BASE_URL = "http://127.0.0.1:8000"
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36")
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HEADERS = {"User-Agent": PHONE_UA, "Accept": ACCEPT, "Accept-Language": "vi-VN,vi;q=0.9"}
LABELS_ORDERED = 40
PAGE_BUDGET = 30 * 1024

# Targets
MIN_THROUGHPUT_RATIO = 0.5
MAX_LATENCY_RATIO = 1.2


@dataclass
class Settings:
    duration: int = 10          # s per wrk run
    warmup: int = 2             # s of wrk warm-up per server
    connections: int = 8
    wrk_threads: int = 2
    repeats: int = 2            # hello/scan pairs per worker class
    gthread_threads: int = 4
    worker_classes: tuple[str, ...] = ("sync", "gthread")
    latency_requests: int = 400
    latency_warmup: int = 40
    exact_requests: int = 500   # bounded-client exact-count check
    profile_requests: int = 500
    producers: int = 2_000
    products: int = 100_000
    batches: int = 20_000
    labels_per_batch: int = 1_000
    scans: int = 1_000_000
    measured_batch_scans: int = 100_000


QUICK = dict(duration=3, warmup=1, repeats=1, latency_requests=100, latency_warmup=10,
             exact_requests=200, profile_requests=100, producers=50, products=2_000,
             batches=400, labels_per_batch=200, scans=20_000, measured_batch_scans=2_000)


def log(message: str = "") -> None:
    print(message, flush=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


# --------------------------------------------------------------------------- code state

def code_files() -> dict[str, tuple[int, int]]:
    """Size and mtime of every file the servers load: tells whether code moved mid-run."""
    files = {}
    for top in ("registry", "templates", "static"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                files[str(path.relative_to(ROOT))] = (st.st_size, st.st_mtime_ns)
    return files


def changed_files(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def git_state() -> str:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    dirty = [l for l in git("status", "--porcelain", "--", "registry", "templates",
                            "static").splitlines() if l]
    return f"git {git('rev-parse', '--short', 'HEAD')}, {len(dirty)} uncommitted change(s) " \
           f"under registry/ templates/ static/"


# --------------------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(instance: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(REGISTRY_INSTANCE_PATH=str(instance), REGISTRY_SECRET_KEY=SECRET_KEY,
               REGISTRY_LABEL_SIGNING_KEY=LABEL_SIGNING_KEY,
               REGISTRY_PUBLIC_BASE_URL=PUBLIC_BASE_URL, PYTHONUNBUFFERED="1")
    if database_url:
        env["REGISTRY_DATABASE_URL"] = database_url
    return env


def flask_cli(env: dict[str, str], *args: str) -> str:
    cmd = [str(BIN / "flask"), "--app", "registry", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def http_get(port: int, path: str, headers: dict[str, str] | None = None,
             timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master and its workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    stat = fh.read()
            except OSError:
                continue
            rest = stat[stat.rfind(")") + 2:].split()
            if int(entry) == self.pid or int(rest[1]) == self.pid:
                total += int(rest[11]) + int(rest[12])
        return total / ticks


@contextmanager
def gunicorn(app_spec: str, chdir: Path, env: dict[str, str], worker_class: str,
             threads: int, log_path: Path, ready_path: str):
    """gunicorn with 2 workers in its own process group; killed (group) on exit."""
    port = free_port()
    cmd = [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
           "--chdir", str(chdir), "--log-level", "warning", "--timeout", "60"]
    if worker_class == "gthread":
        cmd += ["--worker-class", "gthread", "--threads", str(threads)]
    cmd.append(app_spec)
    with open(log_path, "ab") as logfile:
        proc = subprocess.Popen(cmd, env=env, stdout=logfile, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}); see {log_path}:\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            try:
                status, _ = http_get(port, ready_path, timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer on {ready_path} within 30 s")
            time.sleep(0.1)
        yield Server(port, proc.pid)
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


WRK_SCRIPT = """
wrk.method = "GET"
wrk.headers["User-Agent"] = "%(ua)s"
wrk.headers["Accept"] = "%(accept)s"
wrk.headers["Accept-Language"] = "vi-VN,vi;q=0.9"
sent = 0
ok = 0
bad = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function request() sent = sent + 1; return wrk.format(nil, nil) end
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local s, o, b = 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("sent"); o = o + t:get("ok"); b = b + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format('WRKJSON {"sent": %%d, "ok": %%d, "bad": %%d, "requests": %%d, '
    .. '"duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, "write": %%d, '
    .. '"status": %%d, "timeout": %%d, "p50_us": %%.1f, "p99_us": %%.1f}\\n',
    s, o, b, summary.requests, summary.duration, summary.bytes, e.connect, e.read,
    e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(server: Server, path: str, seconds: int, settings: Settings,
            script: Path) -> dict:
    port = server.port
    cpu_before = server.cpu_seconds()
    cmd = ["wrk", "-t", str(settings.wrk_threads), "-c", str(settings.connections),
           "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script),
           f"http://127.0.0.1:{port}{path}"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    line = next((l for l in done.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(line[len("WRKJSON "):])
    result["seconds"] = result["duration_us"] / 1e6
    result["rps"] = result["ok"] / result["seconds"]
    result["socket_errors"] = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    result["errors"] = result["bad"] + result["socket_errors"]
    result["server_cpu_ms"] = ((server.cpu_seconds() - cpu_before) * 1000
                               / max(1, result["requests"]))
    return result


def bounded_client(port: int, path: str, total: int, workers: int) -> tuple[int, int]:
    """Send exactly ``total`` requests over ``workers`` threads, waiting for each answer."""
    counts = {"ok": 0, "bad": 0}
    lock = threading.Lock()

    def work(n: int) -> None:
        ok = bad = 0
        for _ in range(n):
            try:
                status, _ = http_get(port, path, HEADERS, timeout=30)
                ok, bad = (ok + 1, bad) if 200 <= status < 300 else (ok, bad + 1)
            except OSError:
                bad += 1
        with lock:
            counts["ok"] += ok
            counts["bad"] += bad

    share = [total // workers + (1 if i < total % workers else 0) for i in range(workers)]
    threads = [threading.Thread(target=work, args=(n,)) for n in share]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return counts["ok"], counts["bad"]


# --------------------------------------------------------------------------- the app

@dataclass
class Label:
    path: str
    seq: int


@dataclass
class Instance:
    kind: str
    env: dict[str, str]
    tmp: Path
    app: object = None
    batch_id: int = 0
    labels: list[Label] = field(default_factory=list)
    next_label: int = 0

    def take_label(self) -> Label:
        if self.next_label >= len(self.labels):
            raise RuntimeError("out of fresh labels: order a larger run")
        label = self.labels[self.next_label]
        self.next_label += 1
        return label


def make_app(env: dict[str, str]):
    """create_app() in this process with the same REGISTRY_* settings as the servers."""
    for key in [k for k in os.environ if k.startswith("REGISTRY_")]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith("REGISTRY_")})
    from registry import create_app

    return create_app()


def label_addresses(inst: Instance) -> None:
    import sqlalchemy as sa

    from registry.extensions import db
    from registry.models import Batch, LabelRun
    from registry.printing.operations import print_job, signer

    with inst.app.app_context():
        batch = db.session.scalar(sa.select(Batch).where(Batch.lot_code == LOT))
        run = db.session.scalars(sa.select(LabelRun).where(LabelRun.batch_id == batch.id)
                                 .order_by(LabelRun.id.desc())).first()
        inst.batch_id = batch.id
        for seq, content in zip(range(run.start_seq, run.start_seq + run.count),
                                print_job(run).contents(signer())):
            parts = urlsplit(content.url)
            inst.labels.append(Label(parts.path + ("?" + parts.query if parts.query else ""),
                                     seq))
        db.session.remove()


def scans_of(inst: Instance, label: Label) -> dict[str, int]:
    """Rows in ``scans`` for one label, by client class."""
    import sqlalchemy as sa

    from registry.extensions import db
    from registry.models import Scan

    with inst.app.app_context():
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.select(Scan.client_class, sa.func.count())
                .where(Scan.batch_id == inst.batch_id, Scan.serial_seq == label.seq)
                .group_by(Scan.client_class)).all()
    return {cls.value: n for cls, n in rows}


class Probe:
    """Counts queries and SQL time, and template render time, while active."""

    def __init__(self, app) -> None:
        self.app = app
        self.queries = 0
        self.sql_seconds = 0.0
        self.render_seconds = 0.0
        self._t = threading.local()

    def _before_sql(self, conn, cursor, statement, params, context, executemany):
        self._t.sql = time.perf_counter()

    def _after_sql(self, conn, cursor, statement, params, context, executemany):
        self.queries += 1
        self.sql_seconds += time.perf_counter() - getattr(self._t, "sql", time.perf_counter())

    def _before_render(self, sender, **extra):
        self._t.render = time.perf_counter()

    def _rendered(self, sender, **extra):
        self.render_seconds += time.perf_counter() - getattr(self._t, "render",
                                                             time.perf_counter())

    def __enter__(self):
        from flask import before_render_template, template_rendered
        from sqlalchemy import event

        from registry.extensions import db

        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._before_sql)
        event.listen(self.engine, "after_cursor_execute", self._after_sql)
        before_render_template.connect(self._before_render, self.app)
        template_rendered.connect(self._rendered, self.app)
        return self

    def __exit__(self, *exc):
        from flask import before_render_template, template_rendered
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before_sql)
        event.remove(self.engine, "after_cursor_execute", self._after_sql)
        before_render_template.disconnect(self._before_render, self.app)
        template_rendered.disconnect(self._rendered, self.app)


def measure_latency(inst: Instance, label: Label, settings: Settings) -> dict:
    """Median in-process time of GET on a label address (test client, full Flask stack)."""
    client = inst.app.test_client()
    for _ in range(settings.latency_warmup):
        client.get(label.path, headers=HEADERS)
    gc.collect()
    times = []
    with Probe(inst.app) as probe:
        for _ in range(settings.latency_requests):
            start = time.perf_counter()
            response = client.get(label.path, headers=HEADERS)
            times.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"GET {label.path}: {response.status_code}")
    n = settings.latency_requests
    times.sort()
    return {"median_ms": statistics.median(times) * 1000,
            "p90_ms": times[int(0.9 * (n - 1))] * 1000,
            "mean_ms": sum(times) / n * 1000,
            "queries_per_request": probe.queries / n,
            "sql_ms": probe.sql_seconds / n * 1000,
            "render_ms": probe.render_seconds / n * 1000}


def measure_ab(sides: list[tuple[str, Instance, Label]], settings: Settings,
               rounds: int = 10) -> dict[str, dict]:
    """Interleaved medians: the sides take turns, so machine noise hits them alike."""
    clients = [(name, inst.app.test_client(), label.path) for name, inst, label in sides]
    for _, client, path in clients:
        for _ in range(settings.latency_warmup):
            client.get(path, headers=HEADERS)
    samples: dict[str, list[float]] = {name: [] for name, _, _ in clients}
    per_round = max(1, settings.latency_requests // rounds)
    gc.collect()
    for r in range(rounds):
        for name, client, path in (clients if r % 2 == 0 else clients[::-1]):
            for _ in range(per_round):
                start = time.perf_counter()
                response = client.get(path, headers=HEADERS)
                samples[name].append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"{name} GET {path}: {response.status_code}")
    out = {}
    for name, times in samples.items():
        times.sort()
        out[name] = {"median_ms": statistics.median(times) * 1000,
                     "p90_ms": times[int(0.9 * (len(times) - 1))] * 1000, "n": len(times)}
    return out


def snapshot(inst: Instance, args, pg_name: str, copies: list[str]) -> Instance:
    """A copy of the database as it is now (demo data), served by a second app."""
    from registry.extensions import db

    inst.app.wsgi_app.close()  # the scan edge keeps connections of its own
    with inst.app.app_context():
        db.session.remove()
        db.engine.dispose()
    if inst.kind == "sqlite":
        target = inst.tmp / "instance-demo"
        shutil.copytree(inst.env["REGISTRY_INSTANCE_PATH"], target)
        env = base_env(target, None)
    else:
        name = pg_name + "_demo"
        copies.append(name)
        url = create_pg_database(args.pg_url, name, template=pg_name)
        env = base_env(inst.tmp / "instance-demo", url)
    return Instance(inst.kind + "-demo-copy", env, inst.tmp, app=make_app(env),
                    batch_id=inst.batch_id, labels=inst.labels)


# --------------------------------------------------------------------------- page weight

class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stylesheets: list[str] = []
        self.scripts: list[tuple[str, dict]] = []
        self.inline_styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "link" and "stylesheet" in rel:
            self.stylesheets.append(a.get("href", ""))
        elif tag == "script" and a.get("src"):
            self.scripts.append((a["src"], a))
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_styles.append(data)


def _css_imports(css: str) -> list[str]:
    import re

    return re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", css)


def page_weight(inst: Instance, label: Label) -> dict:
    client = inst.app.test_client()
    response = client.get(label.path, headers=HEADERS)
    html = response.get_data()
    page_url = PUBLIC_BASE_URL + label.path
    host = urlsplit(PUBLIC_BASE_URL).netloc
    parser = _Assets()
    parser.feed(html.decode("utf-8", "replace"))
    css_files: dict[str, int] = {}
    external: list[str] = []
    blocking_scripts: list[str] = []
    pending = [urljoin(page_url, href) for href in parser.stylesheets]
    for text in parser.inline_styles:
        pending += [urljoin(page_url, href) for href in _css_imports(text)]
    for src, attrs in parser.scripts:
        url = urljoin(page_url, src)
        if urlsplit(url).netloc != host:
            external.append(url)
        if "async" not in attrs and "defer" not in attrs and attrs.get("type") != "module":
            blocking_scripts.append(url)
    seen = set()
    gz_css = 0
    while pending and len(seen) < 20:
        url = pending.pop(0)
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        if parts.netloc != host:
            external.append(url)
            continue
        r = client.get(parts.path + ("?" + parts.query if parts.query else ""))
        body = r.get_data()
        r.close()
        if r.status_code != 200:
            raise RuntimeError(f"stylesheet {url}: {r.status_code}")
        css_files[parts.path] = len(body)
        gz_css += len(gzip.compress(body))
        pending += [urljoin(url, href) for href in _css_imports(body.decode("utf-8", "replace"))]
    total = len(html) + sum(css_files.values())
    return {"html_bytes": len(html), "css": css_files, "total_bytes": total,
            "gzip_bytes": len(gzip.compress(html)) + gz_css,
            "external_blocking": external, "blocking_scripts": blocking_scripts,
            "status": response.status_code}


# --------------------------------------------------------------------------- bulk data

TOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _token(n: int, width: int = 9) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 32)
        out.append(TOKEN_ALPHABET[r])
    return "Z" + "".join(reversed(out))  # 10 symbols; the 'Z' prefix marks bench rows


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_load(inst: Instance, settings: Settings, seed: int = 2611) -> dict:
    """Insert products, batches, label runs, trace events, certifications and scans."""
    import sqlalchemy as sa

    from registry.extensions import db
    from registry.labels.gs1 import gtin_check_digit, is_valid_gtin
    from registry.models import (AdminUnit, Batch, BatchStatus, BizStep, Certification,
                                 CertificationKind, ClientClass, LabelRun, Producer,
                                 ProducerKind, Product, ProductStatus, Scan, TraceEvent,
                                 UnitLevel)
    from registry.ocop.groups import GROUPS
    from registry.printing.operations import item_key, order_label_run, signer
    from registry.text import search_key

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    counts: dict[str, int] = {}
    chunk = 10_000

    with inst.app.app_context():
        # A large run on the measured batch: the measured label's batch gets many scans.
        batch = db.session.get(Batch, inst.batch_id)
        big = order_label_run(batch, count=settings.measured_batch_scans, layout="a4-3x8",
                              actor_label="scan-bench")
        db.session.commit()
        big_serials = list(signer().iter_many(item_key(batch.product), batch.lot_code,
                                              big.start_seq, big.count))
        big_run = (big.id, big.start_seq, big.count)
        communes = db.session.scalars(sa.select(AdminUnit.id).where(
            AdminUnit.level == UnitLevel.COMMUNE)).all()
        db.session.remove()
        engine = db.engine

    def insert(table, rows, size=chunk) -> int:
        n = 0
        for part in _chunks(rows, size):
            with engine.begin() as conn:
                conn.execute(sa.insert(table.__table__), part)
            n += len(part)
        counts[table.__tablename__] = counts.get(table.__tablename__, 0) + n
        return n

    kinds = list(ProducerKind)
    insert(Producer, ({"code": f"bench-{i}", "name": f"HTX thử nghiệm số {i}",
                       "kind": kinds[i % len(kinds)], "commune_id": rng.choice(communes),
                       "address_line": f"Ấp {i % 17 + 1}", "created_at": now,
                       "is_demo": False} for i in range(settings.producers)))
    with engine.connect() as conn:
        producer_ids = conn.execute(sa.select(Producer.id).where(
            Producer.code.like("bench-%")).order_by(Producer.id)).scalars().all()

    groups = sorted(GROUPS)

    def products():
        for n in range(settings.products):
            name = f"Sản phẩm đặc sản thử nghiệm {n}"
            gtin = None
            if n % 2 == 0:  # half with a GTIN (valid check digit), half without
                body = f"893999{n:06d}"  # 8939990xxxxx: clear of the demo's 8939999...
                gtin = (body + str(gtin_check_digit(body))).zfill(14)
            yield {"producer_id": producer_ids[n % len(producer_ids)],
                   "public_token": _token(n), "name_vi": name,
                   "name_en": f"Trial specialty product {n}",
                   "group_code": groups[n % len(groups)], "subgroup": None,
                   "description_vi": "Mô tả sản phẩm thử nghiệm cho phép đo.",
                   "gtin": gtin, "status": ProductStatus.ACTIVE,
                   "search_text": search_key(name), "updated_at": now, "created_at": now,
                   "is_demo": False}

    assert is_valid_gtin((lambda b: b + str(gtin_check_digit(b)))("893999000042"))
    insert(Product, products())
    with engine.connect() as conn:
        product_ids = conn.execute(sa.select(Product.id).where(
            Product.public_token.like("Z%"), Product.producer_id.in_(
                sa.select(Producer.id).where(Producer.code.like("bench-%"))))
            .order_by(Product.id)).scalars().all()
    step = max(1, len(product_ids) // settings.batches)
    batch_products = product_ids[::step][:settings.batches]
    insert(Batch, ({"product_id": pid, "lot_code": f"BN{i:06d}", "status": BatchStatus.CLOSED,
                    "next_serial": settings.labels_per_batch, "created_at": now,
                    "is_demo": False, "packing_date": date(2026, 1, 1) + timedelta(i % 300)}
                   for i, pid in enumerate(batch_products)))
    with engine.connect() as conn:
        batch_ids = conn.execute(sa.select(Batch.id).where(Batch.lot_code.like("BN%"))
                                 .order_by(Batch.id)).scalars().all()
    insert(LabelRun, ({"batch_id": b, "start_seq": 0, "count": settings.labels_per_batch,
                       "layout": "a4-3x8", "ecc": "M", "created_at": now} for b in batch_ids))
    with engine.connect() as conn:
        run_of = dict(conn.execute(sa.select(LabelRun.batch_id, LabelRun.id).where(
            LabelRun.batch_id.in_(sa.select(Batch.id).where(Batch.lot_code.like("BN%")))))
            .all())
    insert(TraceEvent, ({"batch_id": b, "biz_step": BizStep.PACKING, "event_time": now,
                         "tz_offset": "+07:00", "location": "Nhà đóng gói thử nghiệm",
                         "created_at": now} for b in batch_ids))
    insert(Certification, ({"producer_id": p, "product_id": None,
                            "kind": CertificationKind.VIETGAP,
                            "issuer": "Tổ chức chứng nhận thử nghiệm",
                            "issued_on": date(2025, 1, 1), "expires_on": date(2028, 1, 1),
                            "created_at": now} for p in producer_ids))

    classes = [ClientClass.PHONE] * 8 + [ClientClass.BROWSER, ClientClass.BOT]
    year = 365 * 24 * 3600

    def scans():
        run_id, start, count = big_run
        for i, serial in enumerate(big_serials):  # one scan per label of the big run
            yield {"batch_id": inst.batch_id, "label_run_id": run_id, "serial": serial,
                   "serial_seq": start + i,
                   "scanned_at": now - timedelta(seconds=rng.randrange(year)),
                   "client_class": rng.choice(classes)}
        alphabet = TOKEN_ALPHABET
        for _ in range(settings.scans - count):  # the rest spread over the bulk batches
            b = batch_ids[rng.randrange(len(batch_ids))]
            yield {"batch_id": b, "label_run_id": run_of[b],
                   "serial": "".join(rng.choices(alphabet, k=10)),
                   "serial_seq": rng.randrange(settings.labels_per_batch),
                   "scanned_at": now - timedelta(seconds=rng.randrange(year)),
                   "client_class": rng.choice(classes)}

    insert(Scan, scans(), size=20_000)
    analyzed = False
    if engine.dialect.name == "postgresql":
        # What autovacuum would do shortly after a load this size.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
        analyzed = True
    with engine.connect() as conn:
        totals = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("products", "producers", "batches", "scans")}
        on_batch = conn.execute(sa.select(sa.func.count()).select_from(Scan.__table__)
                                .where(Scan.batch_id == inst.batch_id)).scalar()
    return {"inserted": counts, "totals": totals, "scans_on_measured_batch": on_batch,
            "seconds": time.perf_counter() - started, "analyzed": analyzed}


# --------------------------------------------------------------------------- profile

def profile_scans(inst: Instance, label: Label, settings: Settings, title: str) -> None:
    import cProfile
    import io
    import pstats

    from sqlalchemy import event

    log(f"\n  --- profile ({title}): {settings.profile_requests} in-process scans ---")
    client = inst.app.test_client()
    for _ in range(10):
        client.get(label.path, headers=HEADERS)
    statements: list[str] = []

    def grab(conn, cursor, statement, params, context, executemany):
        statements.append(" ".join(statement.split()))

    with inst.app.app_context():
        from registry.extensions import db

        engine = db.engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        client.get(label.path, headers=HEADERS)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    log(f"  queries in one scan request: {len(statements)}")
    for s in statements:
        log(f"    - {s[:150]}{'…' if len(s) > 150 else ''}")

    profiler = cProfile.Profile()
    gc.collect()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(settings.profile_requests):
        client.get(label.path, headers=HEADERS)
    profiler.disable()
    elapsed = time.perf_counter() - start
    log(f"  {elapsed / settings.profile_requests * 1000:.2f} ms/request under cProfile")
    for order, limit in (("cumulative", 45), ("tottime", 25)):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(limit)
        lines = out.getvalue().splitlines()
        first = next((i for i, l in enumerate(lines) if l.strip().startswith("ncalls")), 0)
        log(f"  top by {order}:")
        for line in lines[first:first + limit + 1]:
            log("    " + line)


# --------------------------------------------------------------------------- one database

def create_pg_database(pg_url: str, name: str, template: str | None = None) -> str:
    import psycopg

    admin = pg_url.rstrip("/") + "/postgres"
    with psycopg.connect(admin.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"'
                     + (f' TEMPLATE "{template}"' if template else ""))
    return pg_url.rstrip("/") + "/" + name


def drop_pg_database(pg_url: str, name: str) -> None:
    import psycopg

    admin = pg_url.rstrip("/") + "/postgres"
    with psycopg.connect(admin.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_database(kind: str, settings: Settings, args, wrk_script: Path) -> dict:
    results: dict = {"db": kind}
    tmp = Path(tempfile.mkdtemp(prefix=f"scan-bench-{kind}-"))
    pg_name = f"scan_bench_{os.getpid()}"
    database_url = None
    inst = demo = None
    copies: list[str] = []
    try:
        if kind == "postgres":
            database_url = create_pg_database(args.pg_url, pg_name)
        env = base_env(tmp / "instance", database_url)
        t0 = time.perf_counter()
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "demo")
        out = flask_cli(env, "labels", "print", LOT, "--count", str(LABELS_ORDERED),
                        "--output", str(tmp / "labels.pdf"))
        log(f"  setup (db upgrade, demo, labels print {LOT}): {time.perf_counter() - t0:.1f} s"
            f" — {out.strip().splitlines()[0]}")
        inst = Instance(kind, env, tmp, app=make_app(env))
        label_addresses(inst)
        log(f"  label address: {inst.labels[0].path}")
        probe = inst.app.test_client().get(inst.labels[-1].path, headers=HEADERS)
        if probe.status_code != 200:
            raise RuntimeError(f"the label address answers {probe.status_code}, not 200: "
                               "is the application code in a consistent state?")

        # 3. page weight --------------------------------------------------------------
        weight = page_weight(inst, inst.take_label())
        results["weight"] = weight
        css = ", ".join(f"{p} {n:,} B" for p, n in weight["css"].items())
        ok3 = (weight["total_bytes"] < PAGE_BUDGET and not weight["external_blocking"]
               and weight["status"] == 200)
        results["target3"] = ok3
        log(f"\n  [3] page weight: HTML {weight['html_bytes']:,} B + CSS {css} = "
            f"{weight['total_bytes']:,} B uncompressed ({weight['total_bytes'] / 1024:.1f} KiB;"
            f" {weight['gzip_bytes']:,} B gzipped) — budget {PAGE_BUDGET:,} B")
        log(f"      render-blocking resources from another host: "
            f"{weight['external_blocking'] or 'none'}; blocking <script src>: "
            f"{weight['blocking_scripts'] or 'none'}; HTTP {weight['status']} → {verdict(ok3)}")

        # 2a. latency with the demo data ---------------------------------------------
        latency_label = inst.take_label()
        before = measure_latency(inst, latency_label, settings)
        results["latency_demo"] = before
        log(f"\n  [2] latency with demo data: median {before['median_ms']:.2f} ms "
            f"(p90 {before['p90_ms']:.2f}, {before['queries_per_request']:.1f} queries/request,"
            f" SQL {before['sql_ms']:.2f} ms, template {before['render_ms']:.2f} ms)")
        demo = snapshot(inst, args, pg_name, copies)
        log("      (database copied as it is now, for an interleaved A/B comparison later)")

        # 1. throughput under gunicorn -------------------------------------------------
        results["throughput"] = {}
        throughput_ok = True
        for worker_class in settings.worker_classes:
            res = throughput(inst, settings, worker_class, wrk_script)
            results["throughput"][worker_class] = res
            throughput_ok = throughput_ok and res["ok"]
        results["target1"] = throughput_ok

        if args.profile == "always" or (args.profile == "auto" and not throughput_ok):
            profile_scans(inst, inst.take_label(), settings, "demo data")

        # 2b. latency with 100k products and 1M scans ------------------------------
        log(f"\n  [2] bulk load: {settings.products:,} products over {settings.producers:,} "
            f"producers, {settings.batches:,} batches, {settings.scans:,} scans "
            f"({settings.measured_batch_scans:,} on batch {LOT}) …")
        bulk = bulk_load(inst, settings)
        results["bulk"] = bulk
        log(f"      loaded in {bulk['seconds']:.1f} s; tables now: "
            + ", ".join(f"{t} {n:,}" for t, n in bulk["totals"].items())
            + f"; scans on {LOT}: {bulk['scans_on_measured_batch']:,}"
            + ("; ANALYZE run" if bulk["analyzed"] else ""))
        # Fresh labels of the same run: the same page, and a label whose own scan history
        # starts empty, as it did for the demo-data measurement.
        after = measure_latency(inst, inst.take_label(), settings)
        results["latency_big"] = after
        sequential = after["median_ms"] / before["median_ms"]
        results["latency_ratio_sequential"] = sequential
        log(f"      latency with bulk data: median {after['median_ms']:.2f} ms "
            f"(p90 {after['p90_ms']:.2f}, {after['queries_per_request']:.1f} queries/request,"
            f" SQL {after['sql_ms']:.2f} ms, template {after['render_ms']:.2f} ms)"
            f" — ratio to the demo-data median measured earlier: {sequential:.2f}")
        ab_label = inst.take_label()  # unused in both databases so far
        ab = measure_ab([("demo", demo, ab_label), ("bulk", inst, ab_label)], settings)
        results["latency_ab"] = ab
        ratio = ab["bulk"]["median_ms"] / ab["demo"]["median_ms"]
        results["latency_ratio"] = ratio
        results["target2"] = ratio <= MAX_LATENCY_RATIO
        log(f"      interleaved A/B, a fresh label, {ab['demo']['n']} requests each: demo-data copy "
            f"median {ab['demo']['median_ms']:.2f} ms (p90 {ab['demo']['p90_ms']:.2f}), "
            f"bulk {ab['bulk']['median_ms']:.2f} ms (p90 {ab['bulk']['p90_ms']:.2f})")
        log(f"      ratio bulk/demo {ratio:.2f} (target <= {MAX_LATENCY_RATIO}) → "
            f"{verdict(results['target2'])}")
        if args.profile == "always" or (args.profile == "auto" and not results["target2"]):
            profile_scans(inst, inst.take_label(), settings, "bulk data")
        return results
    finally:
        for one in (inst, demo):
            if one is not None and one.app is not None:
                from registry.extensions import db

                one.app.wsgi_app.close()
                with one.app.app_context():
                    db.session.remove()
                    db.engine.dispose()
        if kind == "postgres":
            for name in [pg_name, *copies]:
                try:
                    drop_pg_database(args.pg_url, name)
                except Exception as error:  # noqa: BLE001 - report, keep cleaning up
                    log(f"  could not drop database {name}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)


def throughput(inst: Instance, settings: Settings, worker_class: str, wrk_script: Path) -> dict:
    label = f"{worker_class}" + (f" ({settings.gthread_threads} threads)"
                                 if worker_class == "gthread" else "")
    log(f"\n  [1] throughput, gunicorn 2 workers {label}, wrk -t{settings.wrk_threads} "
        f"-c{settings.connections} -d{settings.duration}s:")
    logs = inst.tmp / f"gunicorn-{worker_class}.log"
    pairs = []
    exact = None
    with gunicorn("hello_app:app", HERE, inst.env, worker_class, settings.gthread_threads,
                  logs, "/") as hello_server, \
            gunicorn("registry:create_app()", ROOT, inst.env, worker_class,
                     settings.gthread_threads, logs, "/healthz") as app_server:
        run_wrk(hello_server, "/", settings.warmup, settings, wrk_script)
        warm = run_wrk(app_server, inst.take_label().path, settings.warmup, settings,
                       wrk_script)
        if warm["errors"]:
            log(f"      warm-up: {warm['errors']} errors (non-2xx {warm['bad']}, socket "
                f"{warm['socket_errors']}); see {logs}")
        for i in range(settings.repeats):
            load = os.getloadavg()[0]
            hello = run_wrk(hello_server, "/", settings.duration, settings, wrk_script)
            target = inst.take_label()
            scan = run_wrk(app_server, target.path, settings.duration, settings, wrk_script)
            time.sleep(0.5)  # let requests abandoned at wrk's cut-off finish
            recorded = scans_of(inst, target)
            pairs.append({"hello": hello, "scan": scan, "recorded": recorded})
            rows = sum(recorded.values())
            log(f"      run {i + 1}: hello {hello['rps']:8.1f} req/s ({hello['errors']} errors)"
                f" | scan {scan['rps']:8.1f} req/s ({scan['errors']} errors, p50 "
                f"{scan['p50_us'] / 1000:.1f} ms, p99 {scan['p99_us'] / 1000:.1f} ms)"
                f" | ratio {scan['rps'] / hello['rps']:.2f} (load avg before {load:.1f})")
            log(f"             server CPU per request: hello {hello['server_cpu_ms']:.2f} ms, "
                f"scan {scan['server_cpu_ms']:.2f} ms (ratio "
                f"{hello['server_cpu_ms'] / max(scan['server_cpu_ms'], 1e-9):.3f})")
            log(f"             scan rows for the label {rows:,} (by class {recorded}); wrk 2xx "
                f"{scan['ok']:,}, sent {scan['sent']:,} (abandoned at cut-off "
                f"{scan['sent'] - scan['requests']})")
        target = inst.take_label()
        ok_n, bad_n = bounded_client(app_server.port, target.path, settings.exact_requests,
                                     settings.connections)
        exact_rows = sum(scans_of(inst, target).values())
        exact = {"requests": settings.exact_requests, "ok": ok_n, "bad": bad_n,
                 "rows": exact_rows}
        log(f"      exact check: {settings.exact_requests} requests over "
            f"{settings.connections} threads, each answer awaited: {ok_n} OK, {bad_n} failed,"
            f" {exact_rows} scan rows → "
            f"{verdict(ok_n == settings.exact_requests == exact_rows)}")
    ratios = [p["scan"]["rps"] / p["hello"]["rps"] for p in pairs]
    errors = sum(p["scan"]["errors"] + p["hello"]["errors"] for p in pairs) + exact["bad"]
    # wrk's count vs rows: equal, or greater only by requests wrk abandoned in flight.
    counts_equal = all(sum(p["recorded"].values()) == p["scan"]["ok"] for p in pairs)
    counts_within = all(p["scan"]["ok"] <= sum(p["recorded"].values()) <= p["scan"]["sent"]
                        for p in pairs)
    all_counted = all(set(p["recorded"]) <= {"phone"} for p in pairs)
    exact_ok = exact["ok"] == exact["requests"] == exact["rows"]
    ratio = statistics.mean(ratios)
    ok = ratio >= MIN_THROUGHPUT_RATIO and errors == 0 and counts_within and exact_ok
    log(f"      → throughput ratio {ratio:.2f} (mean of {len(ratios)}; target >= "
        f"{MIN_THROUGHPUT_RATIO}) {verdict(ratio >= MIN_THROUGHPUT_RATIO)}; errors {errors} "
        f"{verdict(errors == 0)}; rows == wrk 2xx: "
        f"{'exactly' if counts_equal else 'within requests abandoned at cut-off' if counts_within else 'NO'}"
        f", exact check {verdict(exact_ok)}; all rows counted as phone checks: {all_counted}")
    if not counts_within:
        log(f"      gunicorn log: {logs}")
    return {"pairs": pairs, "ratio": ratio, "ratios": ratios, "errors": errors,
            "counts_equal": counts_equal, "counts_within": counts_within, "exact": exact,
            "all_counted": all_counted, "ok": ok}


# --------------------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short loads, small bulk data")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server (a database is created and dropped on it)")
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="auto",
                        help="cProfile in-process scans: auto = when a target is not met")
    parser.add_argument("--duration", type=int, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, help="wrk connections")
    parser.add_argument("--repeats", type=int, help="hello/scan pairs per worker class")
    parser.add_argument("--worker-classes", help="comma-separated: sync,gthread")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    settings = Settings(**QUICK) if args.quick else Settings()
    if args.duration:
        settings.duration = args.duration
    if args.connections:
        settings.connections = args.connections
    if args.repeats:
        settings.repeats = args.repeats
    if args.worker_classes:
        settings.worker_classes = tuple(args.worker_classes.split(","))
    if shutil.which("wrk") is None:
        log("wrk is missing: apt-get install wrk")
        return 2
    needed = 2 + len(settings.worker_classes) * (settings.repeats + 2) + 2 + 2
    assert needed <= LABELS_ORDERED, "order more labels"

    started = time.perf_counter()
    files = code_files()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    log(f"scan benchmark — {'quick' if args.quick else 'full'} run, {os.cpu_count()} CPUs, "
        f"python {sys.version.split()[0]}")
    log(f"code: {git_state()}")
    all_results = []
    with tempfile.TemporaryDirectory(prefix="scan-bench-wrk-") as wrk_dir:
        wrk_script = Path(wrk_dir) / "scan.lua"
        wrk_script.write_text(WRK_SCRIPT % {"ua": PHONE_UA, "accept": ACCEPT})
        for kind in kinds:
            log(f"\n=== {kind} ===")
            all_results.append(run_database(kind, settings, args, wrk_script))
            now = code_files()
            changed = changed_files(files, now)
            all_results[-1]["code_changed"] = changed
            if changed:
                log(f"\n  WARNING: files changed during the {kind} run: {', '.join(changed)}."
                    f" If the scan path is among them, its figures mix two versions of the"
                    f" code: run again.")
                files = now

    log("\n=== summary ===")
    for r in all_results:
        log(f"{r['db']}:" + (f"  (files changed during this run: {', '.join(r['code_changed'])})"
                             if r.get("code_changed") else ""))
        for wc, t in r["throughput"].items():
            hello = statistics.mean(p["hello"]["rps"] for p in t["pairs"])
            scan = statistics.mean(p["scan"]["rps"] for p in t["pairs"])
            log(f"  [1] {wc:8s} hello {hello:8.1f} req/s, scan {scan:8.1f} req/s, ratio "
                f"{t['ratio']:.2f} → {verdict(t['ratio'] >= MIN_THROUGHPUT_RATIO)}; errors "
                f"{t['errors']} → {verdict(t['errors'] == 0)}; rows vs wrk "
                f"{'equal' if t['counts_equal'] else 'equal up to cut-off' if t['counts_within'] else 'MISMATCH'}"
                f", exact {verdict(t['exact']['ok'] == t['exact']['requests'] == t['exact']['rows'])}")
            cpu = statistics.mean(p["scan"]["server_cpu_ms"] for p in t["pairs"])
            cpu_hello = statistics.mean(p["hello"]["server_cpu_ms"] for p in t["pairs"])
            log(f"               server CPU/request: hello {cpu_hello:.2f} ms, scan {cpu:.2f} ms")
        ab = r["latency_ab"]
        log(f"  [2] interleaved medians: demo {ab['demo']['median_ms']:.2f} ms, bulk "
            f"{ab['bulk']['median_ms']:.2f} ms, ratio {r['latency_ratio']:.2f} → "
            f"{verdict(r['target2'])} (sequential: demo {r['latency_demo']['median_ms']:.2f} "
            f"ms at the start, bulk {r['latency_big']['median_ms']:.2f} ms, ratio "
            f"{r['latency_ratio_sequential']:.2f})")
        w = r["weight"]
        log(f"  [3] HTML+CSS {w['total_bytes']:,} B (< {PAGE_BUDGET:,}), external blocking "
            f"{len(w['external_blocking'])} → {verdict(r['target3'])}")
    log(f"total time {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(all_results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
