"""A buyer reports a suspected fake: the form without an account or JavaScript, what the
scanned address is matched to, refusals of bad input, and the per-client rate limit."""
from __future__ import annotations

import re
from datetime import date

import pytest

from registry.extensions import db
from registry.label_runs.operations import item_key, signer
from registry.models import FakeReport, ReportStatus

from .. import factories
from ..conftest import csrf_token
from .conftest import BASE, main_text, post_report

GARBAGE = "https://lua-dao.example/khuyen-mai?ma=XYZ"


@pytest.fixture
def batch(product):
    return factories.make_batch(product, "NR2611", expiry_date=date(2026, 12, 20))


def reports() -> list[FakeReport]:
    db.session.expire_all()
    return db.session.scalars(db.select(FakeReport).order_by(FakeReport.id)).all()


def forged(address: str) -> str:
    """The same address with a serial the registry never signed."""
    serial = address.split("/21/")[1].split("?")[0]
    return address.replace(serial, serial[:4] + "ZZZZZZZZ")


# ------------------------------------------------------------------------ the form page

def test_the_form_reads_as_a_whole_and_needs_no_javascript(client, app_ctx, product):
    page = client.get("/report", query_string={"address": GARBAGE})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert main_text(html) == (
        "Báo nghi ngờ hàng giả "
        "Không cần tài khoản. Cơ sở sản xuất sản phẩm và văn phòng nông nghiệp sẽ xem báo "
        "cáo của bạn. "
        f"Địa chỉ tem bạn đã quét {GARBAGE} "
        "Bạn thấy điều gì khả nghi? "
        "Ví dụ: tem bị dán đè, mã quét ra trang lạ, bao bì khác thường, giá rẻ bất thường. "
        "Bạn mua ở đâu? (không bắt buộc) "
        "Tên cửa hàng, chợ, trang bán hàng, địa chỉ. "
        "Số điện thoại để liên hệ lại (không bắt buộc) "
        "Chúng tôi không lưu địa chỉ IP của bạn. Số điện thoại chỉ cơ sở sản xuất và văn "
        "phòng nông nghiệp xem được. "
        "Gửi báo cáo")
    assert "<script" not in html
    assert product.name_vi not in html and product.producer.name not in html
    assert re.search(r'<form method="post" action="/report"', html)
    [hidden] = re.findall(r'<input[^>]*name="address"[^>]*>', html)
    assert 'type="hidden"' in hidden and f'value="{GARBAGE}"' in hidden
    assert re.search(r'<textarea[^>]*maxlength="2000"[^>]*name="what_seen"[^>]*required', html)
    assert page.headers["Cache-Control"] == "no-store"


def test_the_form_in_english(client, app_ctx):
    page = client.get("/report", query_string={"address": GARBAGE, "lang": "en"})
    assert main_text(page.get_data(as_text=True)) == (
        "Report a suspected fake "
        "No account needed. The product's producer and the agriculture office will see "
        "your report. "
        f"The label address you scanned {GARBAGE} "
        "What looked suspicious? "
        "For example: a label stuck over another, a code that opens a strange page, unusual "
        "packaging, an unusually low price. "
        "Where did you buy it? (optional) "
        "The shop, market, online store or address. "
        "Phone number to contact you (optional) "
        "We do not store your IP address. Only the producer and the agriculture office can "
        "see your phone number. "
        "Send the report")


def test_a_forged_serial_shows_no_product_data_on_the_form(client, app_ctx, batch):
    from .conftest import print_labels

    address = forged(print_labels(batch, 1)[0])
    html = client.get("/report", query_string={"address": address}).get_data(as_text=True)
    assert address in main_text(html)
    for fact in ("Bưởi Năm Roi", batch.product.producer.name, "NR2611 ·", "20/12/2026"):
        assert fact not in html


def test_without_an_address_the_form_says_so(client, app_ctx):
    text = main_text(client.get("/report").get_data(as_text=True))
    assert ("Địa chỉ tem bạn đã quét Không có địa chỉ tem. Hãy ghi những gì in trên tem vào "
            "ô bên dưới.") in text


def test_an_address_longer_than_400_characters_is_refused(client, app_ctx):
    page = client.get("/report", query_string={"address": BASE + "/" + "x" * 400})
    assert page.status_code == 400
    assert "Địa chỉ tem dài quá 400 ký tự." in main_text(page.get_data(as_text=True))


# ------------------------------------------------------------------------- matching

