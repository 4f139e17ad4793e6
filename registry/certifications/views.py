"""Producer portal: certifications (VietGAP, organic, geographical indication...).

A member keeps its own producer's; the office may act for any producer by naming it
(``?producer=<id>``). Thin views: parse, call ``cert_ops``, commit once, redirect.
"""
from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import web
from ..extensions import db
from ..inputs import bounded_int
from ..models import Certification, Producer, Product, ProductStatus
from ..ocop.rules import today_vn
from ..permissions import Perm, authorize, authorized, requires
from . import operations as ops
from .forms import EVIDENCE_ACCEPT, CertificationForm, NewCertificationForm, WithdrawForm

bp = Blueprint("portal_certifications", __name__, url_prefix="/portal")


def _producer_in_scope() -> Producer | None:
    """The producer the page is about: ``?producer=<id>`` (checked), else the member's
    own; None for the office with no producer named (all producers)."""
    raw = request.args.get("producer")
    if raw:
        try:
            producer = db.get_or_404(Producer, bounded_int(raw))
        except ValueError:
            abort(404)
    else:
        producer = current_user.producer
    if producer is not None:
        authorize(Perm.CERTIFICATION_EDIT, producer)
    return producer


def _list_url(producer: Producer) -> str:
    if current_user.producer_id == producer.id:
        return url_for(".index")
    return url_for(".index", producer=producer.id)


def _product_choices(form, producer: Producer, current: Product | None = None
                     ) -> dict[int, Product]:
    products = list(db.session.scalars(
        db.select(Product).where(Product.producer_id == producer.id,
                                 Product.status == ProductStatus.ACTIVE)
        .order_by(Product.search_text)))
    if current is not None and current not in products:
        products.append(current)
    form.product_id.choices = [("", _("Toàn bộ chủ thể (cơ sở, vùng sản xuất)"))] + [
        (p.id, p.name_vi) for p in products]
    return {p.id: p for p in products}


def _data(form, products: dict[int, Product]) -> ops.CertificationData:
    return ops.CertificationData(
        kind=form.kind_value() if hasattr(form, "kind_value") else None,
        other_kind=form.other_kind.data if "other_kind" in form else None,
        issuer=form.issuer.data, number=form.number.data, scope=form.scope.data,
        area_ha=form.area_ha.data, members=form.members.data, issued_on=form.issued_on.data,
        expires_on=form.expires_on.data, product=products.get(form.product_id.data))


def _evidence(form) -> ops.Evidence | None:
    upload = form.evidence.data
    if upload is None or not getattr(upload, "filename", None):
        return None
    return ops.Evidence(upload.read(), upload.filename)


# ------------------------------------------------------------------------- lists

@bp.route("/certifications")
@requires(Perm.CERTIFICATION_EDIT)
def index():
    producer = _producer_in_scope()
    query = (db.select(Certification)
             .options(selectinload(Certification.product),
                      selectinload(Certification.evidence_file),
                      selectinload(Certification.producer))
             .order_by(Certification.issued_on.desc(), Certification.id.desc()))
    if producer is not None:
        query = query.where(Certification.producer_id == producer.id)
    certs = db.session.scalars(query).all()
    renewed_by: dict[int, Certification] = {}
    for c in certs:
        if c.renews_id is not None:
            renewed_by.setdefault(c.renews_id, c)
    today = today_vn()
    by_status: dict[str, int] = defaultdict(int)
    for c in certs:
        by_status[c.status(today).value] += 1
    return render_template(
        "portal/certifications/list.html", producer=producer, certs=certs, today=today,
        renewed_by=renewed_by, by_status=by_status, days=ops.EXPIRING_DAYS,
        expiring=ops.expiring_certifications(today, producer_id=producer and producer.id))


@bp.route("/certifications/expiring")
@requires(Perm.CERTIFICATION_EDIT)
def expiring():
    producer = _producer_in_scope()
    today = today_vn()
    return render_template(
        "portal/certifications/expiring.html", producer=producer, today=today,
        days=ops.EXPIRING_DAYS,
        expiring=ops.expiring_certifications(today, producer_id=producer and producer.id))


# ------------------------------------------------------------------------- changes

@bp.route("/certifications/new", methods=["GET", "POST"])
@requires(Perm.CERTIFICATION_EDIT)
def new():
    producer = _producer_in_scope()
    if producer is None:
        flash(_("Chọn chủ thể cần thêm chứng nhận."), "error")
        return redirect(url_for("portal_producers.producers"))
    form = NewCertificationForm()
    products = _product_choices(form, producer)
    return web.form_page(
        form, lambda: ops.add_certification(
            producer, _data(form, products), _evidence(form), actor=web.actor()),
        done=lambda cert: _("Đã thêm chứng nhận %(kind)s.", kind=cert.kind_label),
        then=_list_url(producer), page=lambda: _form_page(form, producer, None))


@bp.route("/certifications/<int:cert_id>/renew", methods=["GET", "POST"])
@requires(Perm.CERTIFICATION_EDIT)
def renew(cert_id: int):
    old = authorized(Perm.CERTIFICATION_EDIT, Certification, cert_id)
    producer = old.producer
    # Pre-filled from the renewed certificate; the dates and number are the new one's.
    form = CertificationForm(data={
        "issuer": old.issuer, "scope": old.scope, "area_ha": old.area_ha,
        "members": old.members, "product_id": old.product_id,
        "issued_on": today_vn()})
    products = _product_choices(form, producer, old.product)
    return web.form_page(
        form, lambda: ops.renew_certification(
            old, _data(form, products), _evidence(form), actor=web.actor()),
        done=lambda cert: _("Đã gia hạn chứng nhận %(kind)s.", kind=cert.kind_label),
        then=_list_url(producer), page=lambda: _form_page(form, producer, old))


def _form_page(form, producer: Producer, old: Certification | None) -> str:
    return render_template("portal/certifications/form.html", form=form, producer=producer,
                           old=old, accept=EVIDENCE_ACCEPT,
                           max_mb=ops.MAX_EVIDENCE_BYTES // ops.MB)


@bp.route("/certifications/<int:cert_id>/withdraw", methods=["GET", "POST"])
@requires(Perm.CERTIFICATION_EDIT)
def withdraw(cert_id: int):
    cert = authorized(Perm.CERTIFICATION_EDIT, Certification, cert_id)
    form = WithdrawForm()
    return web.form_page(
        form, lambda: ops.withdraw_certification(
            cert, on=form.withdrawn_on.data, reason=form.reason.data, actor=web.actor()),
        done=_("Đã ghi nhận thu hồi chứng nhận %(kind)s.", kind=cert.kind_label),
        then=_list_url(cert.producer),
        page=lambda: render_template("portal/certifications/withdraw.html", form=form,
                                     cert=cert, today=today_vn()))
