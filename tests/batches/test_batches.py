"""Batches, trace events, the guided harvest → batch → labels path, and scan insights."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pypdfium2 as pdfium
import pytest
import zxingcpp

from registry.batches import operations as batch_ops
from registry.extensions import db
from registry.label_runs.operations import order_label_run
from registry.models import AuditEntry, Batch, BizStep, ClientClass, LabelRun, Scan, TraceEvent
from registry.models.base import utcnow
from registry.ocop.rules import today_vn

from .. import factories
from ..conftest import csrf_token
from ..helpers import post_form


@pytest.fixture
def batch(product):
    return factories.make_batch(product, "NR2611", harvest_date=date(2026, 11, 10))


def test_suggested_lot_codes_are_unique_per_product(app_ctx, product):
    on = date(2026, 11, 25)
    assert batch_ops.suggest_lot_code(product, on) == "BNRKT261125"
    factories.make_batch(product, "BNRKT261125")
    assert batch_ops.suggest_lot_code(product, on) == "BNRKT261125B"


def test_the_guided_path_takes_three_screens_and_ends_on_the_run_page(
        client, auth, product, producer_user):
    auth.login("member.a")
    # screen 1: pick the product
    assert "Bưởi Năm Roi Kế Thành" in client.get("/portal/harvest").get_data(as_text=True)
    # screen 2: the batch, prefilled
    url = f"/portal/products/{product.id}/batches/new"
    page = client.get(url).get_data(as_text=True)
    lot = batch_ops.suggest_lot_code(product, today_vn())
    assert f'value="{lot}"' in page and f'value="{today_vn().isoformat()}"' in page
    response = post_form(client, url, lot_code=lot, harvest_date=today_vn().isoformat(),
                     packing_date=today_vn().isoformat(), quantity="24", unit="trái",
                     origin="Vườn ông Sáu", origin_commune="0")
    assert response.status_code == 302 and "guided=1" in response.headers["Location"]
    batch = db.session.scalar(db.select(Batch))
    assert [e.biz_step for e in batch.events] == [BizStep.HARVESTING]
    # screen 3: the count is suggested from the quantity; submitting lands on the run
    # page (as the batch list's path does), which has the download
    order_url = response.headers["Location"]
    order_page = client.get(order_url).get_data(as_text=True)
    assert 'value="24"' in order_page
    token = csrf_token(order_page)
    one_time = re.search(r'name="order_token"[^>]*value="([^"]+)"', order_page).group(1)
    sent = client.post(order_url, data={"csrf_token": token, "count": "24",
                                        "layout": "a4-3x8", "ecc": "M", "offset_x_mm": "0",
                                        "offset_y_mm": "0", "order_token": one_time})
    run = db.session.scalar(db.select(LabelRun))
    assert sent.status_code == 303
    assert sent.headers["Location"] == f"/portal/label-runs/{run.id}"
    run_page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f"/portal/label-runs/{run.id}/labels.pdf" in run_page
    pdf = client.get(f"/portal/label-runs/{run.id}/labels.pdf")
    assert pdf.mimetype == "application/pdf"
    image = pdfium.PdfDocument(pdf.get_data())[0].render(scale=200 / 72).to_pil()
    codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(codes) == 24
    # the next time, the layout is remembered
    assert db.session.get(Batch, batch.id).product.producer.last_label_layout == "a4-3x8"


def test_a_taken_lot_code_re_shows_the_form_with_what_was_typed(client, auth, product, batch,
                                                               producer_user):
    auth.login("member.a")
    url = f"/portal/products/{product.id}/batches/new"
    response = post_form(client, url, lot_code="NR2611", origin="Vườn bưởi ông Ba",
                     quantity="10", unit="kg", origin_commune="0")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "đã có lô mã “NR2611”" in html and 'value="Vườn bưởi ông Ba"' in html


def test_events_default_to_vietnam_time_and_corrections_keep_the_old_event(
        client, auth, batch, producer_user):
    auth.login("member.a")
    url = f"/portal/batches/{batch.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="+07:00" selected' in page or 'selected value="+07:00"' in page
    post_form(client, url, biz_step="packing", local_time="2026-11-11T09:00", tz_offset="+07:00",
          location="Nhà sơ chế", note="Đóng thùng 10 kg")
    event = db.session.scalar(db.select(TraceEvent))
    assert event.event_time == datetime(2026, 11, 11, 2, 0, tzinfo=timezone.utc)
    correct_url = f"{url}?corrects={event.id}"
    response = post_form(client, correct_url, biz_step="packing", local_time="2026-11-11T10:30",
                     tz_offset="+07:00", location="Nhà sơ chế", note="Đúng giờ là 10:30",
                     corrects=str(event.id))
    assert response.status_code == 302
    events = db.session.scalars(db.select(TraceEvent).order_by(TraceEvent.id)).all()
    assert len(events) == 2 and events[1].corrects_id == events[0].id
    public = client.get("/page/01/08939999000055/10/NR2611").get_data(as_text=True)
    assert "Đã được đính chính bởi một sự kiện sau." in public and "Đúng giờ là 10:30" in public
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="event.correct"))


def test_a_batch_with_labels_is_closed_and_never_deleted(client, auth, batch, producer_user):
    order_label_run(batch, count=2, layout="a4-3x8")
    db.session.commit()
    auth.login("member.a")
    url = f"/portal/batches/{batch.id}/delete"
    response = post_form(client, url, f"/portal/batches/{batch.id}")
    assert response.status_code == 303
    assert db.session.get(Batch, batch.id) is not None


def test_an_open_batch_can_be_deleted_with_its_events(client, auth, batch, producer_user):
    batch_ops.add_event(batch, biz_step=BizStep.HARVESTING, local_time=datetime(2026, 11, 10, 6))
    db.session.commit()
    auth.login("member.a")
    post_form(client, f"/portal/batches/{batch.id}/delete", f"/portal/batches/{batch.id}")
    assert db.session.scalar(db.select(db.func.count(Batch.id))) == 0
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="batch.delete"))


def test_events_in_the_future_are_refused(app_ctx, batch):
    from registry.exceptions import OperationRefused

    with pytest.raises(OperationRefused, match="tương lai"):
        batch_ops.add_event(batch, biz_step=BizStep.PACKING,
                            local_time=datetime.now() + timedelta(days=3))


def _scan(batch, run, seq, cls, when, client="c"):
    db.session.add(Scan(batch_id=batch.id, label_run_id=run.id, serial=f"S{seq:011d}",
                        serial_seq=seq, client_class=cls, scanned_at=when, client_hash=client))


def test_scan_insights_show_days_clients_and_suspicious_labels(app, client, auth, batch,
                                                              producer_user):
    app.config["SCAN_WARNING_THRESHOLD"] = 3
    run = order_label_run(batch, count=5, layout="a4-3x8")
    now = utcnow()
    for i in range(6):  # six different phones
        _scan(batch, run, 0, ClientClass.PHONE, now - timedelta(hours=i), client=f"phone{i}")
    for i in range(5):  # one phone reloading: one check
        _scan(batch, run, 3, ClientClass.PHONE, now - timedelta(seconds=i), client="same")
    _scan(batch, run, 1, ClientClass.BOT, now)
    _scan(batch, run, 2, ClientClass.API, now - timedelta(days=2))
    db.session.flush()
    from registry.public.scan.checks import rebuild_label_checks
    rebuild_label_checks(db.session, batch.id)
    db.session.commit()
    auth.login("member.a")
    html = client.get("/portal/insights").get_data(as_text=True)
    assert "13 lượt quét trong 30 ngày" in html
    assert "Điện thoại: <strong>11</strong>" in html
    assert "Bot, xem trước liên kết: <strong>1</strong>" in html
    from registry.label_runs.operations import item_key, signer
    from registry.labels.serials import display
    suspicious = display(signer().make(item_key(batch.product), batch.lot_code, 0))
    reloaded = display(signer().make(item_key(batch.product), batch.lot_code, 3))
    assert suspicious in html and "6 thiết bị khác nhau" in html
    assert reloaded not in html  # reloads by one phone are not suspicious
    assert "<svg" in html and "<script" not in html
    csv_body = client.get(f"/portal/insights/scans.csv?batch={batch.id}").get_data()
    assert csv_body.startswith(b"\xef\xbb\xbf")
    text = csv_body.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 14 and "Bưởi Năm Roi Kế Thành,NR2611" in text


ROUTES = [
    ("get", "/portal/products/{product}/batches/new"),
    ("post", "/portal/products/{product}/batches/new"),
    ("get", "/portal/batches/{batch}"),
    ("post", "/portal/batches/{batch}"),
    ("post", "/portal/batches/{batch}/delete"),
    ("get", "/portal/batches/{batch}/labels"),
    ("post", "/portal/batches/{batch}/labels"),
    ("get", "/portal/label-runs/{run}"),
    ("get", "/portal/label-runs/{run}/labels.pdf"),
    ("get", "/portal/insights?product={product}"),
    ("get", "/portal/insights?batch={batch}"),
    ("get", "/portal/insights/scans.csv?batch={batch}"),
]


@pytest.mark.parametrize("method, route", ROUTES)
def test_another_producers_member_gets_nothing_by_any_batch_route(
        client, auth, product, batch, other_producer_user, method, route):
    run = order_label_run(batch, count=1, layout="a4-3x8")
    batch_ops.add_event(batch, biz_step=BizStep.HARVESTING, local_time=datetime(2026, 11, 10, 6))
    db.session.commit()
    before = (db.session.scalar(db.select(db.func.count(Batch.id))),
              db.session.scalar(db.select(db.func.count(TraceEvent.id))),
              db.session.scalar(db.select(db.func.count(LabelRun.id))))
    auth.login("member.b")
    url = route.format(product=product.id, batch=batch.id, run=run.id)
    if method == "get":
        response = client.get(url)
    else:
        token = csrf_token(client.get("/portal/batches").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token, "lot_code": "X1",
                                          "biz_step": "packing",
                                          "local_time": "2026-11-11T09:00", "count": "5",
                                          "layout": "a4-3x8", "ecc": "M"})
    assert response.status_code in (403, 404)
    db.session.expire_all()
    after = (db.session.scalar(db.select(db.func.count(Batch.id))),
             db.session.scalar(db.select(db.func.count(TraceEvent.id))),
             db.session.scalar(db.select(db.func.count(LabelRun.id))))
    assert after == before


def test_lists_show_only_the_members_own_batches(client, auth, batch, other_producer_user):
    auth.login("member.b")
    assert "NR2611" not in client.get("/portal/batches").get_data(as_text=True)
    assert "Bưởi Năm Roi" not in client.get("/portal/harvest").get_data(as_text=True)
