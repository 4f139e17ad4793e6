"""The office's pages. Every route checks its permission through ``registry.permissions``."""
from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import web
from ..extensions import db
from ..models import (
    PENDING_STATES,
    AdminUnit,
    Producer,
    Product,
    RatingApplication,
    Role,
)
from ..models.base import localized
from ..ocop.criteria import CONDENSED_NOTE, COUNCIL_LEVEL_LABELS, CouncilLevel
from ..ocop.groups import GROUPS
from ..ocop.rules import today_vn
from ..permissions import Perm, allowed, authorized, requires
from . import decisions, scoring
from . import operations as ops
from .charts import Bar, bar_chart
from .forms import (
    ApproveForm,
    AssignForm,
    ForwardForm,
    ProposeForm,
    RejectForm,
    ReturnForm,
    score_form_class,
)
from .queries import current_valid_decisions

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
                           expiring=decisions.expiring_decisions(today), today=today,
                           total_valid=sum(n for _, n in by_stars),
                           unattended=_unattended(), assign=AssignForm(),
                           reviewer_choices=reviewer_choices)


def _unattended() -> list[RatingApplication]:
    """Dossiers nobody can handle, for the administrators and the province council."""
    me = web.actor()
    if not (me.role is Role.ADMIN or me.council_level is CouncilLevel.PROVINCE):
        return []
    apps = db.session.scalars(
        db.select(RatingApplication).where(RatingApplication.state.in_(PENDING_STATES))
        .order_by(RatingApplication.submitted_at, RatingApplication.id)).all()
    return [a for a in ops.unattended(apps) if allowed(me, Perm.APPLICATION_READ, a)
            or me.role is Role.ADMIN]


def reviewer_choices(app: RatingApplication) -> list[tuple[int, str]]:
    from ..models import User

    users = db.session.scalars(db.select(User).where(
        User.role == Role.REVIEWER, User.active).order_by(User.name)).all()
    return [(u.id, f"{u.name} ({localized(COUNCIL_LEVEL_LABELS[u.council_level])}"
                   f"{' · ' + u.council_unit.full_name if u.council_unit else ''})")
            for u in users if u.producer_id != app.product.producer_id]


@bp.route("/applications/<int:app_id>/assign", methods=["POST"])
@requires(Perm.USER_MANAGE)
def assign(app_id: int):
    from ..models import User

    app = db.get_or_404(RatingApplication, app_id)
    form = AssignForm()
    form.officer.choices = reviewer_choices(app)
    if not form.validate_on_submit():
        flash(_("Chọn một thành viên hội đồng để giao."), "error")
        return redirect(url_for(".dashboard"), 303)
    officer = db.get_or_404(User, form.officer.data)
    web.run(lambda: ops.assign_officer(app, officer, actor=web.actor()),
            done=_("Đã giao %(name)s xử lý hồ sơ %(product)s.", name=officer.name,
                   product=app.product.name_vi))
    return redirect(url_for(".dashboard"), 303)


def sheets_visible(app: RatingApplication) -> bool:
    """Reviewers score on their own: the others' sheets show once the user has sent
    theirs, or, for the chair, once the quorum is in; administrators see them always."""
    me = web.actor()
    if me.role is Role.ADMIN:
        return True
    mine = app.sheet_of(me)
    if mine is not None and mine.submitted_at is not None:
        return True
    return scoring.sheets_missing(app) == 0 and allowed(me, Perm.APPLICATION_DECIDE, app)


@bp.route("/applications/<int:app_id>")
@requires(Perm.OFFICE_VIEW)
def application(app_id: int):
    app = authorized(Perm.APPLICATION_READ, RatingApplication, app_id)
    level = _acting_level(app)
    average = app.average_points()
    approve = ApproveForm()
    if average is not None:
        approve.stars.data = max(3, min(5, app.criteria_set.definition.stars_for(average)))
    approve.issuing_body.data = _issuing_body(app, level)
    mine = app.sheet_of(web.actor())
    return render_template(
        "office/application.html", app=app, average=average, approve=approve,
        reject=RejectForm(), forward=ForwardForm(), propose=ProposeForm(),
        send_back=ReturnForm(), level=level,
        level_label=localized(COUNCIL_LEVEL_LABELS[level]), quorum=scoring.quorum(
            app.council_level), missing=scoring.sheets_missing(app),
        show_sheets=sheets_visible(app), my_sheet=mine, dossier_day=_dossier_day(app),
        condensed=localized(CONDENSED_NOTE))


def _dossier_day(app: RatingApplication):
    """The day certificates are judged on: the day the dossier was submitted."""
    from ..ocop.rules import VN_TZ

    return app.submitted_at.astimezone(VN_TZ).date() if app.submitted_at else today_vn()


@bp.route("/applications/<int:app_id>/files/<key>")
@requires(Perm.OFFICE_VIEW)
def dossier_file(app_id: int, key: str):
    """A document of the dossier, opened in the browser (PDF, image), by the dossier's
    rule; every read is audited."""
    from flask import abort

    from .. import audit
    from ..files.storage import read_path
    from ..files.views import private_file
    from ..models import StoredFile
    from ..permissions import dossiers_of_file

    app = authorized(Perm.APPLICATION_READ, RatingApplication, app_id)
    stored = db.session.scalar(db.select(StoredFile).where(StoredFile.key == key))
    if stored is None or app not in dossiers_of_file(stored):
        abort(404)
    if not read_path(stored).exists():
        abort(404)
    web.attempt(lambda: audit.record(
        "file.read", app, f"{current_user.name} mở tài liệu “{stored.original_name}” của hồ "
        f"sơ {app.product.name_vi}", {"file": stored.key}))
    return private_file(stored, inline=True)


