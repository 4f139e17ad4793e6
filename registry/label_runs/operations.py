"""Order label runs and turn them into label contents; verify scanned serials."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..labels.layouts import LAYOUTS
from ..labels.links import LabelAddressError, label_url_factory
from ..labels.pdf import LabelContent
from ..labels.serials import SerialSigner, derive_key, display
from ..models import Batch, BatchStatus, LabelRun, PrinterProfile, Product, User
from ..models.base import localized
from ..models.batch import MAX_SERIALS_PER_BATCH
from ..ocop.rules import today_vn

#: One run at most: a large harvest's labels (made by a background worker).
MAX_RUN = 1_000_000
ECC_LEVELS = ("M", "Q")


def _grouped(number: int) -> str:
    """100.000 in Vietnamese, 100,000 in English."""
    return localized((f"{number:,}".replace(",", "."), f"{number:,}"))


def signer() -> SerialSigner:
    return SerialSigner(derive_key(current_app.config["LABEL_SIGNING_KEY"]))


def item_key(product: Product) -> str:
    """What the serials of a product are signed with: its GTIN-14 or its public code."""
    return product.gtin or product.public_token


class NeedsConfirmation(OperationRefused):
    """The order is possible but likely a mistake: the member must confirm it."""

    def __init__(self, message: str, what: str) -> None:
        super().__init__(message, 409)
        self.what = what  # the form field that confirms it


#: Up to this many labels a file is written while the member waits (streamed);
#: larger runs are made by a background worker and downloaded when ready.
SMALL_RUN = 500


def is_loopback(base_url: str) -> bool:
    """True when labels with this address only scan on the machine that serves it."""
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_base_url() -> str:
    """The address printed on labels: the configured one; without one, the address this
    request reached the registry at (so labels work on whatever host and port serve it)."""
    from flask import has_request_context, request

    configured = current_app.config.get("PUBLIC_BASE_URL")
    if current_app.config.get("PUBLIC_BASE_URL_SET") or not has_request_context():
        return configured.rstrip("/")
    return request.host_url.rstrip("/")


@dataclass(frozen=True)
class StarsOnLabel:
    """What a run ordered today would print about the product's rating."""

    stars: int | None
    decision_ends: date | None  # set when the decision ends before the batch expires
    decision: object | None


def stars_on_label(batch: Batch, on: date | None = None) -> StarsOnLabel:
    on = on or today_vn()
    decision = batch.product.current_decision(on)
    if decision is None or not decision.is_valid(on):
        return StarsOnLabel(None, None, None)
    ends = decision.valid_until
    if decision.revoked_on is None and batch.expiry_date and ends < batch.expiry_date:
        return StarsOnLabel(decision.stars, ends, decision)
    return StarsOnLabel(decision.stars, None, decision)


def sample_content(batch: Batch, *, ecc: str, base_url: str,
                   stars_until: date | None, stars: int | None) -> LabelContent:
    """The first label of a run as it would print (only the serial differs between the
    labels of a run, and every serial has the same length)."""
    product = batch.product
    url_for = label_url_factory(base_url, gtin14=product.gtin,
                                product_code=None if product.gtin else product.public_token,
                                lot=batch.lot_code, expiry=batch.expiry_date)
    serial = signer().make(item_key(product), batch.lot_code, min(batch.next_serial,
                                                                  MAX_SERIALS_PER_BATCH - 1))
    return LabelContent(url=url_for(serial), serial_display=display(serial),
                        product_name=product.name_vi, producer_name=product.producer.name,
                        lot=batch.lot_code, stars=stars, expiry=batch.expiry_date,
                        stars_until=stars_until if stars else None)


def check_fit(batch: Batch, layout: str, ecc: str, base_url: str,
              stars_until: date | None, stars: int | None) -> None:
    """Refuse, before any serial is issued, a label whose text cannot be printed whole."""
    from ..labels.layouts import LayoutError
    from ..labels.pdf import LabelTextError, check_label_fits

    content = sample_content(batch, ecc=ecc, base_url=base_url, stars_until=stars_until,
                             stars=stars)
    try:
        check_label_fits(content, layout, ecc=ecc)
    except LabelTextError as error:
        fits = [name for name in error.fits if name != layout]
        if fits:
            raise OperationRefused(_(
                "Nội dung tem không in đủ trên khổ %(layout)s ngay cả ở cỡ chữ nhỏ nhất. "
                "Chọn khổ tem vừa: %(fits)s.", layout=layout, fits=", ".join(fits))) from None
        raise OperationRefused(_(
            "Nội dung tem không in đủ trên khổ tem nào, ngay cả ở cỡ chữ nhỏ nhất. "
            "Hãy rút ngắn tên sản phẩm hoặc tên chủ thể.")) from None
    except LayoutError as error:
        raise OperationRefused(_("Mã QR không vừa khổ tem %(layout)s: %(error)s",
                                 layout=layout, error=str(error))) from None


