"""Printing as users run it, process to process: the CLI against the naive way, and
label runs ordered from the web, made by a real worker and downloaded by a slow client.

    python benchmarks/print_jobs_bench.py            # 10,000-label CLI; jobs 10,000 vs 100,000
    python benchmarks/print_jobs_bench.py --quick    # 2,000-label CLI; jobs 2,000 vs 20,000

Prints:
* CLI: ``flask labels print LOT --count N --layout a4-3x8`` as a new process (start-up,
  database, serials, PDF), against a naive process that writes ``qrcode.make(url)`` as
  a PNG per label and nothing else (naive run on a tenth of the labels, per label cost
  scaled: its cost is linear) - target at least 25x;
* jobs: a member orders N labels through the order form (the web app, in this process),
  a fresh ``flask jobs worker`` process on the SQLite queue makes the PDF; the worker's
  peak resident memory (VmHWM) for the small and the ten-times larger run, and their
  ratio (target at most 1.5);
* the large run's PDF downloaded from gunicorn (``--timeout 30``) by a client throttled
  to 1 MB/s: complete (same bytes as the file), page count, and every code of a sample of
  pages decoded with zxing-cpp.

Not a pytest test; read the figures. Uses a throwaway instance folder (SQLite).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

NAIVE = r"""
import os, sys, tempfile, qrcode
count, base = int(sys.argv[1]), sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    for i in range(count):
        url = f"{base}/01/08936000000017/10/LOT1/21/{i:014d}?17=261231"
        qrcode.make(url).save(os.path.join(tmp, f"{i}.png"))
