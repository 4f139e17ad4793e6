"""The producer's writes through the API, with a personal token: batches, trace events,
label runs and their PDF. Each goes through the same operation and the same permission
rule as the portal's page for it, so the API can do nothing the portal would refuse."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import abort, send_file
from flask_babel import gettext as _

from .. import web
from ..batches import operations as batch_ops
from ..exceptions import OperationRefused
from ..extensions import db
from ..label_runs import files
from ..label_runs import operations as run_ops
from ..models import Batch, BizStep, LabelFileStatus, LabelRun, Product, TokenScope
from ..ocop.rules import today_vn
from ..permissions import Perm, authorize
from . import present
from . import schemas as s
from .auth import SECURITY, needs
from .limits import limited
from .views import _base, bp


def _done(action, race: str | None = None):
    """Run an operation and commit once; a refusal is the error handler's problem."""
    value, refused = web.attempt(action, race=race)
    if refused is not None:
        raise refused
    return value


def _own_product(token: str, perm: Perm) -> Product:
    product = db.session.scalar(sa.select(Product).where(Product.public_token == token))
    if product is None:
        abort(404)
    authorize(perm, product)
    return product


def _own_batch(token: str, lot: str, perm: Perm) -> Batch:
    product = _own_product(token, perm)
    batch = db.session.scalar(sa.select(Batch).where(Batch.product_id == product.id,
                                                     Batch.lot_code == lot))
    return batch or abort(404)


PRODUCT_FIELDS = ("name_vi", "name_en", "group_code", "subgroup", "description_vi",
                  "description_en", "gtin")


def _product_body(product: Product) -> dict:
    from . import queries

    return present.product_detail(product, today_vn(), _base(),
                                  certifications=queries.product_certifications(product),
                                  batches=queries.product_batches(product))


def _product_data(data: dict):
    from ..products.operations import ProductData, clean_text

    return ProductData(**{k: clean_text(data.get(k)) if isinstance(data.get(k), str)
                          else data.get(k) for k in PRODUCT_FIELDS})


@bp.post("/products")
@limited
@needs(TokenScope.WRITE)
@bp.doc(security=SECURITY)
@bp.arguments(s.ProductIn)
@bp.response(201, s.Product)
def create_product(data: dict):
    """Create a product of your producer (listed at once, like the portal's)."""
    from ..products import operations as product_ops

    user = web.actor()
    producer = user.producer if user.producer_id is not None else abort(403)
    authorize(Perm.PRODUCT_EDIT, producer)
    product = _done(lambda: product_ops.create_product(producer, _product_data(data),
                                                       actor=user))
    body = _product_body(product)
    return body, 201, {"Location": body["url"]}


@bp.patch("/products/<string:token>")
@limited
@needs(TokenScope.WRITE)
@bp.doc(security=SECURITY)
@bp.arguments(s.ProductChange(partial=True))
@bp.response(200, s.Product)
def update_product(data: dict, token: str):
    """Change some fields of one of your products (the others stay as they are)."""
    from flask import request

    from ..products import operations as product_ops

    product = _own_product(token, Perm.PRODUCT_EDIT)
    if request.get_json(silent=True) is None:  # no body: nothing was meant, say so
        raise OperationRefused(_("Nội dung gửi lên không phải JSON."))
    merged = {k: data[k] if k in data else getattr(product, k) for k in PRODUCT_FIELDS}
    _done(lambda: product_ops.update_product(product, _product_data(merged),
                                             actor=web.actor()))
    return _product_body(product)


@bp.post("/products/<string:token>/batches")
@limited
@needs(TokenScope.WRITE)
@bp.doc(security=SECURITY)
@bp.arguments(s.BatchIn)
@bp.response(201, s.Batch)
def create_batch(data: dict, token: str):
    """Create a batch of one of your products."""
    product = _own_product(token, Perm.BATCH_EDIT)
    quantity = Decimal(data["quantity"]) if data.get("quantity") else None
    batch = _done(lambda: batch_ops.create_batch(
        product, lot_code=data["lot"], actor=web.actor(), quantity=quantity,
        **{k: data.get(k) for k in ("harvest_date", "production_date", "packing_date",
                                   "expiry_date", "unit", "origin")}),
        race=_("Sản phẩm này đã có lô mã “%(lot)s”.", lot=data["lot"]))
    body = present.batch_detail(batch, today_vn(), _base())
    return body, 201, {"Location": body["url"]}


def _offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@bp.post("/products/<string:token>/batches/<string:lot>/events")
@limited
@needs(TokenScope.WRITE)
@bp.doc(security=SECURITY)
@bp.arguments(s.EventIn)
@bp.response(201, s.Event)
def add_event(data: dict, token: str, lot: str):
    """Record what happened to one of your batches."""
    batch = _own_batch(token, lot, Perm.BATCH_EDIT)
    event = _done(lambda: batch_ops.add_event(
        batch, biz_step=BizStep(data["biz_step"]), local_time=data["time"],
        tz_offset=_offset(data["time"]), location=data.get("location"),
        note=data.get("note"), actor=web.actor()))
    return present.event(event), 201