def test_a_report_of_an_issued_label_names_its_product_batch_and_serial(
        client, app_ctx, batch):
    from .conftest import print_labels

    address = print_labels(batch, 3)[1] + "?17=261220"
    response = post_report(client, address, where_bought="Chợ Kế Sách", phone="0912 345 678")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/report/thanks")
    [report] = reports()
    assert (report.address, report.product_id, report.batch_id, report.serial_seq,
            report.label_issued) == (address, batch.product_id, batch.id, 1, True)
    assert (report.what_seen, report.where_bought, report.phone, report.status) == (
        "Tem bị dán đè lên tem cũ", "Chợ Kế Sách", "0912 345 678", ReportStatus.NEW)

    thanks = client.get(response.headers["Location"])
    assert main_text(thanks.get_data(as_text=True)) == (
        "Cảm ơn bạn đã báo "
        "Báo cáo đã được gửi. Cơ sở sản xuất sản phẩm và văn phòng nông nghiệp sẽ xem báo "
        "cáo này. "
        "Hãy giữ lại sản phẩm, bao bì và hoá đơn (nếu có): chúng giúp xác minh. "
        "Tra cứu sản phẩm OCOP thật trong sổ đăng ký")


def test_a_landing_page_address_and_a_registry_product_code_match_too(
        client, app_ctx, producer):
    from .conftest import print_labels

    no_gtin = factories.make_product(producer, name_vi="Khô bò")
    batch = factories.make_batch(no_gtin, "KB01")
    address = print_labels(batch, 1)[0]
    assert f"/p/{no_gtin.public_token}/10/KB01/21/" in address
    landing = address.replace(BASE + "/p/", BASE + "/page/p/")
    assert post_report(client, landing).status_code == 303
    assert post_report(client, address.replace(BASE, "")).status_code == 303
    for report in reports():
        assert (report.product_id, report.batch_id, report.serial_seq,
                report.label_issued) == (no_gtin.id, batch.id, 0, True)


def test_a_forged_serial_matches_the_product_but_not_a_label(client, app_ctx, batch):
    from .conftest import print_labels

    address = forged(print_labels(batch, 2)[0])
    assert post_report(client, address).status_code == 303
    [report] = reports()
    assert (report.product_id, report.batch_id, report.serial_seq, report.label_issued) == (
        batch.product_id, batch.id, None, False)


def test_a_genuine_signature_that_was_never_printed_is_not_issued(client, app_ctx, batch):
    from .conftest import print_labels

    print_labels(batch, 2)  # seq 0 and 1 are printed; 7 was signed by nobody's order
    unprinted = signer().make(item_key(batch.product), "NR2611", 7)
    address = f"{BASE}/01/08939999000055/10/NR2611/21/{unprinted}"
    assert post_report(client, address).status_code == 303
    [report] = reports()
    assert (report.batch_id, report.serial_seq, report.label_issued) == (batch.id, None, False)


@pytest.mark.parametrize("address", [GARBAGE, "", f"{BASE}/01/08939999000062/10/L1/21/X",
                                     "/01/not-a-gtin", "đây không phải địa chỉ"])
def test_an_address_matching_nothing_is_saved_for_the_office(client, app_ctx, batch, address):
    assert post_report(client, address).status_code == 303
    [report] = reports()
    assert (report.address, report.product_id, report.batch_id, report.serial_seq,
            report.label_issued) == (address, None, None, None, False)


def test_the_client_is_told_apart_by_a_keyed_hash_never_the_raw_address(client, app_ctx):
    post_report(client, GARBAGE, remote_addr="203.0.113.9")
    post_report(client, GARBAGE, remote_addr="203.0.113.9")
    post_report(client, GARBAGE, remote_addr="203.0.113.9", user_agent="Other phone")
    post_report(client, GARBAGE, remote_addr="198.51.100.4")
    hashes = [r.client_hash for r in reports()]
    assert all(re.fullmatch(r"[0-9a-f]{32}", h) for h in hashes)
    assert hashes[0] == hashes[1] and len(set(hashes)) == 3
    for report in reports():
        assert "203.0.113.9" not in repr(vars(report))


# ------------------------------------------------------------------------ refusals

@pytest.mark.parametrize("fields, message", [
    ({"what_seen": ""}, "Hãy cho biết bạn thấy điều gì khả nghi."),
    ({"what_seen": "   \x00 "}, "Hãy cho biết bạn thấy điều gì khả nghi."),
    ({"what_seen": "x" * 2001}, "Tối đa 2000 ký tự."),
    ({"where_bought": "x" * 301}, "Tối đa 300 ký tự."),
    ({"phone": "gọi tôi"}, "Số điện thoại gồm 8 đến 15 chữ số"),
    ({"phone": "091-234-5"}, "Số điện thoại gồm 8 đến 15 chữ số"),
    ({"phone": "+84 912 345 678 901 23"}, "Số điện thoại gồm 8 đến 15 chữ số"),
])
def test_bad_input_gets_the_form_back_with_a_message_and_saves_nothing(
        client, app_ctx, fields, message):
    response = post_report(client, GARBAGE, **fields)
    assert response.status_code == 400
    text = main_text(response.get_data(as_text=True))
    assert text.startswith("Báo nghi ngờ hàng giả") and message in text
    assert reports() == []