"""


def env_for(instance: Path) -> dict:
    env = dict(os.environ)
    env.update({"REGISTRY_INSTANCE_PATH": str(instance),
                "REGISTRY_SECRET_KEY": "bench-secret-key-not-a-real-secret-0123456789",
                "REGISTRY_PUBLIC_BASE_URL": "https://ocop.example.vn"})
    env.pop("REGISTRY_DATABASE_URL", None)
    return env


def flask(instance: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "registry", *args], cwd=ROOT,
                          env=env_for(instance), check=True, capture_output=True, text=True,
                          **kw)


def timed(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def cli_figures(instance: Path, count: int) -> None:
    from registry.demo.loader import load_demo  # noqa: F401 - fail early if missing

    naive_count = max(200, count // 10)
    rounds = []
    for r in range(3):
        out = instance / f"cli-{r}.pdf"
        ours = timed([str(BIN / "flask"), "--app", "registry", "labels", "print", "LC2611A",
                      "--count", str(count), "--layout", "a4-3x8", "--output", str(out)],
                     env_for(instance))
        naive = timed([sys.executable, "-c", NAIVE, str(naive_count), "https://ocop.example.vn"])
        rounds.append((ours, naive))
    ours = min(r[0] for r in rounds)
    naive = min(r[1] for r in rounds) / naive_count * count
    print(f"CLI, {count:,} labels to A4 3x8 PDF, process to process (best of 3):")
    print(f"  ours  {ours:7.2f} s  ({ours / count * 1000:.3f} ms/label, start-up included)")
    print(f"  naive {naive:7.2f} s  (qrcode.make + PNG per label, {naive_count:,} labels "
          "measured, scaled)")
    print(f"  speed-up {naive / ours:.1f}x (target >= 25x)")


def opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def login(browser, base: str) -> None:
    page = browser.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"login": "thienvantuong", "password": "ocop-demo-2026",
                                   "csrf_token": token}).encode()
    browser.open(base + "/login", data=data).read()


def order(browser, base: str, batch_id: int, count: int) -> int:
    page = browser.open(f"{base}/portal/batches/{batch_id}/labels").read().decode()
    fields = {name: re.search(rf'name="{name}"[^>]*value="([^"]+)"', page).group(1)
              for name in ("csrf_token", "order_token")}
    fields.update({"count": str(count), "layout": "a4-3x8", "ecc": "M", "offset_x_mm": "0",
                   "offset_y_mm": "0", "start_position": "1", "show_decision_end": "y",
                   "confirm_repeat": "y"})
    response = browser.open(f"{base}/portal/batches/{batch_id}/labels",
                            data=urllib.parse.urlencode(fields).encode())
    return int(response.url.rstrip("/").rsplit("/", 1)[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def job_figures(instance: Path, small: int, large: int) -> None:
    import sqlalchemy as sa

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = env_for(instance)
    env["REGISTRY_PUBLIC_BASE_URL"] = base
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--timeout", "30",
                               "--bind", f"127.0.0.1:{port}", "registry:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    engine = sa.create_engine(f"sqlite:///{instance / 'registry.sqlite3'}")
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        browser = opener()
        login(browser, base)
        with engine.connect() as c:
            batch_id = c.execute(sa.text("SELECT id FROM batches WHERE lot_code='LC2611A'"))\
                .scalar()
        peaks, runs = {}, {}
        for count in (small, large):
            run_id = order(browser, base, batch_id, count)
            worker = subprocess.Popen([str(BIN / "flask"), "--app", "registry", "jobs",
                                       "worker"], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            start, peak = time.perf_counter(), 0
            while True:
                with engine.connect() as c:
                    status, done = c.execute(sa.text(
                        "SELECT status, done FROM label_files WHERE run_id=:r"),
                        {"r": run_id}).one()
                try:
                    status_file = Path(f"/proc/{worker.pid}/status").read_text()
                    peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", status_file)[1]))
                except (OSError, TypeError):
                    pass
                if status in ("done", "failed"):
                    break
                time.sleep(0.2)
            seconds = time.perf_counter() - start
            worker.terminate()
            worker.wait(30)
            assert status == "done", status
            peaks[count], runs[count] = peak / 1024, run_id
            print(f"job of {count:,} labels: {seconds:6.1f} s in the worker, "
                  f"peak memory {peak / 1024:6.1f} MB")
        print(f"  memory ratio {peaks[large] / peaks[small]:.2f} (target <= 1.5)")
        download(browser, base, runs[large], large, instance)
    finally:
        server.terminate()
        server.wait(30)


def download(browser, base: str, run_id: int, count: int, instance: Path) -> None:
    import pypdfium2 as pdfium
    import zxingcpp

    url = f"{base}/portal/label-runs/{run_id}/labels.pdf"
    rate = 1024 * 1024  # bytes per second
    start = time.perf_counter()
    response = browser.open(url)
    length = int(response.headers["Content-Length"])
    got = bytearray()
    while chunk := response.read(64 * 1024):
        got += chunk
        ahead = len(got) / rate - (time.perf_counter() - start)
        if ahead > 0:
            time.sleep(ahead)
    seconds = time.perf_counter() - start
    files = sorted((instance / "label-files").glob(f"run-{run_id}-pdf-*"))
    same = files and files[0].read_bytes() == bytes(got)
    doc = pdfium.PdfDocument(bytes(got))
    pages = len(doc)
    sample = sorted({0, pages // 3, pages // 2, pages - 1})
    decoded = 0
    for i in sample:
        image = doc[i].render(scale=200 / 72, grayscale=True).to_pil()
        decoded += len(zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))
    print(f"download of the {count:,}-label PDF at 1 MB/s: {len(got) / 1e6:.1f} MB of "
          f"{length / 1e6:.1f} MB in {seconds:.0f} s (gunicorn timeout 30 s), same bytes as "
          f"the worker's file: {bool(same)}; {pages:,} pages (expected "
          f"{-(-count // 24):,}); {decoded} codes decoded on pages "
          f"{', '.join(str(i + 1) for i in sample)} (expected "
          f"{sum(min(24, count - 24 * i) for i in sample)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    count = 2_000 if args.quick else 10_000
    instance = Path(tempfile.mkdtemp(prefix="print-bench-"))
    try:
        flask(instance, "db", "upgrade")
        flask(instance, "demo")
        print(f"Printing benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
              f"load {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
        if not args.skip_cli:
            cli_figures(instance, count)
        job_figures(instance, count, count * 10)
    finally:
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