EPCIS_BODY = {"required": True, "description": "An EPCIS 2.0 document (JSON-LD) of events "
               "about this batch only", "content": {
                   media: {"schema": {"type": "object"}}
                   for media in ("application/ld+json", "application/json")}}


@bp.post("/products/<string:token>/batches/<string:lot>/epcis")
@limited
@needs(TokenScope.WRITE)
@bp.doc(security=SECURITY, requestBody=EPCIS_BODY)
@bp.response(201, s.Event(many=True))
def import_epcis(token: str, lot: str):
    """Add the events of an EPCIS 2.0 document to one of your batches: all, or none."""
    from flask import request

    from ..batches.epcis_import import import_events

    batch = _own_batch(token, lot, Perm.BATCH_EDIT)
    document = request.get_json(force=True, silent=True)
    if document is None:
        raise OperationRefused(_("Nội dung gửi lên không phải JSON."))
    events = _done(lambda: import_events(batch, document, base=_base(), actor=web.actor()))
    return [present.event(e) for e in events], 201


def _run_body(run: LabelRun) -> dict:
    job, serials = run_ops.print_job(run), run_ops.signer()
    from ..labels.serials import display

    label_file = run.file("pdf", 0)
    url = f"{_base()}{present.API}/label-runs/{run.order_token}"
    done = label_file is not None and label_file.status is LabelFileStatus.DONE
    return {
        "key": run.order_token, "batch": present.batch_url(_base(), run.batch),
        "count": run.count, "layout": run.layout,
        "first_serial": display(serials.make(job.item_key, job.lot, run.start_seq)),
        "last_serial": display(serials.make(job.item_key, job.lot, run.end_seq - 1)),
        "printed_stars": run.printed_stars, "created_at": run.created_at,
        "file": {"status": label_file.status.value if label_file else "queued",
                 "done": label_file.done if label_file else 0,
                 "size": label_file.size if label_file else None,
                 "pdf": f"{url}/labels.pdf" if done else None},
        "url": url,
    }


def _queue_pdf(run: LabelRun) -> None:
    """Ask a worker for the run's PDF, unless it is made or being made."""
    label_file, queued = _done(lambda: files.request_file(run, "pdf"))
    if queued:
        files.start(label_file)


@bp.post("/products/<string:token>/batches/<string:lot>/label-runs")
@limited
@needs(TokenScope.WRITE)
@bp.doc(security=SECURITY)
@bp.arguments(s.LabelRunIn)
@bp.response(201, s.LabelRun)
@bp.alt_response(200, schema=s.LabelRun, description="The run this order key made before")
def order_labels(data: dict, token: str, lot: str):
    """Order a label run: serials are issued now, the PDF is made by a worker."""
    batch = _own_batch(token, lot, Perm.LABELS_PRINT)
    key = data.pop("order_key", None)
    earlier = run_ops.run_for_token(batch, key) if key else None
    if earlier is not None:
        return _run_body(earlier), 200
    import secrets

    run = _done(lambda: run_ops.order_label_run(
        batch, order_token=key or secrets.token_urlsafe(32), base_url=run_ops.public_base_url(),
        actor=web.actor(), **data), race=_("Khoá đơn in này đã được dùng."))
    _queue_pdf(run)
    body = _run_body(run)
    return body, 201, {"Location": body["url"]}


def _own_run(key: str) -> LabelRun:
    run = db.session.scalar(sa.select(LabelRun).where(LabelRun.order_token == key))
    if run is None:
        abort(404)
    authorize(Perm.LABELS_PRINT, run)
    return run


@bp.get("/label-runs/<string:key>")
@limited
@needs(TokenScope.READ)
@bp.doc(security=SECURITY)
@bp.response(200, s.LabelRun)
def label_run(key: str):
    """One of your label runs, and how far its PDF is."""
    return _run_body(_own_run(key))


@bp.get("/label-runs/<string:key>/labels.pdf")
@limited
@needs(TokenScope.READ)
@bp.doc(security=SECURITY)
@bp.response(200, description="The labels, ready to print", content_type="application/pdf")
def label_pdf(key: str):
    """The run's PDF once the worker has made it; 409 with Retry-After until then."""
    run = _own_run(key)
    label_file = run.file("pdf", 0)
    path = files.path_of(label_file) if label_file is not None else None
    if label_file is None or label_file.status is LabelFileStatus.FAILED or (
            label_file.status is LabelFileStatus.DONE and (path is None or not path.exists())):
        _queue_pdf(run)
    elif label_file.status is LabelFileStatus.DONE:
        return send_file(path, mimetype="application/pdf", conditional=True, max_age=0,
                         download_name=run_ops.print_job(run).download_name("pdf"))
    raise NotReady(_("Tệp tem đang được tạo; thử lại sau ít giây."))


class NotReady(OperationRefused):
    """The run's file is not made yet: 409, to be asked again after ``retry_after``."""

    retry_after = 5

    def __init__(self, message: str) -> None:
        super().__init__(message, 409)
