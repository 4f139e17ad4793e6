"""Producer portal: batches, trace events and the guided "harvest → batch → labels"
path. Routes live on this module's blueprint ``bp``."""
from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import web
from ..exceptions import OperationRefused
from ..extensions import db
from ..inputs import bounded_int
from ..models import (
    AdminUnit,
    Batch,
    BizStep,
    Product,
    Role,
    TraceEvent,
    UnitLevel,
)
from ..ocop.rules import VN_TZ, today_vn
from ..permissions import Perm, authorized, requires
from ..products.queries import own_products
from ..recalls.forms import LiftForm, RecallForm
from ..recalls.operations import DEFAULT_ADVICE, active_recall_of
from . import operations as batch_ops
from .forms import BatchForm, ConfirmForm, EventForm

bp = Blueprint("portal_batches", __name__, url_prefix="/portal")


def _commune_choices():
    units = db.session.scalars(db.select(AdminUnit).where(
        AdminUnit.level == UnitLevel.COMMUNE, AdminUnit.abolished_on.is_(None))).all()
    return [(0, "—")] + sorted(((u.id, u.address_line) for u in units), key=lambda c: c[1])


# ------------------------------------------------------------------------- batches

@bp.route("/batches")
@requires(Perm.BATCH_EDIT)
def batches():
    query = (db.select(Batch).join(Batch.product)
             .options(selectinload(Batch.label_runs))
             .order_by(Batch.created_at.desc(), Batch.id.desc()))
    if current_user.role is Role.PRODUCER:
        query = query.where(Product.producer_id == current_user.producer_id)
    return render_template("portal/batches/list.html", batches=db.session.scalars(query).all())


@bp.route("/harvest")
@requires(Perm.BATCH_EDIT)
def harvest():
    """Guided path, screen 1: which product was harvested or made?"""
    return render_template("portal/batches/harvest.html", products=own_products())


@bp.route("/products/<int:product_id>/batches/new", methods=["GET", "POST"])
@requires(Perm.BATCH_EDIT)
def new_batch(product_id: int):
    """Guided path, screen 2: the batch, prefilled (lot code, today's dates, commune)."""
    product = authorized(Perm.BATCH_EDIT, Product, product_id)
    form = BatchForm()
    form.origin_commune.choices = _commune_choices()
    if not form.is_submitted():
        today = today_vn()
        form.lot_code.data = batch_ops.suggest_lot_code(product, today)
        form.harvest_date.data = form.packing_date.data = today
        form.origin_commune.data = product.producer.commune_id or 0
    return web.form_page(
        form, lambda: _create_batch(product, form),
        done=lambda batch: _("Đã tạo lô %(lot)s. Chọn số tem để in.", lot=batch.lot_code),
        then=lambda batch: url_for("printing.order", batch_id=batch.id, guided=1),
        page=lambda: render_template("portal/batches/new.html", form=form, product=product))


def _create_batch(product: Product, form: BatchForm) -> Batch:
    """The batch as the form says, with its harvest as the first event of its journey."""
    batch = batch_ops.create_batch(
        product, lot_code=form.lot_code.data, harvest_date=form.harvest_date.data,
        production_date=form.production_date.data,
        packing_date=form.packing_date.data, expiry_date=form.expiry_date.data,
        quantity=form.quantity.data, unit=form.unit.data, origin=form.origin.data,
        origin_commune=_commune(form.origin_commune.data), actor=web.actor())
    if form.harvest_date.data:
        batch_ops.add_event(batch, biz_step=BizStep.HARVESTING,
                            local_time=datetime.combine(form.harvest_date.data,
                                                        datetime.min.time()),
                            location=form.origin.data, actor=web.actor())
    return batch


def _commune(unit_id: int | None):
    if not unit_id:
        return None
    unit = db.session.get(AdminUnit, unit_id)
    if unit is None or unit.level is not UnitLevel.COMMUNE:
        raise OperationRefused(_("Xã, phường, thị trấn không hợp lệ."))
    return unit