def _issuing_body(app: RatingApplication, level: CouncilLevel) -> str:
    if level is CouncilLevel.NATIONAL:
        return "Bộ Nông nghiệp và Môi trường"
    unit = app.council_unit or (current_user.council_unit if current_user.role is
                                Role.REVIEWER else None)
    return f"UBND {unit.kind} {unit.name}" if unit is not None else ""


@bp.route("/applications/<int:app_id>/score", methods=["GET", "POST"])
@requires(Perm.APPLICATION_SCORE)
def score(app_id: int):
    app = authorized(Perm.APPLICATION_SCORE, RatingApplication, app_id)
    criteria = app.criteria_set.criteria
    form = score_form_class(criteria)()
    mine = app.sheet_of(web.actor())
    if mine is not None and mine.submitted_at is not None:
        flash(_("Bạn đã nộp phiếu chấm cho hồ sơ này; phiếu đã nộp không sửa được."), "error")
        return redirect(url_for(".application", app_id=app.id), 303)
    return web.form_page(
        form, lambda: scoring.score_application(app, web.actor(), _score_lines(form, criteria)),
        done=lambda sheet: _("Đã nộp phiếu chấm: %(total)s điểm.", total=sheet.total),
        then=url_for(".application", app_id=app.id),
        page=lambda: render_template("office/score.html", app=app, form=form,
                                     criteria=criteria, condensed=localized(CONDENSED_NOTE)))


def _score_lines(form, criteria) -> dict:
    """criterion id -> (points, mandatory criterion met, note), as the sheet was filled."""
    return {c.id: (getattr(form, f"points_{c.id}").data,
                   getattr(form, f"met_{c.id}").data if c.mandatory_from_stars else None,
                   getattr(form, f"note_{c.id}").data) for c in criteria}


def _decide(app_id: int, form_class, action, *, perm: Perm, to_queue: bool):
    """Run ``action`` on a posted form; on success go back to the application, or, when
    the dossier has left the user's queue (``to_queue``), to their queue."""
    app = authorized(perm, RatingApplication, app_id)
    form = form_class()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for(".application", app_id=app.id)), 303
    outcome = web.run(lambda: action(app, form), done=lambda message: message)
    if not outcome.ok:
        return render_application_with_status(app, outcome.status)
    return redirect(url_for(".dashboard") if to_queue
                    else url_for(".application", app_id=app.id))


def render_application_with_status(app: RatingApplication, status: int):
    response = application(app.id)
    return response, status


def _approve(app: RatingApplication, form) -> str:
    decision = decisions.approve_application(
        app, actor=web.actor(), level=_acting_level(app),
        stars=form.stars.data, decision_number=form.decision_number.data,
        decided_on=form.decided_on.data, issuing_body=form.issuing_body.data)
    return _("Đã công nhận %(name)s đạt %(n)s sao, hiệu lực đến %(until)s.",
             name=app.product.name_vi, n=decision.stars,
             until=decision.valid_until.strftime("%d/%m/%Y"))


def _reject(app: RatingApplication, form) -> str:
    decisions.reject_application(app, actor=web.actor(), reason=form.reason.data)
    return _("Đã ghi nhận không công nhận %(name)s.", name=app.product.name_vi)


def _forward(app: RatingApplication, form) -> str:
    level = _acting_level(app) if current_user.role is Role.REVIEWER else CouncilLevel.PROVINCE
    decisions.forward_potential_5star(app, actor=web.actor(), level=level)
    return _("Đã chuyển %(name)s lên Hội đồng trung ương (tiềm năng 5 sao).",
             name=app.product.name_vi)


def _propose(app: RatingApplication, form) -> str:
    ops.propose_application(app, actor=web.actor(), level=_acting_level(app))
    return _("Đã đề xuất %(name)s lên hội đồng %(level)s.", name=app.product.name_vi,
             level=localized(COUNCIL_LEVEL_LABELS[app.council_level]))


def _send_back(app: RatingApplication, form) -> str:
    ops.return_application(app, actor=web.actor(), level=_acting_level(app),
                           reason=form.reason.data)
    return _("Đã trả hồ sơ %(name)s để chủ thể bổ sung.", name=app.product.name_vi)


#: What the office decides on a dossier, one POST each: endpoint -> (path, form, action,
#: permission, whether the dossier then leaves the user's queue).
DECISIONS = {
    "approve": ("approve", ApproveForm, _approve, Perm.APPLICATION_DECIDE, False),
    "reject": ("reject", RejectForm, _reject, Perm.APPLICATION_DECIDE, False),
    "forward": ("forward", ForwardForm, _forward, Perm.APPLICATION_DECIDE, False),
    "propose": ("propose", ProposeForm, _propose, Perm.APPLICATION_PROPOSE, True),
    "send_back": ("return", ReturnForm, _send_back, Perm.APPLICATION_PROPOSE, True),
}


def _decision_view(endpoint: str):
    _path, form_class, action, perm, to_queue = DECISIONS[endpoint]

    def view(app_id: int):
        return _decide(app_id, form_class, action, perm=perm, to_queue=to_queue)

    view.__name__ = endpoint
    return requires(perm)(view)


for _endpoint, (_path, *_rest) in DECISIONS.items():
    bp.add_url_rule(f"/applications/<int:app_id>/{_path}", _endpoint,
                    _decision_view(_endpoint), methods=["POST"])
