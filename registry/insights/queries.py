"""Scan insights for a producer: scans per day, who scanned, labels checked too often."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import Batch, ClientClass, Product, Scan
from ..ocop.rules import VN_TZ


@dataclass(frozen=True)
class Suspicious:
    batch: Batch
    serial: str
    checks: int
    first: datetime
    last: datetime
    clients: int = 0


def _scope(query, producer_id: int | None, product_id: int | None, batch_id: int | None,
           batch_column=Scan.batch_id):
    """``query`` joined to the batch and product of ``batch_column``, narrowed to the
    producer, product or batch asked for."""
    query = query.join(Batch, Batch.id == batch_column).join(Product,
                                                             Product.id == Batch.product_id)
    if producer_id is not None:
        query = query.where(Product.producer_id == producer_id)
    if product_id is not None:
        query = query.where(Product.id == product_id)
    if batch_id is not None:
        query = query.where(Batch.id == batch_id)
    return query


def scans_per_day(producer_id, product_id, batch_id, today: date, days: int = 30):
    """[(day, count)] for the last ``days`` days (Vietnam dates), zeros included."""
    start = datetime.combine(today - timedelta(days=days - 1), time(), VN_TZ)
    rows = db.session.execute(_scope(
        sa.select(Scan.scanned_at).where(Scan.scanned_at >= start),
        producer_id, product_id, batch_id)).scalars()
    counts: dict[date, int] = {}
    for moment in rows:  # bucketed in Python: day boundaries in +07:00 on any database
        day = moment.astimezone(VN_TZ).date()
        counts[day] = counts.get(day, 0) + 1
    return [(today - timedelta(days=i), counts.get(today - timedelta(days=i), 0))
            for i in reversed(range(days))]


def client_shares(producer_id, product_id, batch_id) -> dict[ClientClass, int]:
    rows = db.session.execute(_scope(
        sa.select(Scan.client_class, sa.func.count()).group_by(Scan.client_class),
        producer_id, product_id, batch_id)).all()
    return {cls: n for cls, n in rows}


def suspicious_labels(producer_id, product_id, batch_id, threshold: int,
                      limit: int = 50) -> list[Suspicious]:
    """Labels looked at by more than ``threshold`` distinct clients (reloads by one phone
    count once), most clients first: the same rule as the scan page's warning."""
    from ..label_runs.operations import item_key, signer
    from ..models import LabelCheck

    query = _scope(sa.select(LabelCheck, Batch).where(LabelCheck.clients > threshold),
                   producer_id, product_id, batch_id, batch_column=LabelCheck.batch_id)
    rows = db.session.execute(query.order_by(LabelCheck.clients.desc(),
                                             LabelCheck.checks.desc()).limit(limit)).all()
    serials = signer()
    return [Suspicious(batch, serials.make(item_key(batch.product), batch.lot_code,
                                           check.serial_seq),
                       check.checks, check.first_checked_at, check.last_checked_at,
                       check.clients)
            for check, batch in rows]


def scan_rows(producer_id, product_id, batch_id):
    """Every scan in scope, oldest first, for the CSV export (streamed)."""
    query = _scope(sa.select(Scan.scanned_at, Product.name_vi, Batch.lot_code, Scan.serial,
                             Scan.serial_seq, Scan.client_class),
                   producer_id, product_id, batch_id).order_by(Scan.scanned_at, Scan.id)
    return db.session.execute(query.execution_options(yield_per=1000))
