"""Producers order label runs for their own batches and download the PDF."""
from __future__ import annotations

import queue
import secrets
import threading
from collections.abc import Iterator
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from .. import web
from ..batches.views import circular_checklist
from ..inputs import bounded_int
from ..labels.layouts import LAYOUTS
from ..labels.serials import display
from ..models import Batch, LabelFileStatus, LabelRun
from ..ocop.rules import today_vn
from ..permissions import Perm, authorized, requires
from . import files
from .forms import LAYOUT_LABELS, LabelRunForm
from .operations import (
    MAX_RUN,
    SMALL_RUN,
    NeedsConfirmation,
    RunPrintJob,
    _grouped,
    default_printer,
    file_choices,
    is_loopback,
    order_label_run,
    print_job,
    public_base_url,
    run_for_token,
    signer,
    stars_on_label,
)

bp = Blueprint("printing", __name__, url_prefix="/portal")


@bp.route("/labels")
@requires(Perm.LABELS_PRINT)
def batches():
    """The old address of the batch list: the portal's batch list prints labels too."""
    return redirect(url_for("portal_batches.batches"), 301)


@bp.route("/batches/<int:batch_id>/labels", methods=["GET", "POST"])
@requires(Perm.LABELS_PRINT)
def order(batch_id: int):
    """The order form. Whatever path led here (the guided one after a new batch, or the
    batch list), a sent order lands on its run page; the same form sent twice lands on
    the run the first sending made and issues nothing new."""
    batch = authorized(Perm.LABELS_PRINT, Batch, batch_id)
    form = LabelRunForm()
    status, needs = 200, None
    if not form.is_submitted():
        _prefill(form, batch)
    elif "preview" in request.form:
        status = 200 if form.validate_on_submit() else 400
    elif form.validate_on_submit():
        answer, status, needs = _place_order(batch, form)
        if answer is not None:
            return answer
    else:
        status = 400
    response = make_response(render_template("printing/order.html", batch=batch, form=form,
                                             **_order_facts(batch, form, needs)), status)
    # Not no-store: a browser that shows this very form again on the back button sends
    # its one-time token, which lands on the run it already made (one that fetches it
    # again gets a new token, and the same order is then asked to be confirmed).
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def _prefill(form: LabelRunForm, batch: Batch) -> None:
    """A new order form: the producer's last layout and printer offset, the batch's
    quantity as the count, a fresh one-time token."""
    form.layout.data = batch.product.producer.last_label_layout or "a4-3x8"
    printer = default_printer(batch.product.producer_id)
    if printer is not None:
        form.offset_x_mm.data, form.offset_y_mm.data = printer.offset_x_mm, printer.offset_y_mm
    if batch.quantity and batch.quantity == int(batch.quantity):
        form.count.data = min(int(batch.quantity), MAX_RUN)
    form.order_token.data = secrets.token_urlsafe(24)


def _place_order(batch: Batch, form: LabelRunForm):
    """(the redirect to the run, or None; the form's status; what needs confirming)."""
    token = form.order_token.data or None
    earlier = run_for_token(batch, token)
    if earlier is not None:
        return _already_ordered(earlier), 303, None
    if token is None:
        form.order_token.data = secrets.token_urlsafe(24)
        flash(_("Biểu mẫu này đã cũ: kiểm tra lại rồi bấm in lần nữa."), "error")
        return None, 400, None
    run, refused = web.attempt(lambda: order_label_run(
        batch, count=form.count.data, layout=form.layout.data, ecc=form.ecc.data,
        offset_x_mm=form.offset_x_mm.data or 0, offset_y_mm=form.offset_y_mm.data or 0,
        start_position=form.start_position.data or 1,
        show_decision_end=form.show_decision_end.data,
        confirm_expired=form.confirm_expired.data,
        confirm_repeat=form.confirm_repeat.data, order_token=token,
        base_url=public_base_url(), actor=web.actor()))
    if refused is not None:
        earlier = run_for_token(batch, token)
        if earlier is not None:  # the same form sent at the same moment
            return _already_ordered(earlier), 303, None
        flash(refused.message, "error")
        needs = refused.what if isinstance(refused, NeedsConfirmation) else None
        return None, refused.status, needs
    if run.count > SMALL_RUN:  # the run is kept even if the queue is not there
        _start_file(run, "pdf")
    flash(_("Đã cấp %(n)s số sê-ri cho lô %(lot)s.", n=_grouped(run.count),
            lot=batch.lot_code), "success")
    return redirect(url_for(".run", run_id=run.id), 303), 303, None


def _already_ordered(run: LabelRun):
    flash(_("Lệnh in này đã được gửi và cấp số ở đợt in %(id)s; không cấp thêm số sê-ri.",
            id=run.id), "notice")
    return redirect(url_for(".run", run_id=run.id), 303)


def _order_facts(batch: Batch, form: LabelRunForm, needs: str | None) -> dict:
    from ..labels.pdf import sheet_positions
    from ..recalls.operations import active_recall_of

    layout = LAYOUTS.get(form.layout.data or "") or LAYOUTS["a4-3x8"]
    start = form.start_position.data or 1
    count = form.count.data or 0
    positions = None
    if not layout.roll and 1 <= start <= layout.per_page and count > 0:
        positions = sheet_positions(layout.name, start, count)
    base_url = public_base_url()
    today = today_vn()
    return {
        "rating": stars_on_label(batch, today),
        "expired": batch.expiry_date is not None and batch.expiry_date < today,
        "recall": active_recall_of(batch),
        "needs": needs,
        "sheet": layout,
        "positions": positions,
        "base_url": base_url,
        "loopback": is_loopback(base_url),
        "checklist": circular_checklist(batch),
    }


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


