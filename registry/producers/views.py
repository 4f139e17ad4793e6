"""Producer portal: the producer's profile and members; the office registers producers.

Thin views: parse the form, call an operation from ``producer_ops``, commit once, then
redirect; a refused operation is rolled back and the form shown again with its message.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import web
from ..extensions import db
from ..models import AdminUnit, Certification, Producer, Role, User
from ..permissions import Perm, allowed, authorize, authorized, requires
from . import operations as ops
from .forms import (
    ConfirmForm,
    MemberForm,
    ProducerAdminForm,
    ProducerProfileForm,
    RegisterProducerForm,
)

bp = Blueprint("portal_producers", __name__, url_prefix="/portal")


def _own_producer() -> Producer:
    """The producer the logged-in member belongs to (403 for anyone else)."""
    producer = current_user.producer
    if producer is None:
        abort(403)
    return producer


def _commune_choices(form, current: AdminUnit | None) -> dict[int, AdminUnit]:
    units = ops.commune_choices(current)
    form.commune_id.choices = [("", _("— Chưa chọn —"))] + [
        (u.id, _("%(address)s (đã sáp nhập)", address=u.address_line) if u.abolished_on
         else u.address_line)
        for u in units]
    return {u.id: u for u in units}


def _profile_data(form, communes: dict[int, AdminUnit], *, with_name: bool) -> ops.ProfileData:
    return ops.ProfileData(
        kind=form.kind_value(), registration_number=form.registration_number.data,
        address_line=form.address_line.data, commune=communes.get(form.commune_id.data),
        contact_name=form.contact_name.data, phone=form.phone.data, email=form.email.data,
        name=form.name.data if with_name else None)


def _for_own_producer(page):
    """``page(producer)`` for the signed-in member's own producer; the office, which has
    none, goes to the producers list."""
    if current_user.producer is None and allowed(web.actor(), Perm.PRODUCER_REGISTER):
        return redirect(url_for(".producers"))
    producer = _own_producer()
    authorize(Perm.PRODUCER_EDIT, producer)
    return page(producer)


def _form_status(form) -> int:
    return 400 if form.is_submitted() else 200


# ------------------------------------------------------------------------- profile

@bp.route("/producer", methods=["GET", "POST"])
@login_required
def profile():
    """A member's own producer profile (the office goes to the producers list)."""
    return _for_own_producer(_edit_profile)


@bp.route("/producers/<int:producer_id>/edit", methods=["GET", "POST"])
@requires(Perm.PRODUCER_EDIT)
def edit(producer_id: int):
    producer = authorized(Perm.PRODUCER_EDIT, Producer, producer_id)
    return _edit_profile(producer)


def _edit_profile(producer: Producer):
    office = current_user.role is Role.ADMIN
    form_class = ProducerAdminForm if office else ProducerProfileForm
    form = form_class(data={
        "name": producer.name, "kind": producer.kind.value,
        "registration_number": producer.registration_number,
        "address_line": producer.address_line, "commune_id": producer.commune_id,
        "contact_name": producer.contact_name, "phone": producer.phone,
        "email": producer.email})
    communes = _commune_choices(form, producer.commune)
    status = _form_status(form)
    if form.validate_on_submit():
        changed, refused = web.attempt(
            lambda: ops.update_producer(
                producer, _profile_data(form, communes, with_name=office), actor=web.actor()),
            race=_("Mã số đăng ký này vừa được dùng cho chủ thể khác. Kiểm tra lại."))
        if refused is None:
            flash(_("Đã lưu hồ sơ chủ thể.") if changed else _("Không có thay đổi nào."),
                  "success")
            return redirect(request.path)
        flash(refused.message, "error")
        status = refused.status
    return render_template("portal/producers/profile.html", producer=producer, form=form,
                           office=office), status


# ------------------------------------------------------------------------- the office

