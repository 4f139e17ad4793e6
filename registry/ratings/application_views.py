"""A producer's rating applications: the form, evidence uploads and submission."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from .. import web
from ..extensions import db
from ..models import (
    Certification,
    Product,
    RatingApplication,
)
from ..models.base import localized
from ..ocop.criteria import CONDENSED_NOTE, COUNCIL_LEVEL_LABELS
from ..permissions import Perm, authorized, requires
from . import operations as ratings
from .evidence import add_evidence
from .forms import SubmitForm, application_form_class, evidence_form_class

bp = Blueprint("applications", __name__, url_prefix="/portal")


@bp.route("/products/<int:product_id>/application", methods=["GET", "POST"])
@requires(Perm.APPLICATION_EDIT)
def new_application(product_id: int):
    product = authorized(Perm.APPLICATION_EDIT, Product, product_id)
    return _application_form(product, ratings.current_criteria_set())


@bp.route("/applications/<int:app_id>/edit", methods=["GET", "POST"])
@requires(Perm.APPLICATION_EDIT)
def edit_application(app_id: int):
    """Correct a draft: stars, self-assessment, certifications (a returned dossier too)."""
    app = authorized(Perm.APPLICATION_EDIT, RatingApplication, app_id)
    return _application_form(app.product, app.criteria_set, editing=app)


def _application_form(product, criteria_set, editing: RatingApplication | None = None):
    """The application form (new or a draft being corrected): one transaction for the
    application, its certifications and the evidence uploaded with it."""
    product_sets = criteria_set.definition.product_sets
    form = application_form_class(criteria_set.criteria, product_sets)()
    certs = db.session.scalars(db.select(Certification).where(
        Certification.producer_id == product.producer_id)).all()
    form.certifications.choices = [(c.id, f"{c.kind_label} · {c.number or c.issuer}")
                                   for c in certs]
    if editing is not None and not form.is_submitted():
        form.requested_stars.data = editing.requested_stars
        form.certifications.data = [c.id for c in editing.certifications]
        for c in criteria_set.criteria:
            if c.code in editing.self_assessment:
                form[f"self_{c.code}"].data = Decimal(editing.self_assessment[c.code])
            form[f"note_{c.code}"].data = (editing.self_notes or {}).get(c.code, "")
        if product_sets:
            form.product_set.data = editing.product_set or 0
    chosen = {c.id: c for c in certs}

    def save():
        fields = dict(
            requested_stars=form.requested_stars.data,
            self_assessment={c.code: form[f"self_{c.code}"].data for c in criteria_set.criteria},
            certifications=[chosen[i] for i in form.certifications.data or [] if i in chosen],
            product_set=form.product_set.data if product_sets else None,
            self_notes={c.code: form[f"note_{c.code}"].data or ""
                        for c in criteria_set.criteria}, actor=web.actor())
        if editing is None:
            app = ratings.create_application(product, **fields)
        else:
            app = editing
            ratings.update_application(app, **fields)
        _add_uploads(app, form.evidence.name, form.evidence_criterion.data)
        return app

    return web.form_page(
        form, save, done=_("Đã lưu hồ sơ. Kiểm tra lại rồi bấm “Nộp hồ sơ”."),
        then=lambda app: url_for(".application", app_id=app.id),
        page=lambda: render_template(
            "portal/application_form.html", form=form, product=product,
            criteria=criteria_set.criteria, criteria_set=criteria_set, editing=editing,
            condensed=localized(CONDENSED_NOTE)))


def _add_uploads(app: RatingApplication, field_name: str,
                 criterion_code: str | None = None) -> None:
    for upload in request.files.getlist(field_name):
        if upload and upload.filename:
            add_evidence(app, upload.read(), upload.filename, actor=web.actor(),
                         criterion_code=criterion_code or None)


@bp.route("/applications/<int:app_id>", methods=["GET", "POST"])
@requires(Perm.APPLICATION_EDIT)
def application(app_id: int):
    app = authorized(Perm.APPLICATION_EDIT, RatingApplication, app_id)
    form = evidence_form_class(app.criteria_set.criteria)()
    return web.form_page(
        form, lambda: _add_uploads(app, form.evidence.name, form.evidence_criterion.data),
        done=_("Đã thêm tài liệu."), then=url_for(".application", app_id=app.id),
        page=lambda: render_template("portal/application.html", app=app, form=form,
                                     submit_form=SubmitForm()))


@bp.route("/applications/<int:app_id>/submit", methods=["POST"])
@requires(Perm.APPLICATION_EDIT)
def submit(app_id: int):
    app = authorized(Perm.APPLICATION_EDIT, RatingApplication, app_id)
    web.posted(SubmitForm())
    def submitted(_none) -> str:
        level = localized(COUNCIL_LEVEL_LABELS[app.council_level])
        if app.awaiting_proposal:
            return _("Đã nộp hồ sơ; %(level)s sẽ kiểm tra và đề xuất lên hội đồng.",
                     level=level)
        return _("Đã nộp hồ sơ; hội đồng %(level)s sẽ chấm điểm.", level=level)

    return web.button(lambda: ratings.submit_application(app, actor=web.actor()),
                      done=submitted, then=url_for(".application", app_id=app.id))