@bp.route("/batches/<int:batch_id>", methods=["GET", "POST"])
@requires(Perm.BATCH_EDIT)
def batch(batch_id: int):
    """A batch: its facts, its timeline, and the form to add an event."""
    batch = authorized(Perm.BATCH_EDIT, Batch, batch_id)
    form = EventForm()
    form.commune.choices = _commune_choices()
    correcting = _corrected_event(batch)
    if not form.is_submitted():
        _prefill_event(form, correcting, batch)
    return web.form_page(
        form, lambda: batch_ops.add_event(
            batch, biz_step=BizStep(form.biz_step.data), local_time=form.local_time.data,
            tz_offset=form.tz_offset.data, location=form.location.data, note=form.note.data,
            commune=_commune(form.commune.data), corrects=correcting, actor=web.actor()),
        done=_("Đã ghi sự kiện vào hành trình của lô."),
        then=url_for(".batch", batch_id=batch.id),
        page=lambda: batch_page(batch, form=form, correcting=correcting))


def _corrected_event(batch: Batch) -> TraceEvent | None:
    """The event of ``batch`` that ``?corrects=`` names (404 if it is not one of them)."""
    corrects_id = request.values.get("corrects", type=bounded_int)
    if not corrects_id:
        return None
    event = db.session.get(TraceEvent, corrects_id)
    if event is None or event.batch_id != batch.id:
        abort(404)
    return event


def _prefill_event(form: EventForm, correcting: TraceEvent | None, batch: Batch) -> None:
    """Now, at the producer's commune; or what the corrected event said (in its own time
    zone)."""
    form.local_time.data = _now_vn()
    form.commune.data = batch.product.producer.commune_id or 0
    if correcting is not None:
        form.commune.data = correcting.commune_id or 0
        form.biz_step.data = correcting.biz_step.value
        form.local_time.data = correcting.event_time.astimezone(
            batch_ops.parse_offset(correcting.tz_offset)).replace(tzinfo=None)
        form.tz_offset.data = correcting.tz_offset
        form.location.data = correcting.location
        form.note.data = correcting.note


def render_batch_page(batch: Batch, *, status: int = 200, **forms):
    """The batch page and its status, also re-shown by the recall views with what was
    typed there."""
    return batch_page(batch, **forms), status


def batch_page(batch: Batch, *, form: EventForm | None = None, correcting=None,
               recall_form: RecallForm | None = None, lift_form: LiftForm | None = None) -> str:
    """The batch page (its event form, recall and lift forms as given, else fresh)."""
    if form is None:
        form = EventForm(formdata=None, data={
            "local_time": _now_vn(), "commune": batch.product.producer.commune_id or 0})
        form.commune.choices = _commune_choices()
    recall_typed = recall_form is not None  # re-shown after a refusal: keep it open
    if recall_form is None:
        recall_form = RecallForm(formdata=None, data={"recalled_on": today_vn(),
                                                      "advice": DEFAULT_ADVICE})
    if lift_form is None:
        lift_form = LiftForm(formdata=None)
    return render_template(
        "portal/batches/detail.html", batch=batch, form=form, correcting=correcting,
        delete_form=ConfirmForm(), recall_form=recall_form, recall_typed=recall_typed,
        lift_form=lift_form, active_recall=active_recall_of(batch),
        checklist=circular_checklist(batch))


def circular_checklist(batch: Batch):
    """The ten items of Circular 02/2024 for the batch (the batch page and the label
    order page show them)."""
    from ..api.queries import product_certifications
    from ..label_runs.operations import public_base_url
    from ..traceability.record import record

    return record(batch, public_base_url().rstrip("/"), today_vn(),
                  product_certifications(batch.product))


def _now_vn() -> datetime:
    return datetime.now(VN_TZ).replace(second=0, microsecond=0, tzinfo=None)


@bp.route("/batches/<int:batch_id>/delete", methods=["POST"])
@requires(Perm.BATCH_EDIT)
def delete_batch(batch_id: int):
    batch = authorized(Perm.BATCH_EDIT, Batch, batch_id)
    web.posted(ConfirmForm())
    return web.button(lambda: batch_ops.delete_batch(batch, actor=web.actor()),
                      done=_("Đã xoá lô."), then=url_for(".batches"),
                      back=url_for(".batch", batch_id=batch_id))
