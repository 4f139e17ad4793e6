"""A buyer scans printed labels with a phone: valid, expired, revoked and forged.

The labels are printed by the labels command into a PDF, the first code of each PDF is
decoded with zxing-cpp, and the phone opens exactly that address.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp

from .conftest import no_horizontal_scroll


def _first_code(app, runner, lot: str, tmp_path) -> str:
    out = tmp_path / f"{lot}.pdf"
    with app.app_context():
        result = runner.invoke(args=["labels", "print", lot, "--count", "3", "--layout",
                                     "a4-3x8", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = pdfium.PdfDocument(str(out))[0]
    image = page.render(scale=200 / 72, grayscale=True).to_pil()
    codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    codes.sort(key=lambda c: (round(c.position.top_left.y / 40), c.position.top_left.x))
    return codes[0].text


def _open(phone, live_server, url: str):
    parts = urlsplit(url)
    return phone.goto(f"{live_server}{parts.path}?{parts.query}")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_valid_label_shows_genuine_verdict_and_stars(app, runner, live_server, phone, tmp_path):
    url = _first_code(app, runner, "LC2611A", tmp_path)
    response = _open(phone, live_server, url)
    assert response.status == 200
    assert "Tem thật do sổ đăng ký cấp" in phone.locator(".verdict").inner_text()
    assert phone.locator("h1").inner_text() == "Nấm linh chi thái lát"
    rating = phone.locator("#chung-nhan").inner_text()
    assert "4★ — quyết định 2585/QĐ-UBND ngày 28/12/2023" in rating
    assert "Hành trình của lô hàng" in phone.locator("body").inner_text()
    assert no_horizontal_scroll(phone)


def test_expired_rating_label(app, runner, live_server, phone, tmp_path):
    url = _first_code(app, runner, "DT2510", tmp_path)
    assert _open(phone, live_server, url).status == 200
    assert "Tem thật" in phone.locator(".verdict").inner_text()
    assert "Đã hết hiệu lực" in phone.locator("#chung-nhan").inner_text()
    assert no_horizontal_scroll(phone)


def test_revoked_rating_label(app, runner, live_server, phone, tmp_path):
    url = _first_code(app, runner, "XC2405", tmp_path)
    assert _open(phone, live_server, url).status == 200
    assert "Đã bị thu hồi ngày 15/03/2024" in phone.locator("#chung-nhan").inner_text()
    assert no_horizontal_scroll(phone)


def test_forged_label_gets_the_not_issued_verdict(app, runner, live_server, phone, tmp_path):
    url = _first_code(app, runner, "LC2611A", tmp_path)
    parts = urlsplit(url)
    serial = parts.path.rsplit("/", 1)[1]
    forged = parts.path[: -len(serial)] + serial[:4] + serial[4:][::-1]
    response = phone.goto(f"{live_server}{forged}?{parts.query}")
    assert response.status == 404
    assert "không do sổ đăng ký OCOP cấp" in phone.locator("h1").inner_text()
    assert "Nấm linh chi" not in phone.locator("body").inner_text()
    assert no_horizontal_scroll(phone)


def test_english_switch_on_the_scan_page(app, runner, live_server, phone, tmp_path):
    url = _first_code(app, runner, "LC2611A", tmp_path)
    _open(phone, live_server, url)
    phone.click("text=English")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "Sliced Lingzhi mushroom"
