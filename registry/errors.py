"""Error pages: a clear message and the right status, HTML or JSON, never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: lambda: _("Yêu cầu không hợp lệ."),
    401: lambda: _("Vui lòng đăng nhập để tiếp tục."),
    403: lambda: _("Bạn không có quyền thực hiện thao tác này."),
    404: lambda: _("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."),
    405: lambda: _("Phương thức không được hỗ trợ cho địa chỉ này."),
    413: lambda: _("Tệp hoặc dữ liệu gửi lên quá lớn."),
    429: lambda: _("Bạn đã gửi quá nhiều lần trong thời gian ngắn nên lần này chưa được "
                   "lưu. Vui lòng thử lại sau."),
    500: lambda: _("Đã xảy ra lỗi ở máy chủ. Dữ liệu đã lưu trước đó không bị ảnh hưởng."),
    503: lambda: _("Cơ sở dữ liệu đang bận, vui lòng thử lại sau ít phút. Dữ liệu đã lưu "
                   "trước đó không bị ảnh hưởng."),
}


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or best == "application/json"


def render_error(status: int, detail: str | None = None):
    message = MESSAGES.get(status, MESSAGES[500])()
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
        return render_error(error.code, detail)

    def database_unavailable(error: Exception):
        """The database is locked past the busy timeout, restarting, or unreachable:
        a temporary condition, so 503 with a hint to retry rather than a 500."""
        log.warning("database unavailable: %s", getattr(error, "orig", error))
        db.session.rollback()
        response = make_response(render_error(503))
        response.headers["Retry-After"] = "5"
        return response

    # Through SQLAlchemy, and from the scan paths that use the driver directly.
    for error_class in _operational_errors():
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()  # nothing half-written survives a failed request
        return render_error(500)


def _operational_errors() -> list[type[Exception]]:
    import sqlite3

    classes: list[type[Exception]] = [sa_exc.OperationalError, sqlite3.OperationalError]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite-only installs
        return classes
    return [*classes, psycopg.OperationalError]