@bp.route("/producers")
@requires(Perm.PRODUCER_REGISTER)
def producers():
    rows = db.session.scalars(db.select(Producer).order_by(Producer.name)).all()
    members = dict(db.session.execute(
        db.select(User.producer_id, db.func.count(User.id))
        .where(User.role == Role.PRODUCER, User.active.is_(True))
        .group_by(User.producer_id)).all())
    certs = dict(db.session.execute(
        db.select(Certification.producer_id, db.func.count(Certification.id))
        .group_by(Certification.producer_id)).all())
    return render_template("portal/producers/list.html", producers=rows, members=members,
                           certs=certs)


@bp.route("/producers/new", methods=["GET", "POST"])
@requires(Perm.PRODUCER_REGISTER)
def new():
    form = RegisterProducerForm()
    communes = _commune_choices(form, None)
    status = _form_status(form)
    if form.validate_on_submit():
        created, refused = web.attempt(
            lambda: ops.register_producer(
                _profile_data(form, communes, with_name=True),
                member_login=form.member_login.data, member_name=form.member_name.data,
                member_password=form.member_password.data, actor=web.actor()),
            race=_("Tên đăng nhập hoặc mã số đăng ký vừa được dùng. Kiểm tra lại rồi gửi lại."))
        if refused is None:
            producer, member = created
            flash(_("Đã đăng ký chủ thể %(name)s và tài khoản quản lý %(login)s.",
                    name=producer.name, login=member.login), "success")
            return redirect(url_for(".members_of", producer_id=producer.id))
        flash(refused.message, "error")
        status = refused.status
    return render_template("portal/producers/new.html", form=form), status


# ------------------------------------------------------------------------- members

@bp.route("/producer/members", methods=["GET", "POST"])
@login_required
def members():
    """The member's own producer: everyone sees the list, the manager adds members."""
    return _for_own_producer(lambda producer: _members_page(
        producer, adding=request.method == "POST"))


@bp.route("/producers/<int:producer_id>/members", methods=["GET", "POST"])
@requires(Perm.PRODUCER_EDIT)
def members_of(producer_id: int):
    producer = authorized(Perm.PRODUCER_EDIT, Producer, producer_id)
    return _members_page(producer, adding=request.method == "POST")


def _members_url(producer: Producer) -> str:
    if current_user.producer_id == producer.id:
        return url_for(".members")
    return url_for(".members_of", producer_id=producer.id)


def _members_page(producer: Producer, status: int = 200, *, adding: bool = False):
    form = MemberForm()
    if adding:
        authorize(Perm.PRODUCER_MEMBERS, producer)
        status = 400
        if form.validate_on_submit():
            member, refused = web.attempt(
                lambda: ops.add_member(producer, login=form.login.data, name=form.name.data,
                                       password=form.password.data, actor=web.actor()),
                race=_("Tên đăng nhập này vừa có người dùng. Hãy chọn tên khác."))
            if refused is None:
                flash(_("Đã thêm thành viên %(login)s.", login=member.login), "success")
                return redirect(_members_url(producer))
            flash(refused.message, "error")
            status = refused.status
    people = db.session.scalars(
        db.select(User).where(User.producer_id == producer.id, User.role == Role.PRODUCER)
        .order_by(User.active.desc(), User.is_manager.desc(), User.login)).all()
    return render_template("portal/producers/members.html", producer=producer, form=form,
                           people=people, confirm=ConfirmForm(),
                           members_url=_members_url(producer),
                           manages=allowed(web.actor(), Perm.PRODUCER_MEMBERS, producer)), status


@bp.route("/producer/members/<int:user_id>/deactivate", methods=["POST"])
@requires(Perm.PRODUCER_EDIT)
def deactivate(user_id: int):
    member = db.get_or_404(User, user_id)
    if member.role is not Role.PRODUCER or member.producer is None:
        abort(404)
    producer = member.producer
    authorize(Perm.PRODUCER_MEMBERS, producer)
    web.posted(ConfirmForm())
    outcome = web.run(lambda: ops.deactivate_member(member, actor=web.actor()), done=_(
        "Đã gỡ thành viên %(login)s; tài khoản không đăng nhập được nữa.", login=member.login))
    if not outcome.ok:
        return _members_page(producer, outcome.status)
    return redirect(_members_url(producer))
