"""Recalling a batch and lifting the recall: each checks, audits, flushes at most and
leaves the commit to the caller (a view or a command)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from .. import audit
from ..exceptions import OperationRefused, flush_or_refuse
from ..exceptions import gettext as _
from ..extensions import db
from ..models import Batch, BatchRecall, User
from ..models.base import utcnow
from ..ocop.rules import today_vn

MAX_REASON = 500
MAX_ADVICE = 500
MAX_NOTE = 500

#: What buyers are told when whoever records the recall does not say (the CLI's default,
#: and what the forms start with). Stored as data, so it stays in Vietnamese.
DEFAULT_ADVICE = ("Ngừng sử dụng sản phẩm của lô này và liên hệ nơi bán hoặc chủ thể sản "
                  "xuất để được đổi trả.")


def active_recall_of(batch: Batch, *, lock: bool = False) -> BatchRecall | None:
    """The batch's recall in force, read from the database (not from ``batch.recalls``,
    which may have been loaded before another request changed it). ``lock`` holds the row
    until the commit (PostgreSQL), so two lifts at the same moment cannot both happen."""
    query = (sa.select(BatchRecall)
             .where(BatchRecall.batch_id == batch.id, BatchRecall.lifted_at.is_(None))
             .execution_options(populate_existing=True))
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def _vn_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _text(value: str | None, limit: int, missing: str | None, too_long: str) -> str | None:
    value = (value or "").strip()
    if not value:
        if missing is not None:
            raise OperationRefused(missing)
        return None
    if len(value) > limit:
        raise OperationRefused(too_long)
    return value


def recall_batch(batch: Batch, *, reason: str, advice: str, recalled_on: date | None = None,
                 actor: User | None = None, actor_label: str | None = None) -> BatchRecall:
    """Recall ``batch`` from ``recalled_on`` (today in Vietnam by default): its public
    pages and labels then tell buyers why and what to do."""
    reason = _text(reason, MAX_REASON, _("Nhập lý do thu hồi lô."),
                   _("Lý do thu hồi dài tối đa %(n)s ký tự.", n=MAX_REASON))
    advice = _text(advice, MAX_ADVICE, _("Nhập điều người mua cần làm với sản phẩm của lô."),
                   _("Hướng dẫn cho người mua dài tối đa %(n)s ký tự.", n=MAX_ADVICE))
    recalled_on = recalled_on or today_vn()
    if recalled_on > today_vn():
        raise OperationRefused(_("Ngày thu hồi lô không được sau hôm nay."))
    active = active_recall_of(batch)
    if active is not None:
        raise OperationRefused(
            _("Lô %(lot)s đang bị thu hồi từ ngày %(date)s; hãy gỡ lệnh thu hồi đó trước "
              "khi ghi lệnh mới.", lot=batch.lot_code, date=_vn_date(active.recalled_on)),
            409)
    recall = BatchRecall(batch=batch, reason=reason, advice=advice, recalled_on=recalled_on,
                         recorded_by_id=actor.id if actor else None)
    db.session.add(recall)
    # a recall recorded at the same moment: the unique index keeps one
    flush_or_refuse("batch_recalls", _("Lô này vừa được người khác ghi thu hồi; hãy tải "
                                       "lại trang để xem lệnh thu hồi đó."))
    audit.record("batch.recall", recall,
                 f"Thu hồi lô {batch.lot_code} của {batch.product.name_vi}",
                 {"batch_id": batch.id, "product_id": batch.product_id,
                  "recalled_on": recalled_on, "reason": reason, "advice": advice},
                 actor=actor, actor_label=actor_label)
    from ..notifications.operations import batch_recalled

    batch_recalled(batch, recall, actor=actor)
    return recall


def lift_recall(batch: Batch, *, note: str | None = None, recall_id: int | None = None,
                actor: User | None = None, actor_label: str | None = None) -> BatchRecall:
    """End the batch's recall in force; it stays in the batch's history.

    ``recall_id``, when given, is the recall the user saw: if another one is in force by
    now, nothing is lifted (the user would otherwise lift a recall they have not read).
    """
    note = _text(note, MAX_NOTE, None, _("Ghi chú dài tối đa %(n)s ký tự.", n=MAX_NOTE))
    recall = active_recall_of(batch, lock=True)
    if recall is None or (recall_id is not None and recall.id != recall_id):
        raise OperationRefused(_("Lô %(lot)s không có lệnh thu hồi nào đang hiệu lực (có thể "
                                 "vừa được gỡ); hãy tải lại trang.", lot=batch.lot_code), 409)
    recall.lifted_at = utcnow()
    recall.lifted_by_id = actor.id if actor else None
    recall.lift_note = note
    audit.record("batch.recall_lift", recall,
                 f"Gỡ thu hồi lô {batch.lot_code} của {batch.product.name_vi}",
                 {"batch_id": batch.id, "product_id": batch.product_id,
                  "recalled_on": recall.recalled_on, "note": note},
                 actor=actor, actor_label=actor_label)
    return recall
