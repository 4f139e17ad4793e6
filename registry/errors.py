"""Error pages: a clear message and the right status, HTML or JSON, never a stack trace."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

MESSAGES = {
    400: lambda: _("Yêu cầu không hợp lệ."),
    401: lambda: _("Vui lòng đăng nhập để tiếp tục."),
    403: lambda: _("Bạn không có quyền thực hiện thao tác này."),
    404: lambda: _("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."),
    405: lambda: _("Phương thức không được hỗ trợ cho địa chỉ này."),
    413: lambda: _("Tệp hoặc dữ liệu gửi lên quá lớn."),
    500: lambda: _("Đã xảy ra lỗi ở máy chủ. Dữ liệu đã lưu trước đó không bị ảnh hưởng."),
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

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()  # nothing half-written survives a failed request
        return render_error(500)
