"""Recall pages: a producer recalls a batch from the batch's page, the agriculture office
from its recalls page (any producer's batch, named by product and lot code).

Thin views: check the permission, parse the form, run the operation, commit once. Every
route asks ``Perm.BATCH_RECALL`` of the batch; the office pages also need the office.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from .. import web
from ..batches.views import render_batch_page
from ..exceptions import OperationRefused
from ..extensions import db
from ..models import Batch, BatchRecall, Product
from ..ocop.rules import today_vn
from ..permissions import Perm, authorize, authorized, requires
from . import operations as ops
from .forms import LiftForm, OfficeRecallForm, RecallForm

bp = Blueprint("recalls", __name__)

#: How many lifted recalls the office page lists, newest first.
RECENT_LIFTED = 20


def _recallable_batch(batch_id: int) -> Batch:
    return authorized(Perm.BATCH_RECALL, Batch, batch_id)


def _recall(batch: Batch, form: RecallForm) -> Callable[[], BatchRecall]:
    return lambda: ops.recall_batch(batch, reason=form.reason.data, advice=form.advice.data,
                                    recalled_on=form.recalled_on.data, actor=web.actor())


def _recalled_message(batch: Batch) -> str:
    return _("Đã thu hồi lô %(lot)s của %(product)s. Trang công khai của lô và các tem đã "
             "in báo cho người mua ngay.", lot=batch.lot_code, product=batch.product.name_vi)


# ------------------------------------------------------------------------- portal

@bp.post("/portal/batches/<int:batch_id>/recall")
@requires(Perm.BATCH_RECALL)
def recall(batch_id: int):
    return _on_batch_page(batch_id, RecallForm, "recall_form",
                          lambda batch, form: _recall(batch, form)(), _recalled_message)


@bp.post("/portal/batches/<int:batch_id>/recall/lift")
@requires(Perm.BATCH_RECALL)
def lift(batch_id: int):
    return _on_batch_page(
        batch_id, LiftForm, "lift_form",
        lambda batch, form: ops.lift_recall(batch, note=form.lift_note.data,
                                            recall_id=form.seen_recall_id(), actor=web.actor()),
        lambda batch: _("Đã gỡ thu hồi lô %(lot)s.", lot=batch.lot_code))


def _on_batch_page(batch_id: int, form_class, form_name: str, action, message):
    """A recall form sent from the batch page: done, back to the page's recall section;
    not valid or refused, the batch page again with what was typed."""
    batch = _recallable_batch(batch_id)
    form = form_class()
    if not form.validate_on_submit():
        return render_batch_page(batch, status=400, **{form_name: form})
    _done, refused = web.attempt(lambda: action(batch, form))
    if refused is not None:
        flash(refused.message, "error")
        return render_batch_page(batch, status=refused.status, **{form_name: form})
    flash(message(batch), "success")
    return redirect(url_for("portal_batches.batch", batch_id=batch.id, _anchor="recall"), 303)


# ------------------------------------------------------------------------- office

def _product_choices(form: OfficeRecallForm) -> None:
    """Products that have batches, named with their producer and code (two products of
    different producers may share a name)."""
    products = db.session.scalars(
        sa.select(Product).where(Product.id.in_(sa.select(Batch.product_id)))
        .options(joinedload(Product.producer)).order_by(Product.search_text, Product.id))
    form.product_id.choices = [(0, "—")] + [
        (p.id, f"{p.name_vi} · {p.producer.name} ({p.gtin or p.public_token})")
        for p in products]


def _new_office_form() -> OfficeRecallForm:
    form = OfficeRecallForm(formdata=None, data={"recalled_on": today_vn(),
                                                 "advice": ops.DEFAULT_ADVICE})
    _product_choices(form)
    return form


def _office_page(form: OfficeRecallForm, status: int = 200):
    with_batch = (joinedload(BatchRecall.batch).joinedload(Batch.product)
                  .joinedload(Product.producer))
    active = db.session.scalars(
        sa.select(BatchRecall).where(BatchRecall.lifted_at.is_(None))
        .options(with_batch, joinedload(BatchRecall.recorded_by))
        .order_by(BatchRecall.recalled_on.desc(), BatchRecall.id.desc())).all()
    lifted = db.session.scalars(
        sa.select(BatchRecall).where(BatchRecall.lifted_at.is_not(None))
        .options(with_batch, joinedload(BatchRecall.recorded_by),
                 joinedload(BatchRecall.lifted_by))
        .order_by(BatchRecall.lifted_at.desc(), BatchRecall.id.desc())
        .limit(RECENT_LIFTED)).all()
    return render_template("recalls/office.html", form=form, active=active, lifted=lifted,
                           lift_form=LiftForm(formdata=None)), status


@bp.get("/office/recalls")
@requires(Perm.OFFICE_VIEW)
def office():
    authorize(Perm.BATCH_RECALL)
    return _office_page(_new_office_form())


@bp.post("/office/recalls")
@requires(Perm.OFFICE_VIEW)
def office_recall():
    authorize(Perm.BATCH_RECALL)
    form = OfficeRecallForm()
    _product_choices(form)
    if not form.validate_on_submit():
        return _office_page(form, 400)
    lot = form.lot_code.data.strip()
    batch = db.session.scalar(sa.select(Batch).where(Batch.product_id == form.product_id.data,
                                                     Batch.lot_code == lot))
    if batch is None:
        form.lot_code.errors.append(_("Sản phẩm này không có lô “%(lot)s”.", lot=lot))
        return _office_page(form, 400)
    authorize(Perm.BATCH_RECALL, batch)
    _done, refused = web.attempt(_recall(batch, form))
    if refused is not None:
        flash(refused.message, "error")
        return _office_page(form, refused.status)
    flash(_recalled_message(batch), "success")
    return redirect(url_for(".office"), 303)


@bp.post("/office/recalls/<int:recall_id>/lift")
@requires(Perm.OFFICE_VIEW)
def office_lift(recall_id: int):
    recall = db.get_or_404(BatchRecall, recall_id)
    batch = recall.batch
    authorize(Perm.BATCH_RECALL, batch)
    form = LiftForm()
    if form.validate_on_submit():
        _done, refused = web.attempt(lambda: ops.lift_recall(
            batch, note=form.lift_note.data, recall_id=recall_id, actor=web.actor()))
    else:
        refused = OperationRefused(" ".join(str(e) for errors in form.errors.values()
                                            for e in errors))
    if refused is not None:
        flash(refused.message, "error")
        return _office_page(_new_office_form(), refused.status)
    flash(_("Đã gỡ thu hồi lô %(lot)s.", lot=batch.lot_code), "success")
    return redirect(url_for(".office"), 303)
