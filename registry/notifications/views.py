"""The inbox: a user's notifications, newest first, and which kinds they receive."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import web
from ..extensions import db
from ..models import Notification
from . import operations as ops
from .forms import ReadForm, settings_form_class
from .operations import KINDS

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.route("/")
@login_required
def inbox():
    query = (sa.select(Notification).where(Notification.user_id == current_user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=30,
                       error_out=False)
    return render_template("inbox/inbox.html", page=page, form=ReadForm(), kinds=KINDS)


def _mine(notification_id: int) -> Notification:
    item = db.session.get(Notification, notification_id)
    if item is None or item.user_id != current_user.id:
        abort(404)
    return item


@bp.route("/<int:notification_id>/open", methods=["POST"])
@login_required
def open_(notification_id: int):
    """Mark one notification read and go to the page it is about."""
    web.posted(ReadForm())
    item = _mine(notification_id)
    web.attempt(lambda: ops.mark_read(item))
    return redirect(item.path or url_for(".inbox"), 303)


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    web.posted(ReadForm())
    web.attempt(lambda: ops.mark_all_read(current_user))
    flash(_("Đã đánh dấu tất cả là đã đọc."), "success")
    return redirect(url_for(".inbox"), 303)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = settings_form_class(KINDS)()
    names = list(KINDS)
    user = current_user._get_current_object()
    if not form.is_submitted():
        form.locale.data = user.locale
        form.email.data = user.email
        for i, kind in enumerate(names):
            form[f"kind_{i}"].data = kind not in (user.notifications_off or [])
    elif form.validate():
        off = [kind for i, kind in enumerate(names) if not form[f"kind_{i}"].data]
        web.run(lambda: ops.update_settings(user, off=off, locale=form.locale.data,
                                            email=form.email.data),
                done=_("Đã lưu cài đặt thông báo."))
        return redirect(url_for(".settings"), 303)
    else:
        return render_template("inbox/settings.html", form=form, names=names), 400
    return render_template("inbox/settings.html", form=form, names=names)
