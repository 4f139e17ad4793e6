"""Producers order label runs for their own batches and download the PDF."""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from urllib.parse import quote

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..exceptions import OperationRefused
from ..extensions import db
from ..labels.pdf import write_label_pdf
from ..models import Batch, LabelRun
from ..permissions import Perm, authorize, requires
from .forms import LabelRunForm
from ..labels.layouts import LAYOUTS
from .operations import RunPrintJob, default_printer, order_label_run, print_job, signer

bp = Blueprint("printing", __name__, url_prefix="/portal")


@bp.route("/labels")
@requires(Perm.LABELS_PRINT)
def batches():
    """The old address of the batch list: the portal's batch list prints labels too."""
    return redirect(url_for("portal_batches.batches"), 301)


@bp.route("/batches/<int:batch_id>/labels", methods=["GET", "POST"])
@requires(Perm.LABELS_PRINT)
def order(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)
    authorize(Perm.LABELS_PRINT, batch)
    form = LabelRunForm()
    if not form.is_submitted():
        form.layout.data = batch.product.producer.last_label_layout or "a4-3x8"
        printer = default_printer(batch.product.producer_id)
        if printer is not None:
            form.offset_x_mm.data, form.offset_y_mm.data = printer.offset_x_mm, printer.offset_y_mm
        if batch.quantity and batch.quantity == int(batch.quantity):
            form.count.data = min(int(batch.quantity), 100_000)
    status = 200
    if form.validate_on_submit():
        try:
            run = order_label_run(batch, count=form.count.data, layout=form.layout.data,
                                  ecc=form.ecc.data, offset_x_mm=form.offset_x_mm.data or 0,
                                  offset_y_mm=form.offset_y_mm.data or 0,
                                  actor=current_user._get_current_object())
        except OperationRefused as refused:
            db.session.rollback()
            flash(refused.message, "error")
            status = refused.status
        else:
            db.session.commit()
            flash(_("Đã cấp %(n)s số sê-ri cho lô %(lot)s. Tải tệp PDF để in.",
                    n=run.count, lot=batch.lot_code), "success")
            if request.args.get("guided"):
                # Guided path, last screen: the PDF comes straight back as a download.
                return redirect(url_for(".download", run_id=run.id), 303)
            return redirect(url_for(".run", run_id=run.id))
    elif form.is_submitted():
        status = 400
    return render_template("printing/order.html", batch=batch, form=form), status


@bp.route("/labels/align.pdf")
@requires(Perm.LABELS_PRINT)
def align():
    """An alignment page for the chosen stock and offset: print it at 100 % on plain
    paper, lay it on a label sheet against the light, adjust the offset."""
    import io

    from ..labels.pdf import write_alignment_pdf

    layout = request.args.get("layout", "a4-3x8")
    if layout not in LAYOUTS:
        abort(404)
    try:
        offset = (float(request.args.get("x", 0)), float(request.args.get("y", 0)))
    except ValueError:
        abort(400, _("Độ lệch phải là số (mm)."))
    if not all(-20 <= v <= 20 for v in offset):
        abort(400, _("Độ lệch máy in phải trong khoảng −20 đến 20 mm."))
    out = io.BytesIO()
    write_alignment_pdf(out, layout, offset=offset)
    response = Response(out.getvalue(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="can-chinh-{layout}.pdf"'
    return response


@bp.route("/label-runs/<int:run_id>")
@requires(Perm.LABELS_PRINT)
def run(run_id: int):
    label_run = db.get_or_404(LabelRun, run_id)
    authorize(Perm.LABELS_PRINT, label_run)
    return render_template("printing/run.html", run=label_run)


@bp.route("/label-runs/<int:run_id>/labels.pdf")
@requires(Perm.LABELS_PRINT)
def download(run_id: int):
    label_run = db.get_or_404(LabelRun, run_id)
    authorize(Perm.LABELS_PRINT, label_run)
    job = print_job(label_run)
    response = Response(stream_pdf(job), mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(job.download_name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the Vietnamese name (RFC 6266 / 5987)."""
    from ..text import search_key

    fallback = search_key(filename).replace(" ", "-") or "labels.pdf"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


class _Cancelled(Exception):
    """The client went away: stop writing the PDF."""


class _QueueWriter:
    """A file-like object that hands written bytes to the response in ~64 KiB pieces."""

    CHUNK = 64 * 1024

    def __init__(self, out: queue.Queue, cancelled: threading.Event) -> None:
        self._out, self._cancelled, self._buf = out, cancelled, bytearray()

    def write(self, data: bytes) -> int:
        self._buf += data
        if len(self._buf) >= self.CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            self.put(bytes(self._buf))
            self._buf.clear()

    def put(self, item: object) -> None:
        while True:
            if self._cancelled.is_set():
                raise _Cancelled
            try:
                self._out.put(item, timeout=0.5)
                return
            except queue.Full:
                continue


_DONE = object()


def stream_pdf(job: RunPrintJob) -> Iterator[bytes]:
    """Write the PDF in a worker thread and yield it as it grows.

    The queue is bounded, so a slow client holds back the writer instead of letting the
    document pile up in memory: memory stays flat however many labels the run has. A
    client that disconnects stops the writer.
    """
    serials = signer()  # needs the app context: read now, not when the body is iterated
    return _stream(job, serials)


def _stream(job: RunPrintJob, serials) -> Iterator[bytes]:
    pieces: queue.Queue = queue.Queue(maxsize=8)
    cancelled = threading.Event()

    def work() -> None:
        writer = _QueueWriter(pieces, cancelled)
        try:
            write_label_pdf(writer, job.contents(serials), job.layout, offset=job.offset,
                            ecc=job.ecc, title=f"{job.product_name} · {job.lot}")
            writer.flush()
            writer.put(_DONE)
        except _Cancelled:
            return
        except Exception as error:  # noqa: BLE001 - re-raised on the response side
            try:
                writer.put(error)
            except _Cancelled:
                return

    thread = threading.Thread(target=work, name="label-pdf", daemon=True)
    thread.start()
    try:
        while True:
            piece = pieces.get()
            if piece is _DONE:
                break
            if isinstance(piece, Exception):
                raise piece
            yield piece
    finally:
        cancelled.set()
        thread.join(timeout=5)
