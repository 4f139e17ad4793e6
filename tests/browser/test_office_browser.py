"""A council reviewer takes a pending demo application to a decision, in the browser."""
from __future__ import annotations

from registry.ocop.rules import today_vn, valid_until

from .conftest import no_horizontal_scroll


def _login(phone, live_server, login):
    phone.goto(live_server + "/login")
    phone.fill("input[name=login]", login)
    phone.fill("input[name=password]", "ocop-demo-2026")
    phone.click("button[type=submit]")


def test_reviewer_scores_and_the_council_approves_then_the_public_page_shows_it(
        live_server, phone):
    _login(phone, live_server, "hoidong.tinh")
    phone.get_by_role("link", name="Văn phòng", exact=True).click()
    phone.get_by_role("link", name="Bưởi da xanh Kế Thành").click()
    phone.get_by_role("link", name="Chấm điểm", exact=True).click()
    fields = phone.locator("input[name^=points_]")
    for i in range(fields.count()):
        field = fields.nth(i)
        maximum = float(field.get_attribute("max"))
        field.fill(f"{maximum * 0.75:.2f}")  # 75 points: the 4-star band
    boxes = phone.locator("input[type=checkbox][name^=met_]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    assert no_horizontal_scroll(phone)
    phone.get_by_role("button", name="Lưu phiếu chấm").click()
    assert "Đã lưu phiếu chấm: 75.00 điểm" in phone.locator(".flash").inner_text()
    assert "Điểm trung bình: 75.00" in phone.locator("body").inner_text()

    phone.select_option("select[name=stars]", "4")
    phone.fill("input[name=decision_number]", "3001/QĐ-UBND")
    phone.get_by_role("button", name="Công nhận", exact=True).click()
    flash = phone.locator(".flash").inner_text()
    until = valid_until(today_vn())
    assert f"đạt 4 sao, hiệu lực đến {until:%d/%m/%Y}" in flash

    phone.goto(live_server + "/page/01/08939999000048")
    rating = phone.locator("#chung-nhan").inner_text()
    assert f"Đạt OCOP 4 sao, còn hiệu lực đến {until:%d/%m/%Y}" in rating
    assert f"Quyết định 3001/QĐ-UBND ngày {today_vn():%d/%m/%Y}" in rating
    assert no_horizontal_scroll(phone)


def test_the_council_cannot_award_more_stars_than_the_points(live_server, phone):
    _login(phone, live_server, "hoidong.tinh")
    phone.get_by_role("link", name="Văn phòng", exact=True).click()
    phone.get_by_role("link", name="Chà bông bò An Lạc Thôn").click()  # scored demo application, 64.5 points
    phone.select_option("select[name=stars]", "4")
    phone.fill("input[name=decision_number]", "3002/QĐ-UBND")
    phone.get_by_role("button", name="Công nhận", exact=True).click()
    assert "chỉ đạt hạng 3 sao; không thể công nhận 4 sao" in phone.locator(".flash").inner_text()


def test_a_producer_member_cannot_open_the_office(live_server, phone):
    _login(phone, live_server, "htx.kethanh")
    assert phone.get_by_role("link", name="Văn phòng", exact=True).count() == 0
    response = phone.goto(live_server + "/office/")
    assert response.status == 403


def test_the_commune_proposes_a_dossier_then_the_province_can_score_it(live_server, phone):
    """1489/2025: the An Lạc Tây officer checks the demo dossier and proposes it; the
    province reviewer, who could not see it before, finds it in the queue."""
    _login(phone, live_server, "hoidong.tinh")
    phone.goto(live_server + "/office/")
    assert phone.get_by_role("link", name="Xoài cát chu An Lạc Tây").count() == 0
    phone.get_by_role("button", name="Đăng xuất").click()

    _login(phone, live_server, "xa.anlactay")
    phone.goto(live_server + "/office/")
    phone.get_by_role("link", name="Xoài cát chu An Lạc Tây").click()
    body = phone.locator("body").inner_text()
    assert "Đã nộp, chờ cấp xã kiểm tra và đề xuất" in body and "Chấm điểm" not in body
    assert no_horizontal_scroll(phone)
    phone.get_by_role("button", name="Hồ sơ đầy đủ: đề xuất lên hội đồng cấp tỉnh").click()
    assert ("Đã đề xuất Xoài cát chu An Lạc Tây lên hội đồng cấp tỉnh."
            in phone.locator(".flash").inner_text())
    phone.get_by_role("button", name="Đăng xuất").click()

    _login(phone, live_server, "hoidong.tinh")
    phone.goto(live_server + "/office/")
    phone.get_by_role("link", name="Xoài cát chu An Lạc Tây").click()
    assert phone.get_by_role("link", name="Chấm điểm", exact=True).count() == 1
    assert "thành phố Cần Thơ" in phone.locator("body").inner_text()  # today's province
