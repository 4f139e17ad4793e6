"""Order label runs and turn them into label contents; verify scanned serials."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..exceptions import OperationRefused, gettext as _
from ..extensions import db
from ..labels.layouts import LAYOUTS
from ..labels.links import LabelAddressError, label_url_factory
from ..labels.pdf import LabelContent
from ..labels.serials import SerialSigner, derive_key, display
from ..models import Batch, BatchStatus, LabelRun, PrinterProfile, Product, User
from ..models.base import localized
from ..models.batch import MAX_SERIALS_PER_BATCH
from ..ocop.rules import today_vn

#: One run at most: a harvest's worth of labels, and a PDF a commune office can print.
MAX_RUN = 100_000
ECC_LEVELS = ("M", "Q")


def _grouped(number: int) -> str:
    """100.000 in Vietnamese, 100,000 in English."""
    return localized((f"{number:,}".replace(",", "."), f"{number:,}"))


def signer() -> SerialSigner:
    return SerialSigner(derive_key(current_app.config["LABEL_SIGNING_KEY"]))


def item_key(product: Product) -> str:
    """What the serials of a product are signed with: its GTIN-14 or its public code."""
    return product.gtin or product.public_token


def order_label_run(batch: Batch, *, count: int, layout: str, ecc: str = "M",
                    offset_x_mm: Decimal | float = 0, offset_y_mm: Decimal | float = 0,
                    actor: User | None = None, actor_label: str | None = None) -> LabelRun:
    """Reserve ``count`` serials of ``batch`` for a new run (one row, whatever the count).

    The range comes from one atomic UPDATE ... RETURNING on the batch, so two runs
    ordered at the same moment never share a serial, on SQLite or PostgreSQL.
    """
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
    try:
        label_url_factory("https://x", gtin14=batch.product.gtin,
                          product_code=None if batch.product.gtin else batch.product.public_token,
                          lot=batch.lot_code)
    except LabelAddressError as error:
        raise OperationRefused(
            _("Mã lô “%(lot)s” không in được lên tem: %(error)s.", lot=batch.lot_code,
              error=error)) from None
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
    decision = batch.product.current_decision(today_vn())
    if decision is not None and not decision.is_valid(today_vn()):
        decision = None  # the labels print stars only for a valid rating
    run = LabelRun(batch=batch, start_seq=end - count, count=count, layout=layout, ecc=ecc,
                   offset_x_mm=Decimal(str(offset_x_mm)), offset_y_mm=Decimal(str(offset_y_mm)),
                   created_by=actor, printed_stars=decision.stars if decision else 0,
                   printed_decision=decision)
    db.session.add(run)
    batch.product.producer.last_label_layout = layout
    remember_printer_offset(batch.product.producer_id, Decimal(str(offset_x_mm)),
                            Decimal(str(offset_y_mm)))
    audit.record("labels.run", run,
                 f"In {count} tem cho lô {batch.lot_code} ({batch.product.name_vi})",
                 {"batch_id": batch.id, "start_seq": run.start_seq, "count": count,
                  "layout": layout, "ecc": ecc}, actor=actor, actor_label=actor_label)
    return run


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
    layout: str
    ecc: str
    offset: tuple[float, float]
    base_url: str

    def contents(self, serials: SerialSigner) -> Iterator[LabelContent]:
        url_for = label_url_factory(self.base_url, gtin14=self.gtin14,
                                    product_code=self.product_code, lot=self.lot,
                                    expiry=self.expiry)
        for serial in serials.iter_many(self.item_key, self.lot, self.start_seq, self.count):
            yield LabelContent(url=url_for(serial), serial_display=display(serial),
                               product_name=self.product_name,
                               producer_name=self.producer_name, lot=self.lot,
                               stars=self.stars, expiry=self.expiry)

    @property
    def download_name(self) -> str:
        first, last = self.start_seq + 1, self.start_seq + self.count
        return f"tem-{self.product_name}-{self.lot}-{first}-{last}.pdf".replace(" ", "-") \
            .replace("/", "-")


def print_job(run: LabelRun, on: date | None = None) -> RunPrintJob:
    batch, product = run.batch, run.batch.product
    return RunPrintJob(
        item_key=item_key(product), gtin14=product.gtin,
        product_code=None if product.gtin else product.public_token, lot=batch.lot_code,
        expiry=batch.expiry_date, start_seq=run.start_seq, count=run.count,
        product_name=product.name_vi, producer_name=product.producer.name,
        stars=product.valid_stars(on or today_vn()), layout=run.layout, ecc=run.ecc,
        offset=(float(run.offset_x_mm), float(run.offset_y_mm)),
        base_url=current_app.config["PUBLIC_BASE_URL"],
    )


@dataclass(frozen=True)
class LabelCheck:
    batch: Batch
    run: LabelRun
    seq: int


def verify_label(product: Product, lot: str, serial: str) -> LabelCheck | None:
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
    return LabelCheck(batch, run, seq)