def _own_run(run_id: int) -> LabelRun:
    label_run = authorized(Perm.LABELS_PRINT, LabelRun, run_id)
    return label_run


@bp.route("/label-runs/<int:run_id>")
@requires(Perm.LABELS_PRINT)
def run(run_id: int):
    """A run: what was issued, the serial range, and its files (refreshes itself while
    a worker is making one, so the page needs no JavaScript)."""
    label_run = _own_run(run_id)
    job = print_job(label_run)
    serials = signer()
    first = display(serials.make(job.item_key, job.lot, label_run.start_seq))
    last = display(serials.make(job.item_key, job.lot, label_run.end_seq - 1))
    choices = []
    for fmt, dpi in file_choices(label_run):
        choices.append({"fmt": fmt, "dpi": dpi, "file": label_run.file(fmt, dpi),
                        "label": _format_label(fmt, dpi)})
    pending = any(c["file"] is not None and c["file"].pending for c in choices)
    base_url = job.base_url
    return render_template(
        "printing/run.html", run=label_run, job=job, first=first, last=last,
        choices=choices, small=label_run.count <= SMALL_RUN, pending=pending,
        sheet=LAYOUTS[label_run.layout], sheet_title=LAYOUT_LABELS.get(label_run.layout,
                                                                        label_run.layout),
        base_url=base_url, loopback=is_loopback(base_url),
        grouped=_grouped)


def _format_label(fmt: str, dpi: int) -> str:
    if fmt == "pdf":
        return _("PDF (máy in văn phòng, tờ A4 hoặc cuộn)")
    name = "TSPL (Xprinter, TSC)" if fmt == "tspl" else "ZPL (Zebra)"
    return _("%(name)s cho máy in nhiệt %(dpi)s dpi", name=name, dpi=dpi)


def _file_choice(label_run: LabelRun, fmt: str) -> tuple[str, int]:
    dpi = request.values.get("dpi", 0, type=bounded_int) if fmt != "pdf" else 0
    if (fmt, dpi) not in file_choices(label_run):
        abort(404)
    return fmt, dpi


def _start_file(label_run: LabelRun, fmt: str, dpi: int = 0) -> bool:
    """Record the request for the run's file and hand it to a worker; False when it was
    already queued or made."""
    label_file, queued = web.attempt(lambda: files.request_file(label_run, fmt, dpi)).value
    if queued:
        files.start(label_file)
    return queued


@bp.route("/label-runs/<int:run_id>/files/<fmt>", methods=["POST"])
@requires(Perm.LABELS_PRINT)
def make_file(run_id: int, fmt: str):
    """Ask a worker for the run's file in this format (again, if it failed)."""
    label_run = _own_run(run_id)
    fmt, dpi = _file_choice(label_run, fmt)
    if _start_file(label_run, fmt, dpi):
        flash(_("Đang tạo tệp. Trang này tự cập nhật tiến độ."), "success")
    return redirect(url_for(".run", run_id=label_run.id), 303)


@bp.route("/label-runs/<int:run_id>/labels.pdf", defaults={"fmt": "pdf"})
@bp.route("/label-runs/<int:run_id>/labels.<any(tspl, zpl):fmt>")
@requires(Perm.LABELS_PRINT)
def download(run_id: int, fmt: str):
    """The run's file: the worker's finished file (with range requests, so a slow or
    broken download resumes), or for a small run the file written while it downloads."""
    label_run = _own_run(run_id)
    fmt, dpi = _file_choice(label_run, fmt)
    job = print_job(label_run)
    label_file = label_run.file(fmt, dpi)
    mimetype = "application/pdf" if fmt == "pdf" else "application/octet-stream"
    if label_file is not None and label_file.status is LabelFileStatus.DONE:
        path = files.path_of(label_file)
        if path is not None and path.exists():
            response = send_file(path, mimetype=mimetype, conditional=True, etag=True,
                                 max_age=0, download_name=job.download_name(fmt, dpi))
            response.headers["Content-Disposition"] = content_disposition(
                job.download_name(fmt, dpi))
            response.headers["Cache-Control"] = "private, no-cache"
            return response
    if label_run.count > SMALL_RUN:
        flash(_("Tệp của đợt in này chưa sẵn sàng: tạo tệp rồi tải khi xong."), "error")
        return redirect(url_for(".run", run_id=label_run.id), 303)
    response = Response(stream_file(job, fmt, dpi), mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(job.download_name(fmt, dpi))
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
    return stream_file(job, "pdf", 0)


def stream_file(job: RunPrintJob, fmt: str, dpi: int) -> Iterator[bytes]:
    """Write the PDF in a worker thread and yield it as it grows.

    The queue is bounded, so a slow client holds back the writer instead of letting the
    document pile up in memory: memory stays flat however many labels the run has. A
    client that disconnects stops the writer.
    """
    serials = signer()  # needs the app context: read now, not when the body is iterated
    return _stream(job, serials, fmt, dpi)


def _stream(job: RunPrintJob, serials, fmt: str = "pdf", dpi: int = 0) -> Iterator[bytes]:
    pieces: queue.Queue = queue.Queue(maxsize=8)
    cancelled = threading.Event()

    def work() -> None:
        writer = _QueueWriter(pieces, cancelled)
        try:
            files.write_file(writer, job, serials, fmt, dpi)
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
