"""Batch and trace-event operations: each checks, audits, and leaves the commit to the view."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from .. import audit
from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..extensions import db
from ..models import Batch, BizStep, LabelRun, Product, TraceEvent, User
from ..models.batch import LOT_CODE_RE
from ..text import search_key

#: Business steps offered to producers, in the order a harvest goes.
OFFERED_STEPS = (BizStep.HARVESTING, BizStep.SORTING, BizStep.DRYING, BizStep.PROCESSING,
                 BizStep.PACKING, BizStep.STORING, BizStep.SHIPPING, BizStep.RECEIVING)


def suggest_lot_code(product: Product, on: date) -> str:
    """Initials of the product and the date: "Bưởi Năm Roi" on 25/11/2026 → BNR261125.

    A letter is added when that code is taken for this product (BNR261125B, ...).
    """
    initials = "".join(w[0] for w in search_key(product.name_vi).split() if w[0].isalnum())
    base = (initials.upper()[:6] or "LOT") + on.strftime("%y%m%d")
    taken = set(db.session.scalars(db.select(Batch.lot_code).where(
        Batch.product_id == product.id, Batch.lot_code.like(f"{base}%"))))
    if base not in taken:
        return base
    for letter in "BCDEFGHJKLMNPQRSTUVWXYZ":
        if base + letter not in taken:
            return base + letter
    return base + on.strftime("%H%M")


def _check_dates(harvest, production, packing, expiry) -> None:
    made = [d for d in (harvest, production) if d]
    if packing and made and packing < min(made):
        raise OperationRefused(_("Ngày đóng gói không thể trước ngày thu hoạch hoặc sản xuất."))
    if expiry and packing and expiry < packing:
        raise OperationRefused(_("Hạn sử dụng không thể trước ngày đóng gói."))


def create_batch(product: Product, *, lot_code: str, harvest_date: date | None = None,
                 production_date: date | None = None, packing_date: date | None = None,
                 expiry_date: date | None = None, quantity: Decimal | None = None,
                 unit: str | None = None, origin: str | None = None,
                 origin_commune=None, actor: User | None = None) -> Batch:
    lot_code = (lot_code or "").strip()
    if not LOT_CODE_RE.fullmatch(lot_code):
        raise OperationRefused(_("Mã lô gồm 1–20 chữ cái không dấu, chữ số, “-”, “.” hoặc “_”."))
    if db.session.scalar(db.select(Batch.id).where(Batch.product_id == product.id,
                                                   Batch.lot_code == lot_code)):
        raise OperationRefused(_("Sản phẩm này đã có lô mã “%(lot)s”.", lot=lot_code), 409)
    if quantity is not None and quantity <= 0:
        raise OperationRefused(_("Số lượng phải lớn hơn 0."))
    _check_dates(harvest_date, production_date, packing_date, expiry_date)
    batch = Batch(product=product, lot_code=lot_code, harvest_date=harvest_date,
                  production_date=production_date, packing_date=packing_date,
                  expiry_date=expiry_date, quantity=quantity, unit=(unit or None),
                  origin=(origin or None), origin_commune=origin_commune)
    db.session.add(batch)
    audit.record("batch.create", batch, f"Tạo lô {lot_code} của {product.name_vi}",
                 {"product_id": product.id, "quantity": quantity, "unit": unit}, actor=actor)
    return batch


def delete_batch(batch: Batch, *, actor: User | None = None) -> None:
    runs = db.session.scalar(db.select(db.func.count(LabelRun.id)).where(
        LabelRun.batch_id == batch.id))
    if runs:
        raise OperationRefused(_("Lô đã in tem nên được giữ lại, không thể xoá."), 409)
    audit.record("batch.delete", batch, f"Xoá lô {batch.lot_code}", {}, actor=actor)
    for event in db.session.scalars(db.select(TraceEvent).where(
            TraceEvent.batch_id == batch.id).order_by(TraceEvent.id.desc())):
        db.session.delete(event)
        db.session.flush()
    db.session.delete(batch)
    db.session.flush()


def parse_offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes >= 60:
        raise OperationRefused(_("Múi giờ không hợp lệ."))
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def add_event(batch: Batch, *, biz_step: BizStep, local_time: datetime, tz_offset: str = "+07:00",
              location: str | None = None, note: str | None = None,
              corrects: TraceEvent | None = None, actor: User | None = None,
              commune=None) -> TraceEvent:
    """Record what happened to a batch. ``local_time`` is the wall-clock time where it
    happened, ``tz_offset`` that place's offset (eventTimeZoneOffset)."""
    if biz_step not in OFFERED_STEPS and biz_step is not BizStep.COMMISSIONING:
        raise OperationRefused(_("Bước này không có trong danh sách."))
    zone = parse_offset(tz_offset)
    when = local_time.replace(tzinfo=zone) if local_time.tzinfo is None else local_time
    if when > datetime.now(timezone.utc) + timedelta(days=1):
        raise OperationRefused(_("Thời điểm sự kiện không thể ở tương lai."))
    if corrects is not None:
        if corrects.batch_id != batch.id:
            raise OperationRefused(_("Sự kiện cần đính chính không thuộc lô này."), 404)
        if corrects.corrected_by is not None:
            raise OperationRefused(_("Sự kiện này đã được đính chính."), 409)
    event = TraceEvent(batch=batch, biz_step=biz_step, event_time=when, tz_offset=tz_offset,
                       location=(location or None), note=(note or None), commune=commune,
                       corrects=corrects, recorded_by_id=actor.id if actor else None)
    db.session.add(event)
    action = "event.correct" if corrects is not None else "event.add"
    from ..models import BIZ_STEP_LABELS

    step = BIZ_STEP_LABELS[biz_step][0] if biz_step in BIZ_STEP_LABELS else biz_step.value
    audit.record(action, event, f"{'Đính chính' if corrects else 'Ghi'} sự kiện "
                 f"“{step.lower()}” của lô {batch.lot_code}",
                 {"batch_id": batch.id, "corrects": corrects.id if corrects else None,
                  "time": when.isoformat()}, actor=actor)
    return event
