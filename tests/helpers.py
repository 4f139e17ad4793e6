"""Helpers the tests share: a form's CSRF token, posting a form as a browser does, the
audit entries of an action, a free port, and the registry served by gunicorn."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def page_token(client, url: str) -> str:
    """The CSRF token of the form on page ``url``."""
    return csrf_token(client.get(url).get_data(as_text=True))


def post_form(client, url: str, page: str | None = None, **data):
    """POST ``data`` to ``url`` with the CSRF token of the page the form is on
    (``page``, default ``url``), as a browser sends it."""
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def session_token(client) -> str:
    """A valid CSRF token of the client's session (from the logout form, else the login
    form), so that a refused post is refused for its permission, not its token."""
    html = client.get("/").get_data(as_text=True)
    if 'name="csrf_token"' not in html:
        html = client.get("/login").get_data(as_text=True)
    return csrf_token(html)


def post_in_session(client, url: str, data: dict | None = None, **kw):
    """POST ``data`` to ``url`` with the session's CSRF token (:func:`session_token`)."""
    return client.post(url, data={"csrf_token": session_token(client), **(data or {})}, **kw)


def audit(action: str) -> list:
    """The audit entries of ``action``, oldest first."""
    from registry.extensions import db
    from registry.models import AuditEntry

    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def count(model) -> int:
    """How many rows ``model`` has."""
    from registry.extensions import db

    return db.session.scalar(db.select(db.func.count()).select_from(model))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """The registry served by gunicorn from the checkout, as in production::

        with Gunicorn(env, workers=2) as server:
            urllib.request.urlopen(server.base + "/healthz")
        server.log  # everything gunicorn and the app wrote

    Started with ``env`` on a free port; ready once ``/healthz`` answers (or after
    ``wait`` seconds); stopped, with its log read, on leaving the block.
    """

    def __init__(self, env: dict, *, workers: int = 2, timeout: int | None = None,
                 log_path: Path | None = None, wait: float = 15.0):
        self.env, self.workers, self.timeout, self.wait = env, workers, timeout, wait
        self.log_path, self.log = log_path, ""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> Gunicorn:
        command = [str(Path(sys.executable).with_name("gunicorn")), "--workers",
                   str(self.workers), "--bind", f"127.0.0.1:{self.port}"]
        if self.timeout is not None:
            command += ["--timeout", str(self.timeout)]
        out = open(self.log_path, "wb") if self.log_path else subprocess.PIPE
        self.process = subprocess.Popen(command + ["registry:create_app()"], cwd=ROOT,
                                        env=dict(self.env, REGISTRY_PUBLIC_BASE_URL=self.env.get(
                                            "REGISTRY_PUBLIC_BASE_URL", self.base)),
                                        stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        return self

    def stop(self) -> None:
        self.process.terminate()
        output = self.process.communicate(timeout=30)[0]
        if self.log_path:
            self.log = self.log_path.read_text(errors="replace")
        else:
            self.log = output.decode(errors="replace")
