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
from ..permissions import Perm, authorize, requires
from . import operations as ops
from .forms import LiftForm, OfficeRecallForm, RecallForm

bp = Blueprint("recalls", __name__)

#: How many lifted recalls the office page lists, newest first.
RECENT_LIFTED = 20

def _recallable_batch(batch_id: int) -> Batch:
    batch = db.get_or_404(Batch, batch_id)
    authorize(Perm.BATCH_RECALL, batch)
    return batch


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
    batch = _recallable_batch(batch_id)
    form = RecallForm()
    if not form.validate_on_submit():
        return render_batch_page(batch, recall_form=form, status=400)
    _done, refused = web.attempt(_recall(batch, form))
    if refused is not None:
        flash(refused.message, "error")
        return render_batch_page(batch, recall_form=form, status=refused.status)
    flash(_recalled_message(batch), "success")
    return redirect(url_for("portal_batches.batch", batch_id=batch.id, _anchor="recall"), 303)


@bp.post("/portal/batches/<int:batch_id>/recall/lift")
@requires(Perm.BATCH_RECALL)
def lift(batch_id: int):
    batch = _recallable_batch(batch_id)
    form = LiftForm()
    if not form.validate_on_submit():
        return render_batch_page(batch, lift_form=form, status=400)
    _done, refused = web.attempt(lambda: ops.lift_recall(
        batch, note=form.lift_note.data, recall_id=form.seen_recall_id(), actor=web.actor()))
    if refused is not None:
        flash(refused.message, "error")
        return render_batch_page(batch, lift_form=form, status=refused.status)
    flash(_("Đã gỡ thu hồi lô %(lot)s.", lot=batch.lot_code), "success")
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
