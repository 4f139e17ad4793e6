"""A cooperative member orders 30 labels through the guided path on a phone, lands on
the run page, and sending the order again (a double tap, the back button) issues
nothing more: the batch has 30 labels."""
from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp

from registry.extensions import db
from registry.models import Batch, LabelRun

from .conftest import ARTIFACTS, no_horizontal_scroll


def test_the_guided_order_lands_on_the_run_page_and_a_second_press_issues_nothing(
        app, live_server, phone, tmp_path):
    phone.goto(live_server + "/login")
    phone.fill("input[name=login]", "htx.kethanh")
    phone.fill("input[name=password]", "ocop-demo-2026")
    phone.click("button[type=submit]")
    phone.goto(live_server + "/portal/harvest")
    phone.get_by_role("link", name="Bưởi Năm Roi Kế Thành").click()
    lot = phone.input_value("input[name=lot_code]")
    phone.fill("input[name=quantity]", "30")
    phone.select_option("select[name=unit]", "trái")
    phone.get_by_role("button", name="Tạo lô và chọn tem").click()
    assert phone.input_value("input[name=count]") == "30"
    phone.select_option("select[name=layout]", "a4-3x8")
    assert no_horizontal_scroll(phone)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "printing-order.png"), full_page=True)

    button = phone.get_by_role("button", name="Cấp số sê-ri và tạo tệp in")
    button.dblclick()  # a double tap on a slow phone
    phone.wait_for_url("**/portal/label-runs/*")
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(ARTIFACTS / "printing-run.png"), full_page=True)
    run_url = phone.url
    text = phone.locator("main").inner_text()
    assert "Số tem đã cấp\n30" in text or "Số tem đã cấp 30" in " ".join(text.split())

    phone.go_back()  # the back button, then the order pressed again
    assert "/labels" in phone.url
    phone.get_by_role("button", name="Cấp số sê-ri và tạo tệp in").click()
    phone.wait_for_load_state()
    if "/label-runs/" in phone.url:  # the form came back from the browser's cache
        assert phone.url == run_url
        assert "không cấp thêm số sê-ri" in phone.locator(".flash").inner_text()
    else:  # the form was fetched again: the same order is asked to be confirmed
        assert "Bạn vừa cấp đợt in" in phone.locator(".flash").inner_text()
        assert phone.locator("input[name=confirm_repeat]").count() == 1
        assert no_horizontal_scroll(phone)
        phone.screenshot(path=str(ARTIFACTS / "printing-repeat.png"), full_page=True)

    with phone.expect_download() as download:
        phone.goto(run_url)
        phone.get_by_role("link", name="Tải tệp").first.click()
    path = tmp_path / "tem.pdf"
    download.value.save_as(path)
    codes = []
    for page in pdfium.PdfDocument(str(path)):
        image = page.render(scale=200 / 72, grayscale=True).to_pil()
        codes += zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(codes) == 30 and len({c.text for c in codes}) == 30

    with app.app_context():
        batch = db.session.scalar(db.select(Batch).filter_by(lot_code=lot))
        assert [r.count for r in batch.label_runs] == [30]
        assert batch.next_serial == 30
        assert db.session.scalar(db.select(db.func.count(LabelRun.id)).where(
            LabelRun.batch_id == batch.id)) == 1
