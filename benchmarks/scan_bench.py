"""Scan benchmark: the public pages under load, and the landing page as the data grows.

    python benchmarks/scan_bench.py                      # SQLite then PostgreSQL, 10 s loads
    python benchmarks/scan_bench.py --db sqlite          # one database (sqlite|postgresql|both)
    python benchmarks/scan_bench.py --duration 5         # seconds per wrk run
    python benchmarks/scan_bench.py --quick              # smoke run: 3 s loads, small bulk data

For each database, in a fresh instance folder of its own (and for PostgreSQL a fresh
database on ``--pg-url``, dropped at the end), it runs ``flask --app registry db upgrade``
and ``demo``, takes the demo's label run of lot LC2611A and makes a genuine serial of it
(``signer().make(item_key(product), lot, seq)``), and measures:

1. Throughput. gunicorn, 2 sync workers, for the registry and for the smallest Flask app
   (``benchmarks/hello_app.py``) with the same command line but the app, in the same run;
   ``wrk -t2 -c8`` on each path below (after a warm-up of every path), each run right
   after a hello run with the same request headers. The figure is the ratio of the
   path's req/s to hello's:

   ==  ===================================================================  ========
   #   path (phone User-Agent unless said)                                  target
   ==  ===================================================================  ========
   1   landing page ``/page/01/{GTIN}/10/{lot}/21/{serial}?17={YYMMDD}``,   >= 0.5
       ``Accept: text/html,...``: records one scan row per request
   2   the same with ``&lang=en``                                           >= 0.35
   3   the same with no ``Accept`` header at all                            >= 0.35
   4   the same with a signed-in user's session cookie (demo user)          >= 0.35
   5   the resolver ``/01/{GTIN}/10/{lot}/21/{serial}?17=...``: 307         >= 0.8
   6   product page ``/page/01/{GTIN}``, batch page ``.../10/{lot}``, and   >= 0.25
       the catalogue home ``/``                                             each
   7   the JSON API: ``/api/v1/products`` (a program's client), and         >= 0.2
       ``/api/v1/products?gtin={GTIN}`` in English                          each
   ==  ===================================================================  ========

   A target is met when the ratio reaches it and the run had no error: a socket error
   or any status but 2xx (but 307 for the resolver, where anything else is an error).
   Scan rows are counted around every run: path 1 must add exactly as many rows as wrk
   got 200s (wrk abandons at most one request per connection at its cut-off, which the
   server may still record: the script shows those), and an exact check sends N
   requests with a bounded client that awaits every answer: rows added == N.
   The server's CPU time per request (gunicorn master + workers, from /proc) is shown
   too: steadier than req/s on a shared machine. wrk's headers are checked first
   against a local capture socket (no Accept where none should be, the cookie, ...).
2. Scaling. Median in-process time (Flask test client) of the landing page with the demo
   data, and after bulk-inserting 100,000 products (2,000 producers, half with GTINs),
   20,000 batches with label runs and trace events, and 1,000,000 scans (100,000 of them
   on the measured label's batch), each with its ``label_clients`` and ``label_checks``
   rows. Target: bulk / demo <= 1.2. The verdict comes from an A/B run: a copy of the
   database taken with the demo data and the loaded one take turns in 10 rounds.
   ``--bulk-products`` / ``--bulk-scans`` shrink it (the rest scales along).
3. Page weight (HTML + same-host CSS < 30 KB, nothing render-blocking from another host).

Not a pytest test: the figures depend on the machine; run it by hand and read them.
Needs ``wrk`` (installed with apt-get when missing and the script runs as root) and, for
PostgreSQL, a server on 127.0.0.1:5432 that lets user ``postgres`` create databases.
"""
from __future__ import annotations

import argparse
import gc
import gzip
import http.client
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
LOT = "LC2611A"            # the demo's batch with a label run and a GTIN
SEQ_LOAD = 20              # label of the demo run used by the throughput paths
SEQ_LATENCY = (21, 22, 23)  # labels used by the in-process latency measurements
SECRET_KEY = "scan-bench-secret-key-not-a-real-secret-0123456789abcdef"
LABEL_SIGNING_KEY = "scan-bench-label-signing-key-not-a-real-secret-0123456789"
PUBLIC_BASE_URL = "http://127.0.0.1:8000"
DEMO_LOGIN, DEMO_PASSWORD = "thienvantuong", "ocop-demo-2026"
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36")
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HEADERS = {"User-Agent": PHONE_UA, "Accept": ACCEPT, "Accept-Language": "vi-VN,vi;q=0.9"}
PAGE_BUDGET = 30 * 1024
MAX_LATENCY_RATIO = 1.2
GUNICORN_WORKERS = 2


