"""A buyer on a 360-px phone with JavaScript off fills in the report form and sends it."""
from __future__ import annotations

import pytest

from registry.extensions import db
from registry.models import FakeReport

from .conftest import ARTIFACTS, PHONE, no_horizontal_scroll

pytestmark = pytest.mark.browser
LONG_ADDRESS = "https://ocop.test/01/08939999000055/10/NR2611/21/" + "Z" * 60


@pytest.fixture
def phone_without_js(browser, request):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN",
                                  java_script_enabled=False)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_a_buyer_reports_from_a_phone_without_javascript(app, live_server, phone_without_js):
    page = phone_without_js
    page.goto(f"{live_server}/report?address={LONG_ADDRESS}")
    assert no_horizontal_scroll(page)
    assert page.locator(".report-address").inner_text() == LONG_ADDRESS
    page.get_by_label("Bạn thấy điều gì khả nghi?").fill("Tem bị dán đè, mã in mờ")
    page.get_by_label("Bạn mua ở đâu? (không bắt buộc)").fill("Chợ nổi Ngã Bảy")
    page.get_by_label("Số điện thoại để liên hệ lại (không bắt buộc)").fill("0912 345 678")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-form-filled.png"), full_page=True)
    page.get_by_role("button", name="Gửi báo cáo").click()
    assert page.url == f"{live_server}/report/thanks"
    assert page.locator("h1").inner_text() == "Cảm ơn bạn đã báo"
    assert no_horizontal_scroll(page)
    with app.app_context():
        [report] = db.session.scalars(db.select(FakeReport)).all()
        assert (report.address, report.what_seen, report.where_bought, report.phone) == (
            LONG_ADDRESS, "Tem bị dán đè, mã in mờ", "Chợ nổi Ngã Bảy", "0912 345 678")