def test_a_posted_address_longer_than_400_characters_is_refused(client, app_ctx):
    token = csrf_token(client.get("/report").get_data(as_text=True))
    response = client.post("/report", data={"csrf_token": token, "what_seen": "giả",
                                            "address": BASE + "/" + "x" * 400})
    assert response.status_code == 400
    assert "Địa chỉ tem dài quá 400 ký tự." in main_text(response.get_data(as_text=True))
    assert reports() == []


def test_a_loosely_written_phone_number_is_accepted(client, app_ctx):
    for phone in ("+84 912.345.678", "091-234-5678", "02993 861 234"):
        assert post_report(client, GARBAGE, phone=phone).status_code == 303
    assert [r.phone for r in reports()] == ["+84 912.345.678", "091-234-5678",
                                            "02993 861 234"]


def test_without_a_csrf_token_nothing_is_saved(client, app_ctx):
    response = client.post("/report", data={"address": GARBAGE, "what_seen": "giả"})
    assert response.status_code == 400
    assert "Phiên biểu mẫu đã hết hạn" in main_text(response.get_data(as_text=True))
    page = client.get("/report")
    response = client.post("/report", data={"address": GARBAGE, "what_seen": "giả",
                                            "csrf_token": csrf_token(page.get_data(
                                                as_text=True))[:-2] + "xx"})
    assert response.status_code == 400
    assert reports() == []


CLEAN = {"address": GARBAGE, "what_seen": "Tem giả\ndòng hai", "where_bought": "Chợ nổi",
         "phone": "0912345678"}
DIRTY = {"address": GARBAGE + "\x00\x1b", "what_seen": "Tem\x00 giả\r\ndòng hai\x07\u202e",
         "where_bought": "Chợ\x00 nổi\n", "phone": "0912\x00345678"}


@pytest.mark.parametrize("dirty", [*DIRTY, "all"])
def test_nul_and_control_characters_are_stripped_never_a_server_error(client, app_ctx, dirty):
    """PostgreSQL refuses NUL in text: it must never reach the database."""
    fields = DIRTY if dirty == "all" else {**CLEAN, dirty: DIRTY[dirty]}
    response = post_report(client, **fields)
    assert response.status_code == 303
    [report] = reports()
    assert (report.address, report.what_seen, report.where_bought, report.phone) == tuple(
        CLEAN.values())


def test_nothing_unsafe_is_echoed_back(client, app_ctx):
    script = "<script>alert(1)</script>"
    refused = post_report(client, GARBAGE + script, what_seen=script, phone=script)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and script not in html
    saved = post_report(client, GARBAGE + script, what_seen=script)
    assert saved.status_code == 303
    assert "alert" not in client.get(saved.headers["Location"]).get_data(as_text=True)


# ---------------------------------------------------------------------- rate limit

def test_the_sixth_report_in_an_hour_from_one_client_is_refused(client, app_ctx):
    for n in range(5):
        assert post_report(client, GARBAGE, remote_addr="10.0.0.7").status_code == 303, n
    blocked = post_report(client, GARBAGE, remote_addr="10.0.0.7")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert main_text(blocked.get_data(as_text=True)) == (
        "Bạn đã gửi quá nhiều lần trong thời gian ngắn nên lần này chưa được lưu. Vui lòng "
        "thử lại sau. Mã lỗi 429 Về trang chủ")
    assert len(reports()) == 5
    # Another phone is not held back, and the blocked one can still read the form.
    assert post_report(client, GARBAGE, remote_addr="10.0.0.8").status_code == 303
    assert client.get("/report", environ_overrides={"REMOTE_ADDR": "10.0.0.7"}
                      ).status_code == 200
    assert len(reports()) == 6


def test_the_refusal_is_in_english_when_english_was_chosen(client, app_ctx):
    app_ctx.config["REPORT_RATE_LIMIT"] = "1 per hour"
    client.get("/?lang=en")
    assert post_report(client, GARBAGE).status_code == 303
    blocked = post_report(client, GARBAGE)
    assert blocked.status_code == 429
    assert main_text(blocked.get_data(as_text=True)).startswith(
        "You have sent this too many times in a short while, so this one was not saved. "
        "Please try again later.")
    assert len(reports()) == 1


def test_the_limit_is_configurable(client, app_ctx):
    app_ctx.config["REPORT_RATE_LIMIT"] = "2 per day"
    assert [post_report(client, GARBAGE).status_code for _ in range(3)] == [303, 303, 429]
