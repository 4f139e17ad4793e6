"""Reports of suspected fakes: the buyer's form (no account), the producer's queue in the
portal and the office's queue. Every route checks its permission through
``registry.permissions``; the form's POSTs are rate-limited per client address."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import web
from ..extensions import db, limiter
from ..models import FakeReport
from ..permissions import Perm, authorize, authorized, requires
from . import operations as ops
from .forms import HandleForm, ReportForm

bp = Blueprint("reports", __name__)

DEFAULT_RATE_LIMIT = "5 per hour;20 per day"
PER_PAGE = 50


def report_rate_limit() -> str:
    return current_app.config.get("REPORT_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def _no_store(response):
    # The page holds a CSRF token bound to this visitor's session.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/report", methods=["GET", "POST"])
@limiter.limit(report_rate_limit, methods=["POST"], key_func=get_remote_address)
def new():
    """Anyone may report; nothing but the form's own fields is taken from the request."""
    form = ReportForm()
    if not form.is_submitted():
        address = ops.clean_text(request.args.get("address", "")) or ""
        if len(address) > ops.MAX_ADDRESS:
            abort(400, description=_("Địa chỉ tem dài quá %(max)s ký tự.",
                                     max=ops.MAX_ADDRESS))
        form.address.data = address
        return _no_store(make_response(render_template("reports/new.html", form=form)))
    if form.validate():
        outcome = web.attempt(lambda: ops.create_report(
            address=form.address.data or "", what_seen=form.what_seen.data,
            where_bought=form.where_bought.data, phone=form.phone.data,
            client=ops.client_hash(request.remote_addr, request.user_agent.string)))
        if outcome.ok:
            return redirect(url_for(".thanks"), 303)
        form.form_errors.append(outcome.refused.message)
    return _no_store(make_response(render_template("reports/new.html", form=form), 400))


@bp.route("/report/thanks")
def thanks():
    return render_template("reports/thanks.html")


# ----------------------------------------------------------------------------- queues

@bp.route("/portal/reports")
@requires(Perm.REPORT_VIEW)
def producer_queue():
    producer_id = ops.queue_scope(current_user)
    if producer_id is None:  # the office reads every report in its own queue
        return redirect(url_for(".office_queue", **request.args))
    return _queue_page("producer_queue", producer_id)


@bp.route("/office/reports")
@requires(Perm.OFFICE_VIEW)
def office_queue():
    authorize(Perm.REPORT_VIEW)
    return _queue_page("office_queue", None)


@bp.post("/portal/reports/<int:report_id>/handle")
@requires(Perm.REPORT_HANDLE)
def handle_own(report_id: int):
    return _handle(report_id, "producer_queue")


@bp.post("/office/reports/<int:report_id>/handle")
@requires(Perm.OFFICE_VIEW)
def handle_office(report_id: int):
    return _handle(report_id, "office_queue")


def _queue_page(endpoint: str, producer_id: int | None, status_code: int = 200):
    chosen = request.args.get("status")
    status = ops.STATUS_FILTERS.get(chosen)
    query = ops.reports_query(producer_id=producer_id, status=status).options(
        selectinload(FakeReport.product), selectinload(FakeReport.batch),
        selectinload(FakeReport.handled_by))
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
                       error_out=False)
    return render_template("reports/queue.html", page=page, endpoint=endpoint,
                           office=producer_id is None, status=chosen if status else None,
                           history_line=history_line,
                           histories=ops.check_histories(page.items),
                           handle_form=HandleForm()), status_code


def history_line(history: ops.CheckHistory | None) -> str:
    """The label's checks by buyers so far, as the queue says them."""
    if history is None:
        return _("chưa có lượt kiểm tra nào")
    return _("%(checks)s bởi %(devices)s, lần đầu lúc %(time)s ngày %(date)s",
             checks=ngettext("%(num)s lượt kiểm tra", "%(num)s lượt kiểm tra", history.checks),
             devices=ngettext("%(num)s thiết bị", "%(num)s thiết bị", history.clients),
             time=history.first_time, date=history.first_date)


def _handle(report_id: int, endpoint: str):
    report = authorized(Perm.REPORT_HANDLE, FakeReport, report_id)
    form = HandleForm()
    if not form.validate_on_submit():
        abort(400, description=" ".join(form.note.errors) or None)
    outcome = web.run(lambda: ops.handle_report(report, note=form.note.data, actor=web.actor()),
                      done=_("Đã đánh dấu báo cáo là đã xử lý."))
    if not outcome.ok:
        return _queue_page(endpoint, ops.queue_scope(current_user) if
                           endpoint == "producer_queue" else None, outcome.status)
    return redirect(url_for(f".{endpoint}"), 303)