@dataclass
class Settings:
    duration: int = 10          # s per wrk run
    warmup: int = 1             # s of wrk warm-up per path (and 2x for hello, once)
    connections: int = 8
    wrk_threads: int = 2
    repeats: int = 1            # hello/path pairs per path
    exact_requests: int = 500   # bounded-client exact-count check
    latency_requests: int = 400
    latency_warmup: int = 40
    products: int = 100_000
    scans: int = 1_000_000
    labels_per_batch: int = 1_000
    scaling: bool = True

    @property
    def producers(self) -> int:
        return max(10, self.products // 50)

    @property
    def batches(self) -> int:
        return max(10, self.products // 5)

    @property
    def measured_batch_scans(self) -> int:
        return max(100, self.scans // 10)


QUICK = dict(duration=3, warmup=1, exact_requests=200, latency_requests=100,
             latency_warmup=10, products=2_000, scans=20_000, labels_per_batch=200)


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str
    headers: tuple[tuple[str, str], ...]
    target: float
    expect: tuple[int, int] = (200, 299)   # status range that counts as success
    records: bool = False                  # every request adds a scan row of the label
    exact: bool = False                    # rows must equal 200s exactly (+ exact check)


def log(message: str = "") -> None:
    print(message, flush=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


# --------------------------------------------------------------------------- code state

def code_files() -> dict[str, tuple[int, int]]:
    """Size and mtime of every file the servers load: tells whether code moved mid-run."""
    files = {}
    for top in ("registry",):  # templates and static files live in registry/ too
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

    dirty = [l for l in git("status", "--porcelain", "--", "registry").splitlines() if l]
    return f"git {git('rev-parse', '--short', 'HEAD')}, {len(dirty)} uncommitted change(s) " \
           f"under registry/"


def ensure_wrk() -> bool:
    if shutil.which("wrk"):
        return True
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        log("wrk is missing: apt-get install wrk")
        return False
    log("wrk is missing: apt-get install -y wrk …")
    for cmd in (["apt-get", "install", "-y", "wrk"], ["apt-get", "update"],
                ["apt-get", "install", "-y", "wrk"]):
        subprocess.run(cmd, capture_output=True, timeout=600,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if shutil.which("wrk"):
            return True
    log("could not install wrk")
    return False


# --------------------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(instance: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(REGISTRY_INSTANCE_PATH=str(instance), REGISTRY_SECRET_KEY=SECRET_KEY,
               REGISTRY_LABEL_SIGNING_KEY=LABEL_SIGNING_KEY,
               REGISTRY_PUBLIC_BASE_URL=PUBLIC_BASE_URL, PYTHONUNBUFFERED="1",
               # wrk is one client: the API's limit (counted still) must not refuse it
               REGISTRY_API_RATE_LIMIT="100000000 per minute")
    if database_url:
        env["REGISTRY_DATABASE_URL"] = database_url
    return env


def check_create_app() -> str | None:
    """``create_app()`` in a fresh interpreter (scratch instance folder): None if it works,
    else the end of its traceback. The app is half-edited at times; fail early, clearly."""
    with tempfile.TemporaryDirectory(prefix="scan-bench-check-") as tmp:
        done = subprocess.run(
            [sys.executable, "-c", "from registry import create_app; create_app()"],
            cwd=ROOT, env=base_env(Path(tmp) / "instance", None), capture_output=True,
            text=True, timeout=120)
    if done.returncode == 0:
        return None
    return "\n".join((done.stdout + done.stderr).strip().splitlines()[-12:])


def flask_cli(env: dict[str, str], *args: str) -> str:
    cmd = [str(BIN / "flask"), "--app", "registry", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def http_get(port: int, path: str, headers: dict[str, str] | None = None,
             timeout: float = 10) -> tuple[int, bytes, http.client.HTTPMessage]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response.msg
    finally:
        conn.close()


@dataclass
class Server:
    name: str
    port: int
    pid: int
    cmd: list[str]

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


def gunicorn_cmd(app_spec: str, port: int) -> list[str]:
    """The one gunicorn command line of both servers: only the app differs."""
    # --threads 1: the checkout's gunicorn.conf.py asks for gthread workers (4 threads,
    # for long label downloads), which gunicorn uses in place of "sync" whenever threads
    # > 1; the targets are stated for sync workers, so both servers get exactly those.
    return [str(BIN / "gunicorn"), "--workers", str(GUNICORN_WORKERS), "--worker-class", "sync",
            "--threads", "1",
            "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--pythonpath", str(HERE),
            "--log-level", "warning", "--timeout", "60", app_spec]


@contextmanager
def gunicorn(name: str, app_spec: str, env: dict[str, str], log_path: Path, ready_path: str):
    """gunicorn in its own process group; the group is stopped on exit."""
    port = free_port()
    cmd = gunicorn_cmd(app_spec, port)
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
                status, _, _ = http_get(port, ready_path, timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer on {ready_path} within 30 s")
            time.sleep(0.1)
        yield Server(name, port, proc.pid, cmd)
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


# --------------------------------------------------------------------------- wrk

WRK_SCRIPT = """
wrk.method = "GET"
%(headers)s
sent = 0
ok = 0
bad = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function request() sent = sent + 1; return wrk.format(nil, nil) end
function response(status, headers, body)
  if status >= %(lo)d and status <= %(hi)d then ok = ok + 1 else bad = bad + 1 end
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


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_script(directory: Path, name: str, headers: dict[str, str],
               expect: tuple[int, int]) -> Path:
    """A wrk script that sets exactly ``headers`` (wrk adds Host only) and counts
    statuses in ``expect`` as successes. The Cookie header goes on wrk's command line."""
    lines = "\n".join(f"wrk.headers[{lua_string(k)}] = {lua_string(v)}"
                      for k, v in headers.items() if k.lower() != "cookie")
    path = directory / f"{name}.lua"
    path.write_text(WRK_SCRIPT % {"headers": lines, "lo": expect[0], "hi": expect[1]})
    return path


def wrk_cmd(port: int, path: str, seconds: int, settings: Settings, script: Path,
            headers: dict[str, str], threads: int | None = None,
            connections: int | None = None) -> list[str]:
    cmd = ["wrk", "-t", str(threads or settings.wrk_threads),
           "-c", str(connections or settings.connections), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", str(script)]
    for k, v in headers.items():
        if k.lower() == "cookie":
            cmd += ["-H", f"{k}: {v}"]
    return cmd + [f"http://127.0.0.1:{port}{path}"]


def run_wrk(server: Server, path: str, seconds: int, settings: Settings, script: Path,
            headers: dict[str, str]) -> dict:
    cpu_before = server.cpu_seconds()
    cmd = wrk_cmd(server.port, path, seconds, settings, script, headers)
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


class _Capture(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _CaptureHandler)
        self.first: dict[str, list[tuple[str, str]]] = {}


class _CaptureHandler(socketserver.BaseRequestHandler):
    def handle(self):
        buf = b""
        self.request.settimeout(5)
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = self.request.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                target = lines[0].split(" ")[1] if " " in lines[0] else lines[0]
                fields = [tuple(part.strip() for part in l.split(":", 1))
                          for l in lines[1:] if ":" in l]
                self.server.first.setdefault(target, fields)
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except OSError:
            return


def captured_headers(scenarios: list[Scenario], scripts: dict[str, Path],
                     settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """What wrk really sends for each path: run it for 1 s against a capture socket."""
    server = _Capture()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        out = {}
        for sc in scenarios:
            marker = f"/capture-{sc.key}{sc.path}"
            subprocess.run(wrk_cmd(port, marker, 1, settings, scripts[sc.key],
                                   dict(sc.headers), threads=1, connections=1),
                           capture_output=True, text=True, timeout=60)
            out[sc.key] = server.first.get(marker, [])
        return out
    finally:
        server.shutdown()
        server.server_close()


def bounded_client(port: int, path: str, headers: dict[str, str], total: int,
                   workers: int) -> tuple[int, int]:
    """Send exactly ``total`` requests over ``workers`` threads, waiting for each answer."""
    counts = {"ok": 0, "bad": 0}
    lock = threading.Lock()

    def work(n: int) -> None:
        ok = bad = 0
        for _ in range(n):
            try:
                status, _, _ = http_get(port, path, headers, timeout=30)
                ok, bad = (ok + 1, bad) if status == 200 else (ok, bad + 1)
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


def sign_in(port: int) -> str:
    """Log in as the demo user through the form (CSRF token from GET /login), with a
    cookie jar, and return the ``session`` cookie's value once the login's flash
    message has been shown (so the cookie no longer changes from request to request)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPCookieProcessor(jar))
    # The phone's own User-Agent: Flask-Login's session protection compares it (and the
    # address) with the login's, and on a mismatch marks the session non-fresh, which
    # rewrites the cookie on every response.
    opener.addheaders = [("User-Agent", PHONE_UA), ("Accept", ACCEPT)]
    base = f"http://127.0.0.1:{port}"
    html = opener.open(base + "/login", timeout=10).read().decode("utf-8", "replace")
    tag = next((t for t in re.findall(r"<input[^>]*>", html) if 'name="csrf_token"' in t),
               None)
    token = re.search(r'value="([^"]*)"', tag or "")
    if token is None:
        raise RuntimeError("no csrf_token field on GET /login")
    form = urllib.parse.urlencode({"csrf_token": token.group(1), "login": DEMO_LOGIN,
                                   "password": DEMO_PASSWORD}).encode()
    with opener.open(base + "/login", data=form, timeout=10) as response:  # 302 -> /
        landed = response.geturl()
        response.read()
    session = next((c.value for c in jar if c.name == "session"), None)
    if session is None or urlsplit(landed).path == "/login":
        raise RuntimeError(f"login as {DEMO_LOGIN} failed (ended on {landed})")
    for _ in range(3):  # until the server stops rewriting it (flash shown, ...)
        _, _, headers = http_get(port, "/", {"User-Agent": PHONE_UA, "Accept": ACCEPT,
                                             "Cookie": f"session={session}"})
        fresh = re.search(r"(?:^|[,\s])session=([^;]*)", headers.get("Set-Cookie") or "")
        if fresh is None:
            break
        session = fresh.group(1)
    return session


# --------------------------------------------------------------------------- the app

@dataclass
class Label:
    seq: int
    serial: str
    page: str       # /page/01/.../21/{serial}?17=YYMMDD
    resolver: str   # /01/.../21/{serial}?17=YYMMDD
    product: str    # /page/01/{GTIN}
    batch: str      # /page/01/{GTIN}/10/{lot}


@dataclass
class Instance:
    kind: str
    env: dict[str, str]
    tmp: Path
    app: object = None
    batch_id: int = 0
    run_id: int = 0
    labels: dict[int, Label] = field(default_factory=dict)


def make_app(env: dict[str, str]):
    """create_app() in this process with the same REGISTRY_* settings as the servers."""
    for key in [k for k in os.environ if k.startswith("REGISTRY_")]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith("REGISTRY_")})
    from registry import create_app

    return create_app()


def find_labels(inst: Instance, seqs) -> None:
    """Genuine labels of the demo's label run of LOT, made the way the printer makes them."""
    import sqlalchemy as sa

    from registry.extensions import db
    from registry.label_runs.operations import item_key, signer
    from registry.models import Batch, LabelRun

    with inst.app.app_context():
        batch = db.session.scalar(sa.select(Batch).where(Batch.lot_code == LOT))
        run = db.session.scalars(sa.select(LabelRun).where(LabelRun.batch_id == batch.id)
                                 .order_by(LabelRun.id)).first()
        if run is None:
            raise RuntimeError(f"the demo has no label run for lot {LOT}")
        product = batch.product
        inst.batch_id, inst.run_id = batch.id, run.id
        key = (f"/01/{product.gtin}" if product.gtin else f"/p/{product.public_token}")
        lot_part = f"{key}/10/{quote(batch.lot_code, safe='')}"
        query = f"?17={batch.expiry_date:%y%m%d}" if batch.expiry_date else ""
        for seq in seqs:
            if not 0 <= seq < run.count:
                raise RuntimeError(f"seq {seq} is outside the demo run ({run.count} labels)")
            serial = signer().make(item_key(product), batch.lot_code, run.start_seq + seq)
            full = f"{lot_part}/21/{serial}{query}"
            inst.labels[seq] = Label(run.start_seq + seq, serial, "/page" + full, full,
                                     "/page" + key, "/page" + lot_part)
        db.session.remove()


def scan_rows(inst: Instance, label: Label) -> int:
    import sqlalchemy as sa

    from registry.extensions import db
    from registry.models import Scan

    with inst.app.app_context():
        with db.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(Scan.__table__).where(
                Scan.batch_id == inst.batch_id, Scan.serial_seq == label.seq)).scalar()


def dispose(inst: Instance) -> None:
    """Close every database connection of the in-process app: its pool's, and the scan
    path's own (detached from the pool, so ``engine.dispose()`` does not reach them)."""
    from registry.extensions import db

    try:
        from registry.public.scan.service import close as close_scan_connections
    except ImportError:  # an older scan path without connections of its own
        close_scan_connections = None
    if close_scan_connections is not None:
        close_scan_connections(inst.app)
    with inst.app.app_context():
        db.session.remove()
        db.engine.dispose()


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


def measure_latency(inst: Instance, path: str, settings: Settings) -> dict:
    """Median in-process time of GET on the landing page (test client, full Flask stack).
    The scan path writes with raw DB-API statements: the query count covers the ORM
    reads only (facts reloads, the catalogue), SQL time likewise."""
    client = inst.app.test_client()
    for _ in range(settings.latency_warmup):
        client.get(path, headers=HEADERS)
    gc.collect()
    times = []
    with Probe(inst.app) as probe:
        for _ in range(settings.latency_requests):
            start = time.perf_counter()
            response = client.get(path, headers=HEADERS)
            times.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: {response.status_code}")
    n = settings.latency_requests
    times.sort()
    return {"median_ms": statistics.median(times) * 1000,
            "p90_ms": times[int(0.9 * (n - 1))] * 1000,
            "mean_ms": sum(times) / n * 1000,
            "orm_queries_per_request": probe.queries / n,
            "render_ms": probe.render_seconds / n * 1000}


def measure_ab(sides: list[tuple[str, Instance, str]], settings: Settings,
               rounds: int = 10) -> dict[str, dict]:
    """Interleaved medians: the sides take turns, so machine noise hits them alike."""
    clients = [(name, inst.app.test_client(), path) for name, inst, path in sides]
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
    dispose(inst)
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
                    batch_id=inst.batch_id, run_id=inst.run_id, labels=inst.labels)


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
    return re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", css)


def page_weight(inst: Instance, path: str) -> dict:
    client = inst.app.test_client()
    response = client.get(path, headers=HEADERS)
    html = response.get_data()
    page_url = PUBLIC_BASE_URL + path
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
    """Insert producers, products, batches, label runs, trace events, certifications, and
    scans with their ``label_clients`` and ``label_checks`` rows (one client per label)."""
    import sqlalchemy as sa

    from registry.extensions import db
    from registry.label_runs.operations import item_key, order_label_run, signer
    from registry.labels.gs1 import gtin_check_digit
    from registry.models import (
        AdminUnit,
        Batch,
        BatchStatus,
        BizStep,
        Certification,
        CertificationKind,
        ClientClass,
        LabelCheck,
        LabelClient,
        LabelRun,
        Producer,
        ProducerKind,
        Product,
        ProductStatus,
        Scan,
        TraceEvent,
        UnitLevel,
    )
    from registry.ocop.groups import GROUPS
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
    run_id, big_start, big_count = big_run
    rest = max(0, settings.scans - big_count)
    if rest > len(batch_ids) * settings.labels_per_batch:
        raise RuntimeError("more scans than bulk labels: raise labels_per_batch")

    def scans():
        """One scan per label, a client of its own each: every scan has its own
        label_clients row and its label a label_checks row."""
        for i in range(big_count):  # every label of the big run, on the measured batch
            yield (inst.batch_id, run_id, big_serials[i], big_start + i)
        for i in range(rest):       # the rest spread over the bulk batches
            b = batch_ids[i % len(batch_ids)]
            yield (b, run_of[b], "".join(rng.choices(TOKEN_ALPHABET, k=10)),
                   i // len(batch_ids))

    for part in _chunks(scans(), 20_000):
        scan_rows_, client_rows, check_rows = [], [], []
        for batch_id, label_run_id, serial, seq in part:
            at = now - timedelta(seconds=rng.randrange(year))
            cls = rng.choice(classes)
            client = f"{rng.getrandbits(64):016x}"
            scan_rows_.append({"batch_id": batch_id, "label_run_id": label_run_id,
                               "serial": serial, "serial_seq": seq, "scanned_at": at,
                               "client_class": cls, "client_hash": client})
            if cls in (ClientClass.PHONE, ClientClass.BROWSER):
                client_rows.append({"batch_id": batch_id, "serial_seq": seq,
                                    "client_hash": client, "hits": 1, "counted_hit": 1,
                                    "first_seen_at": at, "last_counted_at": at})
                check_rows.append({"batch_id": batch_id, "serial_seq": seq, "checks": 1,
                                   "clients": 1, "first_checked_at": at,
                                   "last_checked_at": at})
        with engine.begin() as conn:
            conn.execute(sa.insert(Scan.__table__), scan_rows_)
            if client_rows:
                conn.execute(sa.insert(LabelClient.__table__), client_rows)
                conn.execute(sa.insert(LabelCheck.__table__), check_rows)
        for table, rows in (("scans", scan_rows_), ("label_clients", client_rows),
                            ("label_checks", check_rows)):
            counts[table] = counts.get(table, 0) + len(rows)
    analyzed = False
    if engine.dialect.name == "postgresql":
        # What autovacuum would do shortly after a load this size.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
        analyzed = True
    with engine.connect() as conn:
        totals = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("products", "producers", "batches", "scans", "label_clients",
                            "label_checks")}
        on_batch = conn.execute(sa.select(sa.func.count()).select_from(Scan.__table__)
                                .where(Scan.batch_id == inst.batch_id)).scalar()
    return {"inserted": counts, "totals": totals, "scans_on_measured_batch": on_batch,
            "seconds": time.perf_counter() - started, "analyzed": analyzed}


# --------------------------------------------------------------------------- PostgreSQL

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


# --------------------------------------------------------------------------- throughput

def scenarios_for(label: Label, cookie: str) -> list[Scenario]:
    phone = (("User-Agent", PHONE_UA), ("Accept", ACCEPT),
             ("Accept-Language", "vi-VN,vi;q=0.9"))
    no_accept = (("User-Agent", PHONE_UA), ("Accept-Language", "vi-VN,vi;q=0.9"))
    en = label.page + ("&" if "?" in label.page else "?") + "lang=en"
    return [
        Scenario("landing", "1 landing page (phone)", label.page, phone, 0.5,
                 records=True, exact=True),
        Scenario("landing_en", "2 landing page &lang=en", en, phone, 0.35, records=True),
        Scenario("landing_noaccept", "3 landing page, no Accept", label.page, no_accept, 0.35,
                 records=True),
        Scenario("landing_signed_in", "4 landing page, signed in", label.page,
                 phone + (("Cookie", f"session={cookie}"),), 0.35, records=True),
        Scenario("resolver", "5 resolver redirect (307)", label.resolver, phone, 0.8,
                 expect=(307, 307)),
        Scenario("product", "6 product page", label.product, phone, 0.25),
        Scenario("batch", "6 batch page", label.batch, phone, 0.25),
        Scenario("home", "6 catalogue home /", "/", phone, 0.25),
        Scenario("api_list", "7 API /api/v1/products (JSON)", "/api/v1/products",
                 (("User-Agent", "kho/1.0"), ("Accept", "application/json")), 0.2),
        Scenario("api_gtin_en", "7 API products?gtin=, English",
                 "/api/v1/products?gtin=" + label.product.rsplit("/", 1)[-1],
                 (("Accept", "application/json"), ("Accept-Language", "en")), 0.2),
    ]


def probe_scenario(port: int, sc: Scenario) -> str:
    """One request as wrk will send it: status and what the answer looks like."""
    status, body, headers = http_get(port, sc.path, dict(sc.headers))
    text = body.decode("utf-8", "replace")
    notes = [f"HTTP {status}", f"{len(body):,} B"]
    if sc.expect == (307, 307):
        notes.append(f"Location {headers.get('Location')}")
    if sc.key == "landing_signed_in":
        notes.append("signed in" if 'action="/logout"' in text else "NOT SIGNED IN")
    if headers.get("Set-Cookie"):
        notes.append(f"Set-Cookie {headers.get('Set-Cookie').split('=')[0]}")
    lang = re.search(r'<html[^>]*lang="([^"]+)"', text)
    if lang:
        notes.append(f"lang {lang.group(1)}")
    return ", ".join(notes)


def throughput(inst: Instance, settings: Settings, work: Path) -> dict:
    label = inst.labels[SEQ_LOAD]
    logs = inst.tmp / "gunicorn.log"
    results: dict = {"rows": {}, "scenarios": {}}
    with gunicorn("hello", "hello_app:app", inst.env, logs, "/") as hello_server, \
            gunicorn("registry", "registry:create_app()", inst.env, logs,
                     "/healthz") as app_server:
        for server in (hello_server, app_server):
            command = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(server.cmd))
            log(f"  {server.name:8s}: {command}")
        cookie = sign_in(app_server.port)
        scenarios = scenarios_for(label, cookie)
        scripts = {sc.key: wrk_script(work, sc.key, dict(sc.headers), sc.expect)
                   for sc in scenarios}
        hello_scripts = {sc.key: wrk_script(work, "hello-" + sc.key, dict(sc.headers),
                                            (200, 299)) for sc in scenarios}
        sent = captured_headers(scenarios, scripts, settings)
        log("  what wrk sends (checked on a capture socket) and a first answer:")
        header_ok = True
        for sc in scenarios:
            names = [k for k, _ in sent[sc.key]]
            want = {k.lower() for k, _ in sc.headers} | {"host"}
            got = {k.lower() for k in names}
            header_ok = header_ok and got == want
            log(f"    {sc.title:28s} {sc.path}")
            log(f"    {'':28s} headers: {', '.join(names) or 'NONE CAPTURED'}"
                f"{'' if got == want else '  <-- expected ' + ', '.join(sorted(want))}")
            log(f"    {'':28s} answer: {probe_scenario(app_server.port, sc)}")
        results["headers_ok"] = header_ok

        # Warm-up: hello, then every path once (caches, lazily built state, the WAL file),
        # so that no path pays for being measured first.
        run_wrk(hello_server, "/", 2 * settings.warmup, settings,
                hello_scripts["landing"], dict(scenarios[0].headers))
        warm = {sc.key: run_wrk(app_server, sc.path, settings.warmup, settings,
                                scripts[sc.key], dict(sc.headers)) for sc in scenarios}
        log(f"\n  load: wrk -t{settings.wrk_threads} -c{settings.connections} "
            f"-d{settings.duration}s, hello then path, {settings.repeats} pair(s) per path"
            f" (after {settings.warmup} s of warm-up on each path)")
        for sc in scenarios:
            headers = dict(sc.headers)
            pairs = []
            for _ in range(settings.repeats):
                load = os.getloadavg()[0]
                hello = run_wrk(hello_server, "/", settings.duration, settings,
                                hello_scripts[sc.key], headers)
                before = scan_rows(inst, label)
                run = run_wrk(app_server, sc.path, settings.duration, settings,
                              scripts[sc.key], headers)
                time.sleep(0.5)  # let requests abandoned at wrk's cut-off finish
                added = scan_rows(inst, label) - before
                pairs.append({"hello": hello, "run": run, "rows_added": added})
                log(f"    {sc.title:28s} {run['rps']:8.1f} req/s vs hello {hello['rps']:8.1f}"
                    f" → {run['rps'] / hello['rps']:.2f}; errors {run['errors']}"
                    f" (hello {hello['errors']}); scan rows +{added:,} for {run['ok']:,}"
                    f" answers, {run['sent'] - run['requests']} abandoned at cut-off;"
                    f" load avg {load:.1f}")
            entry = summarize(sc, pairs, warm[sc.key])
            results["scenarios"][sc.key] = entry
            if sc.exact:
                before = scan_rows(inst, label)
                ok_n, bad_n = bounded_client(app_server.port, sc.path, headers,
                                             settings.exact_requests, settings.connections)
                added = scan_rows(inst, label) - before
                exact = {"requests": settings.exact_requests, "ok": ok_n, "bad": bad_n,
                         "rows_added": added,
                         "ok_exact": ok_n == settings.exact_requests == added}
                entry["exact"] = exact
                entry["met"] = entry["met"] and exact["ok_exact"]
                log(f"    {'':28s} exact check: {settings.exact_requests} requests over "
                    f"{settings.connections} threads, each answer awaited: {ok_n} × 200, "
                    f"{bad_n} other, scan rows +{added} → {verdict(exact['ok_exact'])}")
    return results


def summarize(sc: Scenario, pairs: list[dict], warm: dict) -> dict:
    rps = statistics.mean(p["run"]["rps"] for p in pairs)
    hello = statistics.mean(p["hello"]["rps"] for p in pairs)
    ratio = statistics.mean(p["run"]["rps"] / p["hello"]["rps"] for p in pairs)
    errors = sum(p["run"]["errors"] for p in pairs)
    hello_errors = sum(p["hello"]["errors"] for p in pairs)
    if sc.records:
        # rows == 200s, or more only by requests wrk abandoned in flight at its cut-off
        exact = all(p["rows_added"] == p["run"]["ok"] for p in pairs)
        within = all(p["run"]["ok"] <= p["rows_added"] <= p["run"]["ok"] + p["run"]["sent"]
                     - p["run"]["requests"] for p in pairs)
    else:
        exact = within = all(p["rows_added"] == 0 for p in pairs)
    met = ratio >= sc.target and errors == 0 and within
    return {"title": sc.title, "path": sc.path, "target": sc.target, "rps": rps,
            "hello_rps": hello, "ratio": ratio, "errors": errors, "hello_errors": hello_errors,
            "warmup_errors": warm["errors"], "rows_exact": exact, "rows_within": within,
            "met": met, "pairs": pairs,
            "cpu_ms": statistics.mean(p["run"]["server_cpu_ms"] for p in pairs),
            "hello_cpu_ms": statistics.mean(p["hello"]["server_cpu_ms"] for p in pairs),
            "p50_ms": statistics.mean(p["run"]["p50_us"] for p in pairs) / 1000,
            "p99_ms": statistics.mean(p["run"]["p99_us"] for p in pairs) / 1000,
            "rows_added": sum(p["rows_added"] for p in pairs),
            "ok": sum(p["run"]["ok"] for p in pairs),
            "abandoned": sum(p["run"]["sent"] - p["run"]["requests"] for p in pairs)}


def table(rows: list[list[str]], align: str) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def fmt(r):
        return " | ".join(c.ljust(w) if a == "l" else c.rjust(w)
                          for c, w, a in zip(r, widths, align))

    return [fmt(rows[0]), "-+-".join("-" * w for w in widths)] + [fmt(r) for r in rows[1:]]


def print_tables(kind: str, res: dict) -> None:
    scen = res["throughput"]["scenarios"]
    rows = [["path", "req/s", "hello req/s", "ratio", "target", "met?"]]
    for e in scen.values():
        why = [] if e["ratio"] >= e["target"] else ["ratio"]
        if e["errors"]:
            why.append(f"{e['errors']} errors")
        if not e["rows_within"]:
            why.append("scan rows")
        if "exact" in e and not e["exact"]["ok_exact"]:
            why.append("exact check")
        rows.append([e["title"], f"{e['rps']:.1f}", f"{e['hello_rps']:.1f}",
                     f"{e['ratio']:.2f}", f">= {e['target']}",
                     "yes" if e["met"] else "NO (" + ", ".join(why) + ")"])
    log(f"\n  {kind}: req/s under gunicorn ({GUNICORN_WORKERS} sync workers)")
    for line in table(rows, "lrrrll"):
        log("  " + line)
    rows = [["path", "errors", "p50 ms", "p99 ms", "CPU ms/req", "hello CPU ms/req",
             "CPU ratio", "answers", "scan rows added"]]
    for e in scen.values():
        rows.append([e["title"], str(e["errors"]), f"{e['p50_ms']:.1f}", f"{e['p99_ms']:.1f}",
                     f"{e['cpu_ms']:.2f}", f"{e['hello_cpu_ms']:.2f}",
                     f"{e['hello_cpu_ms'] / max(e['cpu_ms'], 1e-9):.2f}", f"{e['ok']:,}",
                     f"{e['rows_added']:,}" + (" (= answers)" if e["rows_exact"] and e["ok"]
                                               and e["rows_added"] else
                                               f" (+{e['rows_added'] - e['ok']} at cut-off)"
                                               if e["rows_within"] and e["rows_added"] else
                                               "" if e["rows_within"] else " MISMATCH")])
    log("\n  details (CPU ratio = hello's server CPU per request / the path's: what the ratio"
        " would be with both CPU-bound; steadier than req/s on a busy machine)")
    for line in table(rows, "lrrrrrrrl"):
        log("  " + line)


# --------------------------------------------------------------------------- one database

def run_database(kind: str, settings: Settings, args, work: Path, results: dict) -> dict:
    """Measure one database, filling ``results`` as it goes (kept if a later step fails)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"scan-bench-{kind}-"))
    pg_name = f"scan_bench_{os.getpid()}"
    database_url = None
    inst = demo = None
    copies: list[str] = []
    try:
        if kind == "postgresql":
            database_url = create_pg_database(args.pg_url, pg_name)
        env = base_env(tmp / "instance", database_url)
        t0 = time.perf_counter()
        flask_cli(env, "db", "upgrade")
        out = flask_cli(env, "demo")
        log(f"  setup (db upgrade, demo): {time.perf_counter() - t0:.1f} s — "
            f"{out.strip().splitlines()[0]}")
        inst = Instance(kind, env, tmp, app=make_app(env))
        find_labels(inst, (SEQ_LOAD, *SEQ_LATENCY))
        label = inst.labels[SEQ_LOAD]
        log(f"  label: lot {LOT}, seq {label.seq}, serial {label.serial}")

        # 3. page weight (in-process) ------------------------------------------------
        weight = page_weight(inst, inst.labels[SEQ_LATENCY[0]].page)
        results["weight"] = weight
        results["target3"] = (weight["total_bytes"] < PAGE_BUDGET and weight["status"] == 200
                              and not weight["external_blocking"])

        # 2a. latency with the demo data ---------------------------------------------
        if settings.scaling:
            before = measure_latency(inst, inst.labels[SEQ_LATENCY[0]].page, settings)
            results["latency_demo"] = before
            demo = snapshot(inst, args, pg_name, copies)

        # 1. throughput --------------------------------------------------------------
        dispose(inst)
        results["throughput"] = throughput(inst, settings, work)
        print_tables(kind, results)

        # 2b. latency with bulk data -------------------------------------------------
        if settings.scaling:
            log(f"\n  scaling: bulk load of {settings.products:,} products over "
                f"{settings.producers:,} producers, {settings.batches:,} batches, "
                f"{settings.scans:,} scans ({settings.measured_batch_scans:,} on lot {LOT}) …")
            bulk = bulk_load(inst, settings)
            results["bulk"] = bulk
            log(f"    loaded in {bulk['seconds']:.0f} s; tables now: "
                + ", ".join(f"{t} {n:,}" for t, n in bulk["totals"].items())
                + f"; scans on {LOT}: {bulk['scans_on_measured_batch']:,}"
                + ("; ANALYZE run" if bulk["analyzed"] else ""))
            after = measure_latency(inst, inst.labels[SEQ_LATENCY[1]].page, settings)
            results["latency_big"] = after
            results["latency_ratio_sequential"] = after["median_ms"] / before["median_ms"]
            ab_path = inst.labels[SEQ_LATENCY[2]].page  # unused in both databases so far
            ab = measure_ab([("demo", demo, ab_path), ("bulk", inst, ab_path)], settings)
            results["latency_ab"] = ab
            ratio = ab["bulk"]["median_ms"] / ab["demo"]["median_ms"]
            results["latency_ratio"] = ratio
            results["target2"] = ratio <= MAX_LATENCY_RATIO
            log(f"    landing page, in-process median: demo data {before['median_ms']:.2f} ms "
                f"({before['orm_queries_per_request']:.1f} ORM queries/request), bulk "
                f"{after['median_ms']:.2f} ms ({after['orm_queries_per_request']:.1f}); "
                f"sequential ratio {results['latency_ratio_sequential']:.2f}")
            log(f"    interleaved A/B, {ab['demo']['n']} requests each: demo copy "
                f"{ab['demo']['median_ms']:.2f} ms (p90 {ab['demo']['p90_ms']:.2f}), bulk "
                f"{ab['bulk']['median_ms']:.2f} ms (p90 {ab['bulk']['p90_ms']:.2f}) → ratio "
                f"{ratio:.2f} (target <= {MAX_LATENCY_RATIO}) {verdict(results['target2'])}")
        css = ", ".join(f"{p} {n:,} B" for p, n in weight["css"].items())
        log(f"\n  page weight: HTML {weight['html_bytes']:,} B + CSS {css} = "
            f"{weight['total_bytes']:,} B ({weight['gzip_bytes']:,} B gzipped; budget "
            f"{PAGE_BUDGET:,} B); render-blocking from another host: "
            f"{weight['external_blocking'] or 'none'} → {verdict(results['target3'])}")
        return results
    finally:
        for one in (inst, demo):
            if one is not None and one.app is not None:
                dispose(one)
        if kind == "postgresql":
            for name in [pg_name, *copies]:
                try:
                    drop_pg_database(args.pg_url, name)
                except Exception as error:  # noqa: BLE001 - report, keep cleaning up
                    log(f"  could not drop database {name}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)


def final_line(r: dict) -> str:
    scen = r["throughput"]["scenarios"]
    met = sum(e["met"] for e in scen.values())
    landing = scen["landing"]
    exact = landing.get("exact", {}).get("ok_exact", False)
    parts = [f"{met}/{len(scen)} throughput targets met",
             "landing scan rows " + ("== 200s" if landing["rows_exact"] else "within cut-off"
                                     if landing["rows_within"] else "MISMATCH")
             + f", exact check {verdict(exact)}",
             f"wrk headers {'as intended' if r['throughput']['headers_ok'] else 'NOT as intended'}"]
    if "latency_ratio" in r:
        parts.append(f"scaling {r['latency_ratio']:.2f} (<= {MAX_LATENCY_RATIO}) "
                     f"{verdict(r['target2'])}")
    parts.append(f"page weight {verdict(r['target3'])}")
    return f"{r['db']}: " + "; ".join(parts)


# --------------------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "postgres", "both"],
                        default="both")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 10)")
    parser.add_argument("--quick", action="store_true",
                        help="3 s loads, 2,000 products and 20,000 scans for the scaling check")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server (a database is created and dropped on it)")
    parser.add_argument("--connections", type=int, help="wrk connections (default 8)")
    parser.add_argument("--repeats", type=int, help="hello/path pairs per path (default 1)")
    parser.add_argument("--bulk-products", type=int,
                        help="products for the scaling check (default 100,000)")
    parser.add_argument("--bulk-scans", type=int,
                        help="scans for the scaling check (default 1,000,000)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling check")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db == "postgres":
        args.db = "postgresql"
    if urlsplit(args.pg_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--pg-url must point at this machine")

    settings = Settings(**QUICK) if args.quick else Settings()
    for name, value in (("duration", args.duration), ("connections", args.connections),
                        ("repeats", args.repeats), ("products", args.bulk_products),
                        ("scans", args.bulk_scans)):
        if value:
            setattr(settings, name, value)
    settings.scaling = not args.no_scaling
    if not ensure_wrk():
        return 2
    failure = check_create_app()
    if failure is not None:
        log("create_app() fails in a fresh interpreter, so nothing can be measured:\n"
            + failure)
        return 2

    if args.child:  # one database, in a fresh interpreter started by the parent below
        result = {"db": args.db}
        with tempfile.TemporaryDirectory(prefix="scan-bench-wrk-") as work:
            try:
                run_database(args.db, settings, args, Path(work), result)
            except Exception as error:  # noqa: BLE001 - report it to the parent
                import traceback

                log(f"\n  ERROR during the {args.db} run: {error!r}")
                log("  " + "".join(traceback.format_exc().splitlines(True)[-6:]).strip())
                result["error"] = repr(error)
        args.json.write_text(json.dumps(result, default=str))
        return 0

    started = time.perf_counter()
    files = code_files()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    log(f"scan benchmark — {'quick' if args.quick else 'full'} run, {os.cpu_count()} CPUs, "
        f"python {sys.version.split()[0]}, {wrk.split(' [')[0].strip()}")
    log(f"code: {git_state()}")
    all_results = []
    with tempfile.TemporaryDirectory(prefix="scan-bench-results-") as work:
        for kind in kinds:
            log(f"\n=== {kind} ===")
            log(f"  code: {git_state()}")
            t0 = time.perf_counter()
            # Each database in a fresh interpreter: the in-process app (latency, page
            # weight) then imports the code as it is now, like the servers it starts.
            out = Path(work) / f"{kind}.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--db", kind,
                   "--pg-url", args.pg_url, "--json", str(out)]
            for flag, value in (("--duration", settings.duration),
                                ("--connections", settings.connections),
                                ("--repeats", settings.repeats),
                                ("--bulk-products", settings.products),
                                ("--bulk-scans", settings.scans)):
                cmd += [flag, str(value)]
            cmd += (["--quick"] if args.quick else []) + (["--no-scaling"]
                                                          if args.no_scaling else [])
            done = subprocess.run(cmd, cwd=ROOT, check=False)
            if out.exists():
                all_results.append(json.loads(out.read_text()))
            else:
                all_results.append({"db": kind, "error": f"exit status {done.returncode}"})
            all_results[-1]["seconds"] = time.perf_counter() - t0
            now = code_files()
            changed = changed_files(files, now)
            all_results[-1]["code_changed"] = changed
            if changed:
                log(f"\n  WARNING: files changed during the {kind} run: {', '.join(changed)}."
                    f" If the scan path is among them, its figures mix two versions of the"
                    f" code: run again.")
                files = now

    log("\n=== summary ===")
    if len(all_results) > 1:
        for r in all_results:
            if "throughput" in r:
                print_tables(r["db"], r)
        log("")
    for r in all_results:
        log((final_line(r) if "error" not in r else
             f"{r['db']}: FAILED ({r['error']})"
             + (" after the throughput tables above" if "throughput" in r else ""))
            + f" ({r['seconds']:.0f} s)"
            + (f" — files changed during the run: {', '.join(r['code_changed'])}"
               if r.get("code_changed") else ""))
    log(f"total time {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(all_results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
