"""The office takes the demo dossier from the commune to the council's decision, in the
browser, at phone size: evidence opened, three independent sheets, the chair's decision,
and the producer told by mail and in the inbox."""
from __future__ import annotations

import io

from pypdf import PdfReader

from registry.ocop.rules import today_vn, valid_until

from ..smtp import body_text, subject
from .conftest import ARTIFACTS, no_horizontal_scroll

DOSSIER = "Xoài cát chu An Lạc Tây"


def _login(phone, live_server, login):
    phone.goto(live_server + "/login")
    phone.fill("input[name=login]", login)
    phone.fill("input[name=password]", "ocop-demo-2026")
    phone.click("button[type=submit]")


def _logout(phone):
    phone.get_by_role("button", name="Đăng xuất").click()


def _shot(phone, name):
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / f"office-{name}.png"), full_page=True)


def _open_dossier(phone, live_server):
    phone.goto(live_server + "/office/")
    phone.get_by_role("link", name=DOSSIER).click()


def _score(phone, fraction: float, who: str):
    phone.get_by_role("link", name="Chấm điểm", exact=True).click()
    body = phone.locator("body").inner_text()
    fields = phone.locator("input[name^=points_]")
    assert fields.count() == 12
    # the producer's self-assessment and note beside every input, nobody else's sheet
    assert phone.locator("fieldset.criterion .self-assessment").count() == 12
    assert "Vùng xoài 12 ha của 18 thành viên tổ hợp tác" in body
    assert "phieu-ket-qua-thu-nghiem.pdf" in body
    for other in ("Nguyễn Thị Hội Đồng", "Lâm Văn Chấm", "Huỳnh Thị Điểm"):
        assert other not in body.replace(phone.locator(".who").inner_text(), "")
    assert "Điểm trung bình" not in body
    for i in range(fields.count()):
        field = fields.nth(i)
        field.fill(f"{float(field.get_attribute('max')) * fraction:.2f}")
    boxes = phone.locator("input[type=checkbox][name^=met_]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    assert no_horizontal_scroll(phone)
    _shot(phone, f"score-{who}")
    phone.get_by_role("button", name="Nộp phiếu chấm").click()
    assert "Đã nộp phiếu chấm" in phone.locator(".flash").inner_text()


def test_the_council_cannot_award_more_stars_than_the_points(live_server, phone):
    _login(phone, live_server, "hoidong.tinh")
    phone.get_by_role("link", name="Văn phòng", exact=True).click()
    # the scored demo application, 64.5 points
    phone.get_by_role("link", name="Chà bông bò An Lạc Thôn").click()
    phone.select_option("select[name=stars]", "4")
    phone.fill("input[name=decision_number]", "3002/QĐ-UBND")
    phone.get_by_role("button", name="Công nhận", exact=True).click()
    assert "chỉ đạt hạng 3 sao; không thể công nhận 4 sao" in phone.locator(".flash").inner_text()


def test_a_producer_member_cannot_open_the_office(live_server, phone):
    _login(phone, live_server, "htx.kethanh")
    assert phone.get_by_role("link", name="Văn phòng", exact=True).count() == 0
    response = phone.goto(live_server + "/office/")
    assert response.status == 403


def test_commune_proposes_three_reviewers_score_the_chair_decides_the_producer_is_told(
        live_server, phone, smtp):
    # The commune officer opens the dossier and its evidence, then proposes it.
    _login(phone, live_server, "xa.anlactay")
    _open_dossier(phone, live_server)
    body = phone.locator("body").inner_text()
    assert "Đã nộp, chờ cấp xã kiểm tra và đề xuất" in body and "Chấm điểm" not in body
    assert "Bộ sản phẩm\n1. Rau, củ, quả, hạt tươi" in body
    assert "C3. An toàn thực phẩm" in body and "bắt buộc từ 3 sao" in body
    assert no_horizontal_scroll(phone)
    _shot(phone, "dossier-commune")
    link = phone.get_by_role("link", name="phieu-ket-qua-thu-nghiem.pdf").first
    response = phone.request.get(live_server + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert "PHIẾU KẾT QUẢ THỬ NGHIỆM" in text
    phone.get_by_role("button", name="Hồ sơ đầy đủ: đề xuất lên hội đồng cấp tỉnh").click()
    assert f"Đã đề xuất {DOSSIER} lên hội đồng cấp tỉnh." in phone.locator(".flash").inner_text()
    _logout(phone)

    # Two members score on their own; the chair cannot decide on two sheets.
    for login, fraction in (("hoidong.tinh2", 0.66), ("hoidong.tinh3", 0.62)):
        _login(phone, live_server, login)
        _open_dossier(phone, live_server)
        _score(phone, fraction, login)
        assert "thấp nhất" in phone.locator("body").inner_text() or login == "hoidong.tinh2"
        _logout(phone)
    _login(phone, live_server, "hoidong.tinh")
    _open_dossier(phone, live_server)
    body = phone.locator("body").inner_text()
    assert "Đã nộp 2/3 phiếu chấm độc lập." in body
    assert "Chưa thể quyết định: hội đồng cần 3 phiếu chấm, mới có 2." in body
    assert phone.get_by_role("button", name="Công nhận", exact=True).count() == 0
    assert "Lâm Văn Chấm" not in body  # the chair has not sent a sheet yet
    _shot(phone, "dossier-two-sheets")

    # The chair sends the third sheet, sees the average and spread, and decides.
    _score(phone, 0.64, "hoidong.tinh")
    body = phone.locator("body").inner_text()
    assert "Đã nộp 3/3 phiếu chấm độc lập." in body
    assert "Điểm trung bình: 64" in body and "thấp nhất 62, cao nhất 66 (chênh 4 điểm)" in body
    phone.select_option("select[name=stars]", "3")
    phone.fill("input[name=decision_number]", "3001/QĐ-UBND")
    assert no_horizontal_scroll(phone)
    _shot(phone, "dossier-decide")
    phone.get_by_role("button", name="Công nhận", exact=True).click()
    until = valid_until(today_vn())
    assert f"đạt 3 sao, hiệu lực đến {until:%d/%m/%Y}" in phone.locator(".flash").inner_text()
    _logout(phone)

    # The producer is told by mail (local SMTP server) and in the registry's inbox.
    [mail] = smtp.wait_for("thg.anlactay@ocop.localhost")
    assert subject(mail) == f"{DOSSIER} được công nhận 3 sao"
    assert f"đạt OCOP 3 sao, hiệu lực đến {until:%d/%m/%Y}" in body_text(mail)
    _login(phone, live_server, "thg.anlactay")
    badge = phone.locator(".site-nav .badge").inner_text()
    assert int(badge) >= 1
    phone.get_by_role("link", name="Thông báo").first.click()
    inbox = phone.locator("main").inner_text()
    assert f"{DOSSIER} được công nhận 3 sao" in inbox and "3001/QĐ-UBND" in inbox
    assert no_horizontal_scroll(phone)
    _shot(phone, "producer-inbox")

    phone.goto(live_server + "/page/01/08939999000086")
    rating = phone.locator("#chung-nhan").inner_text()
    assert f"Đạt OCOP 3 sao, còn hiệu lực đến {until:%d/%m/%Y}" in rating
    assert "bộ sản phẩm 1. Rau, củ, quả, hạt tươi" in rating
