"""The office's pages. Every route checks its permission through ``registry.permissions``."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import sqlalchemy as sa
from flask import (Blueprint, Response, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..exceptions import OperationRefused
from ..extensions import db
from ..models.base import localized
from ..models import (PENDING_STATES, AdminUnit, Producer, Product, RatingApplication,
                      RatingDecision, Role)
from ..ocop.criteria import COUNCIL_LEVEL_LABELS, CouncilLevel
from ..ocop.groups import GROUPS
from ..ocop.rules import stars_for_points, today_vn
from ..permissions import Perm, allowed, authorize, requires
from ..ratings import operations as ops
from ..ratings.queries import current_valid_decisions
from .charts import Bar, bar_chart
from .forms import (ApproveForm, ForwardForm, ProposeForm, RejectForm, ReturnForm, RevokeForm,
                    score_form_class)

bp = Blueprint("office", __name__, url_prefix="/office")


def _acting_level(app: RatingApplication | None = None) -> CouncilLevel:
    """The council level the current user acts at (an administrator acts for the queue's)."""
    if current_user.role is Role.ADMIN:
        return app.council_level if app is not None else CouncilLevel.PROVINCE
    return current_user.council_level


def _queue() -> list[RatingApplication]:
    apps = db.session.scalars(
        db.select(RatingApplication).where(RatingApplication.state.in_(PENDING_STATES))
        .options(selectinload(RatingApplication.score_sheets))
        .order_by(RatingApplication.submitted_at, RatingApplication.id)).all()
    return [a for a in apps if allowed(current_user, Perm.APPLICATION_SCORE, a)]


@bp.route("/")
@requires(Perm.OFFICE_VIEW)
def dashboard():
    today = today_vn()
    valid = current_valid_decisions(today).subquery()
    by_stars = db.session.execute(
        sa.select(valid.c.stars, sa.func.count()).group_by(valid.c.stars)
        .order_by(valid.c.stars)).all()
    by_group = db.session.execute(
        sa.select(Product.group_code, sa.func.count()).join(valid, valid.c.product_id ==
                                                            Product.id)
        .group_by(Product.group_code).order_by(Product.group_code)).all()
    by_commune = db.session.execute(
        sa.select(AdminUnit.kind, AdminUnit.name, sa.func.count())
        .select_from(valid).join(Product, Product.id == valid.c.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .join(AdminUnit, AdminUnit.id == Producer.commune_id)
        .group_by(AdminUnit.kind, AdminUnit.name).order_by(sa.func.count().desc())
        .limit(15)).all()
    charts = {
        "stars": bar_chart([Bar(f"{s} ★", n) for s, n in by_stars],
                           title=_("Sản phẩm còn hiệu lực theo hạng sao")),
        "group": bar_chart([Bar(GROUPS[g].name_vi, n) for g, n in by_group],
                           title=_("Theo nhóm sản phẩm")),
        "commune": bar_chart([Bar(f"{k} {n}", c) for k, n, c in by_commune],
                             title=_("Theo xã, phường, thị trấn")),
    }
    return render_template("office/dashboard.html", queue=_queue(), charts=charts,
                           expiring=ops.expiring_decisions(today), today=today,
                           total_valid=sum(n for _, n in by_stars))


@bp.route("/applications/<int:app_id>")
@requires(Perm.OFFICE_VIEW)
def application(app_id: int):
    app = db.get_or_404(RatingApplication, app_id)
    authorize(Perm.APPLICATION_SCORE, app)
    level = _acting_level(app)
    average = app.average_points()
    approve = ApproveForm()
    if average is not None:
        approve.stars.data = max(3, min(5, stars_for_points(average)))
    approve.issuing_body.data = _issuing_body(app, level)
    return render_template("office/application.html", app=app, average=average,
                           approve=approve, reject=RejectForm(), forward=ForwardForm(),
                           propose=ProposeForm(), send_back=ReturnForm(),
                           level=level, level_label=localized(COUNCIL_LEVEL_LABELS[level]))


def _issuing_body(app: RatingApplication, level: CouncilLevel) -> str:
    if level is CouncilLevel.NATIONAL:
        return "Bộ Nông nghiệp và Môi trường"
    unit = app.council_unit or (current_user.council_unit if current_user.role is
                                Role.REVIEWER else None)
    return f"UBND {unit.kind} {unit.name}" if unit is not None else ""


@bp.route("/applications/<int:app_id>/score", methods=["GET", "POST"])
@requires(Perm.APPLICATION_SCORE)
def score(app_id: int):
    app = db.get_or_404(RatingApplication, app_id)
    authorize(Perm.APPLICATION_SCORE, app)
    criteria = app.criteria_set.criteria
    form = score_form_class(criteria)()
    mine = next((s for s in app.score_sheets if s.reviewer_id == current_user.id), None)
    if not form.is_submitted() and mine is not None:
        for line in mine.lines:
            getattr(form, f"points_{line.criterion_id}").data = line.points
            if line.met is not None:
                getattr(form, f"met_{line.criterion_id}").data = line.met
            getattr(form, f"note_{line.criterion_id}").data = line.note
    status = 200
    if form.validate_on_submit():
        lines = {c.id: (getattr(form, f"points_{c.id}").data,
                        getattr(form, f"met_{c.id}").data if c.mandatory_from_stars else None,
                        getattr(form, f"note_{c.id}").data) for c in criteria}
        try:
            sheet = ops.score_application(app, current_user._get_current_object(), lines)
        except OperationRefused as refused:
            db.session.rollback()
            flash(refused.message, "error")
            status = refused.status
        else:
            db.session.commit()
            flash(_("Đã lưu phiếu chấm: %(total)s điểm.", total=sheet.total), "success")
            return redirect(url_for(".application", app_id=app.id))
    elif form.is_submitted():
        status = 400
    return render_template("office/score.html", app=app, form=form, criteria=criteria), status


def _decide(app_id: int, form_class, action, *, done_url=None):
    """Run ``action`` on a posted form; on success go to ``done_url`` (default: the
    application, which may have left the user's queue: then their queue)."""
    app = db.get_or_404(RatingApplication, app_id)
    authorize(Perm.APPLICATION_DECIDE, app)
    form = form_class()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for(".application", app_id=app.id)), 303
    try:
        message = action(app, form)
    except OperationRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return render_application_with_status(app, refused.status)
    db.session.commit()
    flash(message, "success")
    return redirect(done_url or url_for(".application", app_id=app.id))


def render_application_with_status(app: RatingApplication, status: int):
    response = application(app.id)
    return response, status


@bp.route("/applications/<int:app_id>/approve", methods=["POST"])
@requires(Perm.APPLICATION_DECIDE)
def approve(app_id: int):
    def action(app, form):
        decision = ops.approve_application(
            app, actor=current_user._get_current_object(), level=_acting_level(app),
            stars=form.stars.data, decision_number=form.decision_number.data,
            decided_on=form.decided_on.data, issuing_body=form.issuing_body.data)
        return _("Đã công nhận %(name)s đạt %(n)s sao, hiệu lực đến %(until)s.",
                 name=app.product.name_vi, n=decision.stars,
                 until=decision.valid_until.strftime("%d/%m/%Y"))
    return _decide(app_id, ApproveForm, action)


@bp.route("/applications/<int:app_id>/reject", methods=["POST"])
@requires(Perm.APPLICATION_DECIDE)
def reject(app_id: int):
    def action(app, form):
        ops.reject_application(app, actor=current_user._get_current_object(),
                               reason=form.reason.data)
        return _("Đã ghi nhận không công nhận %(name)s.", name=app.product.name_vi)
    return _decide(app_id, RejectForm, action)


@bp.route("/applications/<int:app_id>/forward", methods=["POST"])
@requires(Perm.APPLICATION_DECIDE)
def forward(app_id: int):
    def action(app, form):
        ops.forward_potential_5star(app, actor=current_user._get_current_object(),
                                    level=_acting_level(app)
                                    if current_user.role is Role.REVIEWER
                                    else CouncilLevel.PROVINCE)
        return _("Đã chuyển %(name)s lên Hội đồng trung ương (tiềm năng 5 sao).",
                 name=app.product.name_vi)
    return _decide(app_id, ForwardForm, action)


@bp.route("/applications/<int:app_id>/propose", methods=["POST"])
@requires(Perm.APPLICATION_DECIDE)
def propose(app_id: int):
    def action(app, form):
        ops.propose_application(app, actor=current_user._get_current_object(),
                                level=_acting_level(app))
        return _("Đã đề xuất %(name)s lên hội đồng %(level)s.", name=app.product.name_vi,
                 level=localized(COUNCIL_LEVEL_LABELS[app.council_level]))
    # the dossier has left this officer's queue: back to the queue
    return _decide(app_id, ProposeForm, action, done_url=url_for(".dashboard"))


@bp.route("/applications/<int:app_id>/return", methods=["POST"])
@requires(Perm.APPLICATION_DECIDE)
def send_back(app_id: int):
    def action(app, form):
        ops.return_application(app, actor=current_user._get_current_object(),
                               level=_acting_level(app), reason=form.reason.data)
        return _("Đã trả hồ sơ %(name)s để chủ thể bổ sung.", name=app.product.name_vi)
    return _decide(app_id, ReturnForm, action, done_url=url_for(".dashboard"))


@bp.route("/decisions")
@requires(Perm.OFFICE_VIEW)
def decisions():
    rows = db.session.scalars(
        db.select(RatingDecision).options(selectinload(RatingDecision.product))
        .order_by(RatingDecision.decided_on.desc(), RatingDecision.id.desc())).all()
    return render_template("office/decisions.html", decisions=rows, today=today_vn())


@bp.route("/decisions/expiring")
@requires(Perm.OFFICE_VIEW)
def expiring():
    days = request.args.get("days", 30, type=int)
    days = min(max(days, 1), 365)
    return render_template("office/expiring.html", decisions=ops.expiring_decisions(
        today_vn(), days), days=days, today=today_vn())


@bp.route("/decisions/<int:decision_id>", methods=["GET", "POST"])
@requires(Perm.OFFICE_VIEW)
def decision(decision_id: int):
    d = db.get_or_404(RatingDecision, decision_id)
    form = RevokeForm()
    status = 200
    if form.is_submitted():
        authorize(Perm.DECISION_REVOKE, d)
        if form.validate():
            try:
                ops.revoke_decision(d, reason=form.reason.data, on=form.revoked_on.data,
                                    actor=current_user._get_current_object())
            except OperationRefused as refused:
                db.session.rollback()
                flash(refused.message, "error")
                status = refused.status
            else:
                db.session.commit()
                flash(_("Đã thu hồi quyết định %(number)s.", number=d.decision_number),
                      "success")
                return redirect(url_for(".decision", decision_id=d.id))
        else:
            status = 400
    return render_template("office/decision.html", d=d, form=form, today=today_vn()), status


CSV_COLUMNS = ["Số quyết định", "Ngày quyết định", "Hiệu lực đến", "Trạng thái", "Hạng sao",
               "Điểm", "Sản phẩm", "Chủ thể", "Nhóm", "Cơ quan ban hành", "Cấp",
               "Bộ tiêu chí", "Ngày thu hồi", "Lý do thu hồi", "Minh hoạ"]
STATUS_LABELS = {"valid": "Còn hiệu lực", "expired": "Hết hiệu lực", "revoked": "Đã thu hồi",
                 "not_yet": "Chưa có hiệu lực"}


@bp.route("/decisions.csv")
@requires(Perm.OFFICE_VIEW)
def decisions_csv():
    today = today_vn()

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        yield "\ufeff"  # BOM: Excel then reads the file as UTF-8 (Vietnamese intact)
        writer.writerow(CSV_COLUMNS)
        query = (db.select(RatingDecision)
                 .options(selectinload(RatingDecision.product).joinedload(Product.producer),
                          selectinload(RatingDecision.criteria_set))
                 .order_by(RatingDecision.decided_on, RatingDecision.id)
                 .execution_options(yield_per=500))
        for d in db.session.scalars(query):
            writer.writerow([
                d.decision_number, d.decided_on.isoformat(), d.valid_until.isoformat(),
                STATUS_LABELS[d.status(today).value], d.stars,
                f"{d.points:.2f}" if d.points is not None else "", d.product.name_vi,
                d.product.producer.name, GROUPS[d.product.group_code].name_vi, d.issuing_body,
                COUNCIL_LEVEL_LABELS[d.issuing_level][0], d.criteria_set.label,
                d.revoked_on.isoformat() if d.revoked_on else "", d.revocation_reason or "",
                "có" if d.is_demo else ""])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
        yield buf.getvalue()

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"quyet-dinh-ocop-{today.isoformat()}.csv\"")
    return response


@bp.route("/decisions/<int:decision_id>/certificate.pdf")
@requires(Perm.OFFICE_VIEW)
def certificate(decision_id: int):
    from flask import current_app

    from ..public.paths import resolver_path as product_path
    from .certificate import certificate_pdf

    d = db.get_or_404(RatingDecision, decision_id)
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + product_path(d.product)
    response = Response(certificate_pdf(d, url), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"chung-nhan-ocop-{d.id}.pdf\"")
    return response



@bp.route("/audit")
@requires(Perm.AUDIT_VIEW)
def audit_log():
    """Who did what, newest first; filter by action ("decision.revoke", "user.")."""
    from ..models import AuditEntry

    action = (request.args.get("action") or "").strip()[:60]
    query = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=50,
                       error_out=False)
    return render_template("office/audit.html", page=page, action=action)
