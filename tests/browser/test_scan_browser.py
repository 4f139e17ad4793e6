"""A buyer scans printed labels with a phone (360 × 740) and reads the whole page.

Labels are printed by the labels command into a PDF, the first code of each PDF is
decoded with zxing-cpp, and the phone opens exactly that address: the resolver's 307,
then the page. Each test reads the page's whole visible text for its state.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp

from registry.extensions import db
from registry.ocop.rules import today_vn

from ..public.scan.support import CLAIMS, STATEMENTS, rating_statements
from .conftest import no_horizontal_scroll


def _codes(app, runner, lot: str, tmp_path, count: int = 3) -> list[str]:
    out = tmp_path / f"{lot}.pdf"
    with app.app_context():
        result = runner.invoke(args=["labels", "print", lot, "--count", str(count),
                                     "--layout", "a4-3x8", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = pdfium.PdfDocument(str(out))[0]
    image = page.render(scale=200 / 72, grayscale=True).to_pil()
    codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    codes.sort(key=lambda c: (round(c.position.top_left.y / 40), c.position.top_left.x))
    assert len(codes) == count
    return [c.text for c in codes]


def _open(phone, url: str):
    """What a phone camera does with the decoded address (the live server's own)."""
    response = phone.goto(url)
    assert response.request.redirected_from is not None  # the resolver's 307
    assert response.request.redirected_from.response().status == 307
    return response


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _page_text(phone) -> str:
    return " ".join(phone.locator("body").inner_text().split())


def _verdict(phone) -> str:
    return " ".join(phone.locator(".verdict").inner_text().split())


def _one_statement(text: str, state: str) -> None:
    assert rating_statements(text, "vi") == [state], text
    rest = re.sub(STATEMENTS["vi"][state], " ", text)
    for pattern, allowed in CLAIMS["vi"].items():
        if state not in allowed:
            assert not re.search(pattern, rest, flags=re.I), (pattern, text)


def test_lingzhi_valid_label_reads_genuine_and_never_unrated(app, runner, live_server, phone,
                                                              tmp_path):
    url = _codes(app, runner, "LC2611A", tmp_path)[0]
    assert url.startswith(live_server + "/01/08939999000017/10/LC2611A/21/")
    assert _open(phone, url).status == 200
    assert urlsplit(phone.url).path.startswith("/page/01/08939999000017/10/LC2611A/21/")
    verdict = _verdict(phone)
    assert verdict.startswith("✓ Tem thật do sổ đăng ký cấp")
    assert "Đây là lần kiểm tra đầu tiên của tem này." in verdict
    text = _page_text(phone)
    _one_statement(text, "expiring")  # valid until 28/12/2026: within 90 days
    assert "Đạt OCOP 4 sao, còn hiệu lực đến 28/12/2026 (sắp hết hạn)" in text
    assert "Quyết định 2585/QĐ-UBND ngày 28/12/2023" in text
    assert "Các quyết định trước" in text  # re-rated, its 2020 decision kept
    assert phone.locator("h1").inner_text() == "Nấm linh chi thái lát"
    for part in ("Công ty Thiên Vạn Tường", "Lô hàng LC2611A", "Hạn sử dụng 05/11/2028",
                 "Hành trình của lô hàng", "lúc 08:00 ngày 02/11/2026", "Không bị thu hồi",
                 "Nghi ngờ hàng giả? Báo cho sổ đăng ký"):
        assert part in text, part
    assert "⚠" not in text and "sao chép" not in text
    assert no_horizontal_scroll(phone)


def test_reloads_by_one_phone_stay_one_check(app, runner, live_server, phone, tmp_path):
    url = _codes(app, runner, "LC2611A", tmp_path)[1]
    for _ in range(8):
        _open(phone, url)
    verdict = _verdict(phone)
    assert "Đây là lần kiểm tra đầu tiên của tem này." in verdict and "⚠" not in verdict


def test_expired_rating_label(app, runner, live_server, phone, tmp_path):
    url = _codes(app, runner, "DT2510", tmp_path)[0]
    assert _open(phone, url).status == 200
    assert _verdict(phone).startswith("✓ Tem thật do sổ đăng ký cấp")  # printed without stars
    text = _page_text(phone)
    _one_statement(text, "expired")
    assert "★" not in text.replace("★ OCOP · Sổ đăng ký", "")
    assert no_horizontal_scroll(phone)


def test_revoked_rating_label_printed_before_the_revocation(app, runner, live_server, phone,
                                                              tmp_path):
    from registry.models import Product
    from registry.ratings.decisions import revoke_decision

    url = _codes(app, runner, "LC2611A", tmp_path)[2]  # printed with OCOP ★★★★
    with app.app_context():
        product = db.session.scalar(db.select(Product).filter_by(gtin="08939999000017"))
        revoke_decision(product.current_decision(), reason="Vi phạm ghi nhãn",
                        on=today_vn(), actor_label="test")
        db.session.commit()
    assert _open(phone, url).status == 200
    first_line = phone.locator(".verdict .finding-title").first.inner_text()
    assert first_line == "⚠ Hạng sao in trên tem này không còn giá trị"
    verdict = _verdict(phone)
    assert ("Tem được in khi sản phẩm còn hạng OCOP 4 sao; hạng sao đó đã bị thu hồi ngày "
            f"{today_vn():%d/%m/%Y}.") in verdict
    assert "Tem thật do sổ đăng ký cấp" not in verdict
    text = _page_text(phone)
    _one_statement(text, "revoked")
    assert "Lý do thu hồi: Vi phạm ghi nhãn" in text
    assert no_horizontal_scroll(phone)


def test_after_batches_recall_every_label_of_the_lot_opens_on_the_recall(app, runner,
                                                                        live_server, phone,
                                                                        tmp_path):
    urls = _codes(app, runner, "LC2611A", tmp_path)
    _open(phone, urls[0])  # seen before the recall: caches warm
    with app.app_context():
        result = runner.invoke(args=["batches", "recall", "LC2611A", "--reason",
                                     "Phát hiện nấm mốc trong lô"])
    assert result.exit_code == 0, result.output
    for url in urls:
        assert _open(phone, url).status == 200
        assert phone.locator(".verdict").get_attribute("class") == "verdict verdict-danger"
        verdict = _verdict(phone)
        assert verdict.startswith("⚠ Lô hàng LC2611A đã bị thu hồi")
        assert "Lý do: Phát hiện nấm mốc trong lô" in verdict
        assert "Bạn nên: " in verdict
        assert "Tem thật do sổ đăng ký cấp" not in verdict
    text = _page_text(phone)
    _one_statement(text, "expiring")
    assert "Đang bị thu hồi từ ngày" in text
    assert no_horizontal_scroll(phone)


def test_forged_label_gets_the_not_issued_page(app, runner, live_server, phone, tmp_path):
    url = _codes(app, runner, "LC2611A", tmp_path)[0]
    parts = urlsplit(url)
    serial = parts.path.rsplit("/", 1)[1]
    forged = parts.path[: -len(serial)] + serial[:4] + serial[4:][::-1]
    response = phone.goto(f"{live_server}{forged}?{parts.query}")
    assert response.status == 404
    text = _page_text(phone)
    assert "✗ Mã này không do sổ đăng ký OCOP cấp" in text
    assert "Báo nghi ngờ hàng giả" in text
    for leaked in ("Nấm linh chi", "LC2611A", "Thiên Vạn Tường", "OCOP 4", "★★"):
        assert leaked not in text
    assert no_horizontal_scroll(phone)


def test_english_switch_on_the_scan_page(app, runner, live_server, phone, tmp_path):
    url = _codes(app, runner, "LC2611A", tmp_path)[0]
    _open(phone, url)
    phone.click("text=English")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "Sliced Lingzhi mushroom"
    text = _page_text(phone)
    assert rating_statements(text, "en") == ["expiring"] and rating_statements(text, "vi") == []
    assert "Genuine label issued by the registry" in _verdict(phone)
    assert no_horizontal_scroll(phone)
