"""Log in and out. Failed logins say the same thing whatever was wrong."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, login_manager
from ..models import User
from ..models.base import utcnow
from .forms import LoginForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _sep, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.password_hash[-12:] != fingerprint:
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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).filter_by(login=form.login.data.strip()))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            flash(_("Đăng nhập thành công. Xin chào %(name)s!", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")))
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("Bạn đã đăng xuất."), "success")
    return redirect(url_for("main.index"))
