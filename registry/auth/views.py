"""Log in and out. Failed logins say the same thing whatever was wrong."""
from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from .. import web
from ..extensions import db, limiter, login_manager
from ..models import User
from ..models.user import password_hash_method
from ..reports.operations import client_hash
from . import operations as ops
from .forms import LoginForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _sep, rest = session_id.partition(":")
    fingerprint, _sep, version = rest.partition(":")
    if not user_id.isdigit() or not version.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.password_hash[-12:] != fingerprint \
            or str(user.session_version) != version:
        return None
    return user


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("main.index")


#: Failed logins allowed per account name and per client address (Flask-Limiter syntax);
#: only failures count, so people who type their password right are never held up.
DEFAULT_ACCOUNT_LIMIT = "20 per hour"
DEFAULT_CLIENT_LIMIT = "60 per hour"


def _account_key() -> str:
    return "login-account:" + (request.form.get("login") or "").strip().lower()[:80]


def _failed(response) -> bool:
    return response.status_code == 400


def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as known ones."""
    return _dummy_hash_of(password_hash_method())


@cache
def _dummy_hash_of(method: str) -> str:
    return generate_password_hash("not-a-password-of-anyone", method=method)


def _check(user: User | None, password: str) -> bool:
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password) and user.active


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_RATE_LIMIT_ACCOUNT", DEFAULT_ACCOUNT_LIMIT),
               methods=["POST"], key_func=_account_key, deduct_when=_failed)
@limiter.limit(lambda: current_app.config.get("LOGIN_RATE_LIMIT_CLIENT", DEFAULT_CLIENT_LIMIT),
               methods=["POST"], key_func=get_remote_address, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        name = form.login.data.strip()
        # a name with NUL or control characters names nobody (and PostgreSQL refuses NUL)
        printable = name.isprintable()
        user = db.session.scalar(db.select(User).filter_by(login=name)) if printable else None
        if not printable:
            name = "".join(ch for ch in name if ch.isprintable())
        if _check(user, form.password.data):
            # a fresh CSRF token for the signed-in session (and none cached for this request)
            session.pop("csrf_token", None)
            g.pop("csrf_token", None)
            login_user(user, remember=form.remember.data)
            web.attempt(lambda: ops.signed_in(user))
            flash(_("Đăng nhập thành công. Xin chào %(name)s!", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")))
        web.attempt(lambda: ops.login_failed(user, name, client_hash(
            get_remote_address(), request.headers.get("User-Agent"))))
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session here and everywhere: the user's session version moves on, so a
    copied session or remember cookie no longer opens anything."""
    web.attempt(lambda: ops.end_sessions(web.actor()))
    logout_user()
    flash(_("Bạn đã đăng xuất."), "success")
    return redirect(url_for("main.index"))
