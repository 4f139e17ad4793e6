"""The office's decisions: the register, expiring ones, revocation, the CSV and the certificate."""
from __future__ import annotations

from flask import (
    Response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from .. import web
from ..exports import csv_response
from ..extensions import db
from ..models import (
    Product,
    RatingDecision,
)
from ..ocop.criteria import COUNCIL_LEVEL_LABELS
from ..ocop.groups import GROUPS
from ..ocop.rules import today_vn
from ..permissions import Perm, authorize, requires
from . import decisions as rulings
from .forms import (
    RevokeForm,
)
from .views import bp


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
    return render_template("office/expiring.html", decisions=rulings.expiring_decisions(
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
            outcome = web.run(lambda: rulings.revoke_decision(
                d, reason=form.reason.data, on=form.revoked_on.data, actor=web.actor()),
                done=_("Đã thu hồi quyết định %(number)s.", number=d.decision_number))
            if outcome.ok:
                return redirect(url_for(".decision", decision_id=d.id))
            status = outcome.status
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

    query = (db.select(RatingDecision)
             .options(selectinload(RatingDecision.product).joinedload(Product.producer),
                      selectinload(RatingDecision.criteria_set))
             .order_by(RatingDecision.decided_on, RatingDecision.id)
             .execution_options(yield_per=500))
    rows = (decision_row(d, today) for d in db.session.scalars(query))
    return csv_response(CSV_COLUMNS, rows, f"quyet-dinh-ocop-{today.isoformat()}.csv")


def decision_row(d: RatingDecision, today) -> list:
    """One decision as a row of the register's CSV (columns as ``CSV_COLUMNS``)."""
    return [d.decision_number, d.decided_on.isoformat(), d.valid_until.isoformat(),
            STATUS_LABELS[d.status(today).value], d.stars,
            f"{d.points:.2f}" if d.points is not None else "", d.product.name_vi,
            d.product.producer.name, GROUPS[d.product.group_code].name_vi, d.issuing_body,
            COUNCIL_LEVEL_LABELS[d.issuing_level][0], d.criteria_set.label,
            d.revoked_on.isoformat() if d.revoked_on else "", d.revocation_reason or "",
            "có" if d.is_demo else ""]


@bp.route("/decisions/<int:decision_id>/certificate.pdf")
@requires(Perm.OFFICE_VIEW)
def certificate(decision_id: int):
    from flask import current_app

    from ..labels.links import resolver_path as product_path
    from .certificate import certificate_pdf

    d = db.get_or_404(RatingDecision, decision_id)
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + product_path(d.product)
    response = Response(certificate_pdf(d, url), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"chung-nhan-ocop-{d.id}.pdf\"")
    return response
