"""Error pages: a clear message and the right status, HTML or JSON, never a stack trace."""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, g, has_request_context, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: lambda: _("Yêu cầu không hợp lệ."),
    401: lambda: _("Vui lòng đăng nhập để tiếp tục."),
    403: lambda: _("Bạn không có quyền thực hiện thao tác này."),
    404: lambda: _("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."),
    405: lambda: _("Phương thức không được hỗ trợ cho địa chỉ này."),
    409: lambda: _("Không làm được việc này với dữ liệu như hiện nay."),
    413: lambda: _("Tệp hoặc dữ liệu gửi lên quá lớn."),
    429: lambda: _("Bạn đã gửi quá nhiều lần trong thời gian ngắn nên lần này chưa được "
                   "lưu. Vui lòng thử lại sau."),
    500: lambda: _("Đã xảy ra lỗi ở máy chủ. Dữ liệu đã lưu trước đó không bị ảnh hưởng."),
    503: lambda: _("Cơ sở dữ liệu đang bận, vui lòng thử lại sau ít phút. Dữ liệu đã lưu "
                   "trước đó không bị ảnh hưởng."),
}


class OutageLog:
    """One log line when the database stops answering, one when it is back: not one
    traceback per request. A burst ends with the first request that used the database
    again, or after ``QUIET_SECONDS`` without a failure."""

    QUIET_SECONDS = 30.0

    def __init__(self) -> None:
        self.since: float | None = None
        self.last = 0.0
        self.refused = 0
        self._lock = threading.Lock()

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            if self.since is None or now - self.last > self.QUIET_SECONDS:
                self.since, self.refused = now, 0
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()
                log.warning("database unavailable (%s): answering 503 with Retry-After "
                            "until it is back", reason[0][:200] if reason else type(error))
            self.last = now
            self.refused += 1

    def used(self) -> None:
        """A request used the database and was answered: the outage, if any, is over."""
        if self.since is None:
            return  # the usual case: no lock taken
        with self._lock:
            if self.since is None:
                return
            log.warning("database back after %.1f s; %d requests were answered 503",
                        time.monotonic() - self.since, self.refused)
            self.since = None


outage = OutageLog()


@event.listens_for(Session, "after_begin")
def _database_answered(session, transaction, connection) -> None:
    if has_request_context():  # a connection was had: the database is there
        g.database_used = True


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or best == "application/json"


def problem(status: int, title: str, detail: str | None = None, *,
            errors: dict | None = None, instance: str | None = None):
    """An RFC 9457 problem details answer (``application/problem+json``)."""
    body: dict = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.mimetype = "application/problem+json"
    response.status_code = status
    return response


def render_error(status: int, detail: str | None = None, errors: dict | None = None):
    message = MESSAGES.get(status, MESSAGES[500])()
    if request.path.startswith("/api/"):
        return problem(status, message, detail, errors=errors, instance=request.path)
    if wants_json():
        return jsonify(error=message, detail=detail, status=status), status
    return render_template("errors/error.html", status=status, message=message,
                           detail=detail), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, _("Phiên biểu mẫu đã hết hạn hoặc không hợp lệ. "
                                   "Vui lòng tải lại trang và gửi lại."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 401:
            from flask import redirect, url_for

            if not wants_json():
                return redirect(url_for("auth.login", next=request.full_path))
        if error.code is None or error.code < 400:
            return error
        detail = error.description if error.code in (400, 413) else None
        if detail == type(error).description:
            detail = None  # werkzeug's generic English text adds nothing
        # webargs (the API's query strings) says per parameter what is wrong.
        messages = (getattr(error, "data", None) or {}).get("messages")
        if messages:
            detail = _("Một số tham số không hợp lệ.")
        response = make_response(render_error(error.code, detail, errors=messages))
        if error.code == 401 and request.path.startswith("/api/"):  # a token is asked for
            response.headers["WWW-Authenticate"] = 'Bearer realm="ocop-registry"'
        if getattr(error, "valid_methods", None):  # a 405 says which methods there are
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    def database_unavailable(error: Exception):
        """The database is locked past the busy timeout, restarting, or unreachable:
        a temporary condition, so 503 with a hint to retry rather than a 500. The page
        needs no database: it is drawn as for a visitor (the signed-in user cannot be
        loaded now), and nothing half-written is kept."""
        outage.failed(error)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
            db.session.invalidate()
        from .extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        g.database_unavailable = True
        response = make_response(render_error(503))
        response.headers["Retry-After"] = "5"
        response.headers["Cache-Control"] = "no-store"
        return response

    # Through SQLAlchemy, and from the scan paths that use the driver directly.
    for error_class in _operational_errors():
        app.register_error_handler(error_class, database_unavailable)

    @app.after_request
    def _outage_over(response):
        if outage.since is not None and response.status_code != 503 and g.get(
                "database_used"):
            outage.used()
        return response

    @app.after_request
    def _retry_after_only_when_meant(response):
        """Flask-Limiter writes ``Retry-After`` on every answer of a limited view (the
        time its window resets), where it means nothing. Only a 429, a 503 or an answer
        that asks to be repeated (``registry.retry_after`` in the environ) keeps one.
        Registered before the limiter's own hook, so it runs after it."""
        wanted = request.environ.get("registry.retry_after")
        if wanted:
            response.headers["Retry-After"] = str(wanted)
        elif response.status_code not in (429, 503):
            response.headers.pop("Retry-After", None)
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()  # nothing half-written survives a failed request
        return render_error(500)


def _operational_errors() -> list[type[Exception]]:
    import sqlite3

    # TimeoutError: no pooled connection came free in time; InterfaceError: the driver's
    # connection was closed under it (both pass with the outage).
    classes: list[type[Exception]] = [sa_exc.OperationalError, sa_exc.TimeoutError,
                                      sa_exc.InterfaceError, sqlite3.OperationalError]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite-only installs
        return classes
    return [*classes, psycopg.OperationalError, psycopg.InterfaceError]
