"""Scan insights for producers: scans per day, kinds of client, labels scanned
suspiciously often, and the scans as CSV."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..exports import csv_response
from ..extensions import db
from ..models import (
    Batch,
    ClientClass,
    Product,
    Role,
)
from ..ocop.rules import VN_TZ, today_vn
from ..permissions import Perm, authorize, requires
from ..products.queries import own_products
from ..public.scan.rules import DEFAULT_WARNING_THRESHOLD
from ..ratings.charts import Bar, bar_chart
from . import queries as insights

bp = Blueprint("insights", __name__, url_prefix="/portal")


def _insight_scope():
    """(producer id, product, batch) from the query string, each checked as the user's."""
    producer_id = current_user.producer_id if current_user.role is Role.PRODUCER else None
    product = batch = None
    if request.args.get("product", type=int):
        product = db.get_or_404(Product, request.args.get("product", type=int))
        authorize(Perm.BATCH_EDIT, product)
    if request.args.get("batch", type=int):
        batch = db.get_or_404(Batch, request.args.get("batch", type=int))
        authorize(Perm.BATCH_EDIT, batch)
    return producer_id, product, batch


@bp.route("/insights")
@requires(Perm.BATCH_EDIT)
def scan_insights():
    producer_id, product, batch = _insight_scope()
    ids = (producer_id, product.id if product else None, batch.id if batch else None)
    today = today_vn()
    days = insights.scans_per_day(*ids, today)
    shares = insights.client_shares(*ids)
    threshold = current_app.config.get("SCAN_WARNING_THRESHOLD", DEFAULT_WARNING_THRESHOLD)
    chart = bar_chart([Bar(d.strftime("%d/%m"), n) for d, n in days[-14:]],
                      title=_("Lượt quét mỗi ngày (14 ngày gần nhất)"), row=20)
    labels = {ClientClass.PHONE: _("Điện thoại"), ClientClass.BROWSER: _("Máy tính"),
              ClientClass.BOT: _("Bot, xem trước liên kết"), ClientClass.API: _("API")}
    total = sum(shares.values())
    return render_template(
        "portal/batches/insights.html", chart=chart, total=total, labels=labels,
        shares=[(labels[c], shares.get(c, 0)) for c in labels],
        suspicious=insights.suspicious_labels(*ids, threshold), threshold=threshold,
        products=own_products(), product=product, batch=batch,
        last30=sum(n for _, n in days))


@bp.route("/insights/scans.csv")
@requires(Perm.BATCH_EDIT)
def scans_csv():
    producer_id, product, batch = _insight_scope()
    ids = (producer_id, product.id if product else None, batch.id if batch else None)

    rows = ([at.astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M:%S"), name, lot, serial, seq + 1,
             cls.value] for at, name, lot, serial, seq, cls in insights.scan_rows(*ids))
    return csv_response(["Thời điểm (giờ Việt Nam)", "Sản phẩm", "Lô", "Số sê-ri", "Số thứ tự",
                         "Loại truy cập"], rows, f"luot-quet-{today_vn().isoformat()}.csv")
