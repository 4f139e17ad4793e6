"""A cooperative member at the packing house, on a phone: new batch, an event, 24 labels,
and the first printed code opens the batch's public page with that event."""
from __future__ import annotations

from urllib.parse import urlsplit

import pypdfium2 as pdfium
import zxingcpp

from .conftest import no_horizontal_scroll


def test_member_creates_a_batch_adds_an_event_prints_labels_and_the_code_opens_the_page(
        live_server, phone, tmp_path):
    phone.goto(live_server + "/login")
    phone.fill("input[name=login]", "htx.kethanh")
    phone.fill("input[name=password]", "ocop-demo-2026")
    phone.click("button[type=submit]")

    phone.get_by_role("link", name="Sản phẩm của tôi").click()
    phone.get_by_role("link", name="Lô mới: thu hoạch → lô → in tem").click()
    assert no_horizontal_scroll(phone)
    phone.get_by_role("link", name="Bưởi Năm Roi Kế Thành").click()          # screen 1
    assert no_horizontal_scroll(phone)
    lot = phone.input_value("input[name=lot_code]")
    phone.fill("input[name=quantity]", "24")
    phone.select_option("select[name=unit]", "trái")
    phone.fill("input[name=origin]", "Vườn bưởi ông Sáu")
    phone.get_by_role("button", name="Tạo lô và chọn tem").click()           # screen 2
    assert f"Đã tạo lô {lot}" in phone.locator(".flash").inner_text()
    assert phone.input_value("input[name=count]") == "24"
    assert no_horizontal_scroll(phone)

    # an extra event before printing, from the batch page
    phone.goto(live_server + "/portal/batches")
    phone.get_by_role("link", name=f"Lô {lot}").click()
    phone.select_option("select[name=biz_step]", "sorting")
    phone.fill("textarea[name=note]", "Phân loại trái loại 1 cho xuất khẩu")
    phone.get_by_role("button", name="Lưu sự kiện").click()
    assert "Đã ghi sự kiện" in phone.locator(".flash").inner_text()
    assert no_horizontal_scroll(phone)

    phone.get_by_role("link", name="In tem", exact=True).last.click()
    phone.fill("input[name=count]", "24")
    phone.select_option("select[name=layout]", "a4-3x8")
    phone.get_by_role("button", name="Cấp số sê-ri và tạo tệp in").click()    # screen 3
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Tải tệp").first.click()
    pdf_path = tmp_path / "tem.pdf"
    download.value.save_as(pdf_path)

    pages = pdfium.PdfDocument(str(pdf_path))
    assert len(pages) == 1
    image = pages[0].render(scale=200 / 72, grayscale=True).to_pil()
    codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(codes) == 24
    codes.sort(key=lambda c: (round(c.position.top_left.y / 40), c.position.top_left.x))
    first = urlsplit(codes[0].text)
    assert f"/10/{lot}/21/" in first.path

    phone.goto(f"{live_server}{first.path}?{first.query}")
    assert "Tem thật do sổ đăng ký cấp" in phone.locator(".verdict").inner_text()
    timeline = phone.locator(".timeline").inner_text()
    assert "Thu hoạch" in timeline and "Phân loại trái loại 1 cho xuất khẩu" in timeline
    assert no_horizontal_scroll(phone)