def order_label_run(batch: Batch, *, count: int, layout: str, ecc: str = "M",
                    offset_x_mm: Decimal | float = 0, offset_y_mm: Decimal | float = 0,
                    start_position: int = 1, show_decision_end: bool = True,
                    confirm_expired: bool = False, confirm_repeat: bool = True,
                    order_token: str | None = None,
                    base_url: str | None = None,
                    actor: User | None = None, actor_label: str | None = None) -> LabelRun:
    """Reserve ``count`` serials of ``batch`` for a new run (one row, whatever the count).

    Everything that would make a wrong label is refused first, before any serial is
    issued: a batch under recall; a batch past its expiry date unless
    ``confirm_expired`` (audited); text that cannot be printed whole on ``layout``.
    Stars print only for a decision valid today, and with ``show_decision_end`` the
    decision's end date is printed beside them when it ends before the batch expires.

    The range comes from one atomic UPDATE ... RETURNING on the batch, so two runs
    ordered at the same moment never share a serial, on SQLite or PostgreSQL.
    """
    from ..recalls.operations import active_recall_of

    if not 1 <= count <= MAX_RUN:
        raise OperationRefused(_("Số tem phải từ 1 đến %(max)s.", max=_grouped(MAX_RUN)))
    if layout not in LAYOUTS:
        raise OperationRefused(_("Khổ tem “%(layout)s” không có. Chọn một trong: %(layouts)s",
                                 layout=layout, layouts=", ".join(LAYOUTS)))
    if ecc not in ECC_LEVELS:
        raise OperationRefused(_("Mức sửa lỗi phải là M hoặc Q."))
    for value in (offset_x_mm, offset_y_mm):
        if not -20 <= Decimal(str(value)) <= 20:
            raise OperationRefused(_("Độ lệch máy in phải trong khoảng −20 đến 20 mm."))
    sheet = LAYOUTS[layout]
    if not 1 <= start_position <= sheet.per_page:
        raise OperationRefused(_("Vị trí bắt đầu phải từ 1 đến %(n)s trên khổ %(layout)s.",
                                 n=sheet.per_page, layout=layout))
    if active_recall_of(batch) is not None:
        raise OperationRefused(_("Lô %(lot)s đang bị thu hồi: không in tem cho lô này cho "
                                 "đến khi dỡ bỏ thu hồi.", lot=batch.lot_code), 409)
    today = today_vn()
    expired = batch.expiry_date is not None and batch.expiry_date < today
    if expired and not confirm_expired:
        raise NeedsConfirmation(_(
            "Lô %(lot)s đã hết hạn sử dụng từ %(date)s. Tem in ra sẽ ghi hạn đã qua; chỉ in "
            "khi thật cần (ví dụ thay tem hỏng cho hàng còn lưu kho để xử lý), và xác nhận.",
            lot=batch.lot_code, date=batch.expiry_date.strftime("%d/%m/%Y")),
            "confirm_expired")
    try:
        label_url_factory("https://x", gtin14=batch.product.gtin,
                          product_code=None if batch.product.gtin else batch.product.public_token,
                          lot=batch.lot_code)
    except LabelAddressError as error:
        raise OperationRefused(
            _("Mã lô “%(lot)s” không in được lên tem: %(error)s.", lot=batch.lot_code,
              error=error)) from None
    if not confirm_repeat:
        earlier = recent_same_run(batch, count=count, layout=layout, actor=actor)
        if earlier is not None:
            raise NeedsConfirmation(_(
                "Bạn vừa cấp đợt in %(id)s cho lô này với cùng %(n)s tem, khổ %(layout)s. "
                "Nếu chỉ bấm lại, không cần làm gì: tệp in nằm ở đợt in %(id)s. Nếu thật sự "
                "cần thêm %(n)s tem nữa, đánh dấu ô xác nhận rồi bấm in.",
                id=earlier.id, n=_grouped(count), layout=layout), "confirm_repeat")
    base_url = (base_url or current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    rating = stars_on_label(batch, today)
    stars_until = rating.decision_ends if show_decision_end else None
    check_fit(batch, layout, ecc, base_url, stars_until, rating.stars)
    end = db.session.execute(
        sa.update(Batch)
        .where(Batch.id == batch.id, Batch.next_serial + count <= MAX_SERIALS_PER_BATCH)
        .values(next_serial=Batch.next_serial + count, status=BatchStatus.CLOSED)
        .returning(Batch.next_serial)
    ).scalar()
    if end is None:
        raise OperationRefused(
            _("Lô %(lot)s đã hết số sê-ri (tối đa %(max)s tem mỗi lô).", lot=batch.lot_code,
              max=_grouped(MAX_SERIALS_PER_BATCH)))
    db.session.refresh(batch, ["next_serial", "status"])
    run = LabelRun(batch=batch, start_seq=end - count, count=count, layout=layout, ecc=ecc,
                   offset_x_mm=Decimal(str(offset_x_mm)), offset_y_mm=Decimal(str(offset_y_mm)),
                   created_by=actor, printed_stars=rating.stars or 0,
                   printed_decision=rating.decision, stars_until=stars_until,
                   start_position=start_position, order_token=order_token,
                   base_url=base_url, expired_confirmed=expired,
                   first_serial=signer().make(item_key(batch.product), batch.lot_code,
                                              end - count))
    db.session.add(run)
    batch.product.producer.last_label_layout = layout
    remember_printer_offset(batch.product.producer_id, Decimal(str(offset_x_mm)),
                            Decimal(str(offset_y_mm)))
    from ..exceptions import flush_or_refuse

    flush_or_refuse("order_token", _("Lệnh in này đã được gửi."))
    audit.record("labels.run", run,
                 f"In {count} tem cho lô {batch.lot_code} ({batch.product.name_vi})",
                 {"batch_id": batch.id, "start_seq": run.start_seq, "count": count,
                  "layout": layout, "ecc": ecc, "start_position": start_position,
                  "stars": rating.stars, "stars_until": stars_until and stars_until.isoformat(),
                  "base_url": base_url}, actor=actor, actor_label=actor_label)
    if expired:
        audit.record("labels.expired_confirmed", run,
                     f"Xác nhận in {count} tem cho lô {batch.lot_code} đã hết hạn từ "
                     f"{batch.expiry_date:%d/%m/%Y}",
                     {"batch_id": batch.id, "expiry_date": batch.expiry_date.isoformat(),
                      "ordered_on": today.isoformat()}, actor=actor, actor_label=actor_label)
    return run


#: A second order like one the same member made this recently is asked to confirm.
REPEAT_WINDOW_MINUTES = 15


def recent_same_run(batch: Batch, *, count: int, layout: str,
                    actor: User | None) -> LabelRun | None:
    """The run this member ordered for this batch with the same count and stock in the
    last minutes: a form fetched again (the back button reloads it with a new one-time
    token) and sent again is most likely the same order twice."""
    if actor is None:
        return None
    from datetime import timedelta

    from ..models.base import utcnow

    return db.session.scalar(
        db.select(LabelRun).where(
            LabelRun.batch_id == batch.id, LabelRun.created_by_id == actor.id,
            LabelRun.count == count, LabelRun.layout == layout,
            LabelRun.created_at >= utcnow() - timedelta(minutes=REPEAT_WINDOW_MINUTES))
        .order_by(LabelRun.id.desc()).limit(1))


def run_for_token(batch: Batch, token: str | None) -> LabelRun | None:
    """The run an order form with this one-time token already made (for this batch)."""
    if not token:
        return None
    return db.session.scalar(db.select(LabelRun).filter_by(order_token=token,
                                                           batch_id=batch.id))


DEFAULT_PRINTER = "Máy in mặc định"


def default_printer(producer_id: int) -> PrinterProfile | None:
    return db.session.scalar(db.select(PrinterProfile).filter_by(
        producer_id=producer_id, name=DEFAULT_PRINTER))


def remember_printer_offset(producer_id: int, x: Decimal, y: Decimal) -> None:
    """The offset that lined up the last run is offered again for the next one."""
    printer = default_printer(producer_id)
    if printer is None:
        printer = PrinterProfile(producer_id=producer_id, name=DEFAULT_PRINTER)
        db.session.add(printer)
    printer.offset_x_mm, printer.offset_y_mm = x, y


@dataclass(frozen=True)
class RunPrintJob:
    """Everything needed to print a run, as plain values (safe to use off the session)."""

    item_key: str
    gtin14: str | None
    product_code: str | None
    lot: str
    expiry: date | None
    start_seq: int
    count: int
    product_name: str
    producer_name: str
    stars: int | None
    stars_until: date | None
    layout: str
    ecc: str
    offset: tuple[float, float]
    base_url: str
    start_position: int = 1

    def contents(self, serials: SerialSigner) -> Iterator[LabelContent]:
        url_for = label_url_factory(self.base_url, gtin14=self.gtin14,
                                    product_code=self.product_code, lot=self.lot,
                                    expiry=self.expiry)
        for serial in serials.iter_many(self.item_key, self.lot, self.start_seq, self.count):
            yield LabelContent(url=url_for(serial), serial_display=display(serial),
                               product_name=self.product_name,
                               producer_name=self.producer_name, lot=self.lot,
                               stars=self.stars, expiry=self.expiry,
                               stars_until=self.stars_until if self.stars else None)

    def download_name(self, fmt: str = "pdf", dpi: int = 0) -> str:
        first, last = self.start_seq + 1, self.start_seq + self.count
        suffix = f"-{dpi}dpi.{FORMAT_EXTENSIONS[fmt]}" if dpi else f".{FORMAT_EXTENSIONS[fmt]}"
        return (f"tem-{self.product_name}-{self.lot}-{first}-{last}" + suffix) \
            .replace(" ", "-").replace("/", "-")


FORMAT_EXTENSIONS = {"pdf": "pdf", "tspl": "tspl.prn", "zpl": "zpl"}
THERMAL_DPIS = (203, 300)


def file_choices(run: LabelRun) -> list[tuple[str, int]]:
    """(format, dpi) a run can be downloaded as: PDF; TSPL and ZPL for thermal rolls."""
    choices = [("pdf", 0)]
    if LAYOUTS[run.layout].roll:
        choices += [(fmt, dpi) for fmt in ("tspl", "zpl") for dpi in THERMAL_DPIS]
    return choices


def print_job(run: LabelRun, on: date | None = None) -> RunPrintJob:
    """The run as it prints today: stars only while the decision that gave them is
    still valid on the printing day (a reprint after it ended prints none)."""
    batch, product = run.batch, run.batch.product
    on = on or today_vn()
    if run.printed_stars is None:  # ordered before runs recorded their stars
        stars, until = product.valid_stars(on), None
    elif run.printed_decision is not None and run.printed_decision.is_valid(on):
        stars, until = run.printed_stars or None, run.stars_until
    else:
        stars, until = None, None
    return RunPrintJob(
        item_key=item_key(product), gtin14=product.gtin,
        product_code=None if product.gtin else product.public_token, lot=batch.lot_code,
        expiry=batch.expiry_date, start_seq=run.start_seq, count=run.count,
        product_name=product.name_vi, producer_name=product.producer.name,
        stars=stars, stars_until=until, layout=run.layout, ecc=run.ecc,
        offset=(float(run.offset_x_mm), float(run.offset_y_mm)),
        base_url=run.base_url or current_app.config["PUBLIC_BASE_URL"],
        start_position=run.start_position or 1,
    )


@dataclass(frozen=True)
class GenuineLabel:
    """A label the registry printed: its batch, its run and its number in the run
    (not :class:`~registry.models.LabelCheck`, the running totals of its checks)."""

    batch: Batch
    run: LabelRun
    seq: int


def verify_label(product: Product, lot: str, serial: str) -> GenuineLabel | None:
    """A genuine, printed label of ``product`` / ``lot``; None for anything else."""
    seq = signer().verify(item_key(product), lot, serial)
    if seq is None:
        return None
    batch = db.session.scalar(db.select(Batch).filter_by(product_id=product.id, lot_code=lot))
    if batch is None:
        return None
    run = db.session.scalar(db.select(LabelRun).where(
        LabelRun.batch_id == batch.id, LabelRun.start_seq <= seq,
        LabelRun.start_seq + LabelRun.count > seq))
    if run is None:
        return None  # signed but never printed: not issued by the registry
    return GenuineLabel(batch, run, seq)
