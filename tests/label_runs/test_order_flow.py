"""Ordering labels from the portal: one flow to the run page, a form that cannot issue
twice, warnings before a mistake is printed, start positions, the address on labels,
and large runs made by the job queue and downloaded in ranges."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from registry.extensions import db
from registry.label_runs.operations import SMALL_RUN, order_label_run, print_job
from registry.models import AuditEntry, Batch, LabelFile, LabelFileStatus, LabelRun
from registry.ocop.rules import today_vn
from registry.recalls.operations import recall_batch

from .. import factories
from ..conftest import csrf_token
from ..labels.support import decode_pdf


def order_token(page: str) -> str:
    return re.search(r'name="order_token"[^>]*value="([^"]+)"', page).group(1)


def notices(page: str) -> list[str]:
    """The text of every notice the page shows, whitespace-normalised."""
    found = re.findall(r'<p class="notice[^"]*"[^>]*>(.*?)</p>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", n).split()) for n in found]


def text_of(page: str) -> str:
    body = page.split("<main", 1)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@pytest.fixture
def batch(product):
    return factories.make_batch(product, "NR2611", expiry_date=today_vn() + timedelta(days=60))


def order_form(client, batch_id: int, **data) -> tuple[str, dict]:
    page = client.get(f"/portal/batches/{batch_id}/labels").get_data(as_text=True)
    form = {"count": "30", "layout": "a4-3x8", "ecc": "M", "offset_x_mm": "0",
            "offset_y_mm": "0", "start_position": "1", "show_decision_end": "y",
            "csrf_token": csrf_token(page), "order_token": order_token(page)}
    form.update(data)
    return page, form


def runs() -> list[LabelRun]:
    return list(db.session.scalars(db.select(LabelRun).order_by(LabelRun.id)))


# ------------------------------------------------------------------ one flow, once


def test_the_same_order_form_sent_twice_issues_one_run(client, auth, batch, producer_user):
    auth.login("member.a")
    _, form = order_form(client, batch.id)
    first = client.post(f"/portal/batches/{batch.id}/labels", data=form)
    again = client.post(f"/portal/batches/{batch.id}/labels", data=form)  # double tap
    assert first.status_code == again.status_code == 303
    assert [r.count for r in runs()] == [30]
    run = runs()[0]
    assert first.headers["Location"] == again.headers["Location"] == f"/portal/label-runs/{run.id}"
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert f"đợt in {run.id}; không cấp thêm số sê-ri" in page
    assert db.session.get(Batch, batch.id).next_serial == 30
    # a fresh form (a new order) issues a new run
    _, fresh = order_form(client, batch.id, count="6")
    assert client.post(f"/portal/batches/{batch.id}/labels", data=fresh).status_code == 303
    assert [r.count for r in runs()] == [30, 6]


def test_the_same_order_from_a_fetched_again_form_asks_first(client, auth, batch,
                                                              producer_user):
    """The back button may fetch the form again, with a new one-time token: the same
    order again within minutes is asked to be confirmed, nothing is issued until then."""
    auth.login("member.a")
    _, form = order_form(client, batch.id)
    client.post(f"/portal/batches/{batch.id}/labels", data=form)
    first = runs()[0]
    _, again = order_form(client, batch.id)
    assert again["order_token"] != form["order_token"]
    asked = client.post(f"/portal/batches/{batch.id}/labels", data=again)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409 and [r.count for r in runs()] == [30]
    assert (f"Bạn vừa cấp đợt in {first.id} cho lô này với cùng 30 tem, khổ a4-3x8. Nếu chỉ "
            f"bấm lại, không cần làm gì: tệp in nằm ở đợt in {first.id}.") in page
    assert 'name="confirm_repeat"' in page
    assert order_token(page) == again["order_token"]
    confirmed = client.post(f"/portal/batches/{batch.id}/labels",
                            data={**again, "confirm_repeat": "y"})
    assert confirmed.status_code == 303 and [r.count for r in runs()] == [30, 30]
    assert db.session.get(Batch, batch.id).next_serial == 60


def test_an_order_without_its_one_time_token_issues_nothing(client, auth, batch,
                                                            producer_user):
    auth.login("member.a")
    _, form = order_form(client, batch.id)
    form.pop("order_token")
    response = client.post(f"/portal/batches/{batch.id}/labels", data=form)
    assert response.status_code == 400 and runs() == []
    assert "Biểu mẫu này đã cũ" in response.get_data(as_text=True)


def test_the_run_page_says_what_was_issued(client, auth, batch, producer_user):
    auth.login("member.a")
    _, form = order_form(client, batch.id, count="24")
    client.post(f"/portal/batches/{batch.id}/labels", data=form)
    run = runs()[0]
    job = print_job(run)
    first, *_, last = list(job.contents(__import__("registry.label_runs.operations",
                                                   fromlist=["signer"]).signer()))
    text = text_of(client.get(f"/portal/label-runs/{run.id}").get_data(as_text=True))
    assert f"Đợt in {run.id}" in text
    assert "Số tem đã cấp 24" in text and "Số thứ tự 1 – 24" in text
    assert f"{first.serial_display} … {last.serial_display}" in text
    assert "Khổ tem A4, 3 × 8 tem (63,5 × 33,9 mm)" in text and "bắt đầu từ vị trí" not in text
    assert "Sao OCOP trên tem không in sao" in text
    assert f"Hạn sử dụng trên tem {batch.expiry_date:%d/%m/%Y}" in text
    assert "đã xác nhận in khi lô đã hết hạn" not in text
    assert "Địa chỉ trên mã QR https://ocop.test" in text
    assert "chỉ quét được" not in text
    assert "Tải tệp" in text and "Đang tạo" not in text and "Tạo tệp" not in text
    assert "TSPL" not in text  # A4 sheets: PDF only


# ------------------------------------------------------------------------ warnings


def test_an_expired_batch_needs_a_confirmation_which_is_audited(client, auth, product,
                                                                producer_user):
    expired = factories.make_batch(product, "VS2603", expiry_date=date(2026, 3, 31))
    auth.login("member.a")
    page, form = order_form(client, expired.id)
    assert notices(page) == [
        "Lô này đã hết hạn sử dụng từ 31/03/2026. Tem in ra sẽ ghi hạn đã qua. Chỉ in khi "
        "thật cần, và đánh dấu ô xác nhận bên dưới."]
    assert 'name="confirm_expired"' in page
    refused = client.post(f"/portal/batches/{expired.id}/labels", data=form)
    assert refused.status_code == 409 and runs() == []
    assert "đã hết hạn sử dụng từ 31/03/2026" in refused.get_data(as_text=True)
    assert db.session.get(Batch, expired.id).next_serial == 0
    form["confirm_expired"] = "y"
    assert client.post(f"/portal/batches/{expired.id}/labels", data=form).status_code == 303
    run = runs()[0]
    assert run.expired_confirmed
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="labels.expired_confirmed"))
    assert entry is not None and entry.details["expiry_date"] == "2026-03-31"
    assert "đã xác nhận in khi lô đã hết hạn" in client.get(
        f"/portal/label-runs/{run.id}").get_data(as_text=True)


def test_a_batch_under_recall_cannot_be_printed(client, auth, batch, producer_user):
    recall_batch(batch, reason="Nhiễm nấm mốc", advice="Ngừng dùng", actor_label="test")
    db.session.commit()
    auth.login("member.a")
    page = client.get(f"/portal/batches/{batch.id}/labels").get_data(as_text=True)
    assert notices(page) == [
        f"Lô này đang bị thu hồi từ {today_vn():%d/%m/%Y}. Không in tem cho lô bị thu hồi; "
        "dỡ bỏ thu hồi trước nếu lô đã được xử lý."]
    assert "Cấp số sê-ri" not in page and 'name="order_token"' not in page
    form = {"count": "3", "layout": "a4-3x8", "ecc": "M", "offset_x_mm": "0",
            "offset_y_mm": "0", "order_token": "x" * 32, "csrf_token": csrf_token(page)}
    response = client.post(f"/portal/batches/{batch.id}/labels", data=form)
    assert response.status_code == 409 and runs() == []


def test_stars_that_end_before_the_batch_expires_print_with_their_end_date(
        client, auth, product, producer_user):
    decision = factories.make_decision(product, today_vn() - timedelta(days=400))
    ends = decision.valid_until
    late = factories.make_batch(product, "LC2611A", expiry_date=ends + timedelta(days=600))
    auth.login("member.a")
    page, form = order_form(client, late.id, count="3")
    stars = "★" * decision.stars
    assert notices(page) == [
        f"Quyết định công nhận OCOP {decision.stars} sao hết hiệu lực ngày {ends:%d/%m/%Y}, "
        f"trước hạn sử dụng của lô ({late.expiry_date:%d/%m/%Y}). Sau ngày đó, số sao in "
        "trên tem không còn hiệu lực; nên in kèm ngày hết hiệu lực cạnh số sao, ví dụ "
        f"“OCOP {stars} · QĐ đến {ends:%d/%m/%Y}”."]
    assert 'name="show_decision_end" type="checkbox" value="y" checked' in page.replace(
        'checked id="show_decision_end" name="show_decision_end" type="checkbox" value="y"',
        'name="show_decision_end" type="checkbox" value="y" checked')
    client.post(f"/portal/batches/{late.id}/labels", data=form)
    run = runs()[0]
    assert run.stars_until == ends and run.printed_stars == decision.stars
    pdf = client.get(f"/portal/label-runs/{run.id}/labels.pdf").get_data()
    text = " ".join(PdfReader(__import__("io").BytesIO(pdf)).pages[0].extract_text().split())
    assert f"QĐ đến {ends:%d/%m/%Y}" in text
    # unticked: the stars alone
    _, plain = order_form(client, late.id, count="3", confirm_repeat="y")
    plain.pop("show_decision_end")
    client.post(f"/portal/batches/{late.id}/labels", data=plain)
    assert runs()[1].stars_until is None


def test_a_reprint_after_the_decision_ended_prints_no_stars(app_ctx, product):
    decision = factories.make_decision(product, today_vn() - timedelta(days=30))
    batch = factories.make_batch(product, "NR2612", expiry_date=today_vn() + timedelta(days=30))
    run = order_label_run(batch, count=2, layout="a4-3x8")
    db.session.commit()
    assert print_job(run).stars == decision.stars
    assert print_job(run, on=decision.valid_until + timedelta(days=1)).stars is None


def test_no_stars_print_without_a_valid_decision(client, auth, batch, producer_user):
    auth.login("member.a")
    page = client.get(f"/portal/batches/{batch.id}/labels").get_data(as_text=True)
    assert notices(page) == []
    assert "không in sao (sản phẩm chưa có quyết định OCOP còn hiệu lực hôm nay)" in page
    assert 'name="show_decision_end"' not in page and 'name="confirm_expired"' not in page


def test_text_that_cannot_print_whole_is_refused_before_any_serial(app_ctx, producer):
    from registry.exceptions import OperationRefused

    product = factories.make_product(producer, name_vi="W" * 200, gtin="8939999000062")
    batch = factories.make_batch(product, "LOT-2026-ABCDEFGHIJK",
                                 expiry_date=today_vn() + timedelta(days=90))
    with pytest.raises(OperationRefused) as refused:
        order_label_run(batch, count=5, layout="roll-40x30")
    assert refused.value.message == (
        "Nội dung tem không in đủ trên khổ roll-40x30 ngay cả ở cỡ chữ nhỏ nhất. "
        "Chọn khổ tem vừa: a4-3x8, a4-3x7.")
    db.session.rollback()
    assert db.session.get(Batch, batch.id).next_serial == 0 and runs() == []


# ------------------------------------------------------------------ start position


def test_a_sheet_order_can_start_at_a_later_position(client, auth, batch, producer_user):
    auth.login("member.a")
    _, form = order_form(client, batch.id, start_position="19")
    preview = client.post(f"/portal/batches/{batch.id}/labels", data={**form, "preview": "1"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and runs() == []
    cells = re.findall(r'<td class="(used|free)">(\d+)</td>', page)
    assert [int(n) for c, n in cells if c == "used"] == list(range(19, 25))
    assert len(cells) == 24
    assert "6 tem trên tờ đầu tiên, bắt đầu từ vị trí 19." in text_of(page)
    client.post(f"/portal/batches/{batch.id}/labels", data=form)
    run = runs()[0]
    assert run.start_position == 19
    pdf = client.get(f"/portal/label-runs/{run.id}/labels.pdf").get_data()
    assert len(PdfReader(__import__("io").BytesIO(pdf)).pages) == 2
    assert len(decode_pdf(pdf)) == 30
    assert "bắt đầu từ vị trí 19 của tờ đầu" in client.get(
        f"/portal/label-runs/{run.id}").get_data(as_text=True)


def test_a_start_position_past_the_sheet_is_refused(client, auth, batch, producer_user):
    auth.login("member.a")
    _, form = order_form(client, batch.id, start_position="25")
    response = client.post(f"/portal/batches/{batch.id}/labels", data=form)
    assert response.status_code == 400 and runs() == []
    assert "Vị trí bắt đầu phải từ 1 đến 24 trên khổ a4-3x8" in response.get_data(as_text=True)


# ------------------------------------------------------------ the address on labels


def test_without_a_configured_address_labels_carry_the_one_the_registry_was_reached_at(
        app, client, auth, batch, producer_user):
    app.config.update(PUBLIC_BASE_URL_SET=False)
    auth.login("member.a")
    page, form = order_form(client, batch.id, count="3")
    assert "Tem in lúc này chỉ quét được trên máy này." in page  # http://localhost
    from registry.label_runs.operations import is_loopback, public_base_url

    with app.test_request_context("/", base_url="http://192.168.1.20:5101"):
        assert public_base_url() == "http://192.168.1.20:5101"
        assert not is_loopback(public_base_url())
        order_label_run(batch, count=3, layout="a4-3x8", base_url=public_base_url())
        db.session.commit()
    run = runs()[0]
    assert run.base_url == "http://192.168.1.20:5101"
    urls = decode_pdf(client.get(f"/portal/label-runs/{run.id}/labels.pdf").get_data())
    assert len(urls) == 3 and all(u.startswith("http://192.168.1.20:5101/01/") for u in urls)


def test_a_loopback_configured_address_is_warned_on_the_order_and_run_pages(
        app, client, auth, batch, producer_user):
    app.config.update(PUBLIC_BASE_URL="http://127.0.0.1:5000", PUBLIC_BASE_URL_SET=True)
    auth.login("member.a")
    page, form = order_form(client, batch.id, count="2")
    assert notices(page) == [
        "Tem in lúc này chỉ quét được trên máy này. Mã QR sẽ trỏ tới http://127.0.0.1:5000, "
        "địa chỉ mà điện thoại không tới được. Hãy đặt địa chỉ công khai của hệ thống "
        "(PUBLIC_BASE_URL) trước khi in tem thật."]
    client.post(f"/portal/batches/{batch.id}/labels", data=form)
    run_page = client.get(f"/portal/label-runs/{runs()[0].id}").get_data(as_text=True)
    assert notices(run_page) == [
        "Tem của đợt này chỉ quét được trên máy chủ. Mã QR trỏ tới http://127.0.0.1:5000, "
        "địa chỉ mà điện thoại không tới được."]


# --------------------------------------------------------------- large runs as jobs


def test_a_large_run_is_made_by_the_queue_and_downloads_in_ranges(client, auth, batch,
                                                                  producer_user):
    auth.login("member.a")
    count = SMALL_RUN + 24
    _, form = order_form(client, batch.id, count=str(count))
    client.post(f"/portal/batches/{batch.id}/labels", data=form)
    run = runs()[0]
    label_file = db.session.scalar(db.select(LabelFile))
    assert label_file.status is LabelFileStatus.DONE and label_file.done == count
    page = client.get(f"/portal/label-runs/{run.id}").get_data(as_text=True)
    assert "Tải tệp" in page and "http-equiv=\"refresh\"" not in page
    url = f"/portal/label-runs/{run.id}/labels.pdf"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    data = whole.get_data()
    assert int(whole.headers["Content-Length"]) == len(data) == label_file.size
    part = client.get(url, headers={"Range": "bytes=1000-"})
    assert part.status_code == 206 and part.get_data() == data[1000:]
    reader = PdfReader(__import__("io").BytesIO(data))
    assert len(reader.pages) == -(-count // 24)
    assert len(decode_pdf(data)) == count


def test_a_large_run_whose_file_is_not_made_yet_shows_progress(app, client, auth, batch,
                                                               producer_user):
    run = order_label_run(batch, count=SMALL_RUN + 1, layout="roll-40x30")
    db.session.add(LabelFile(run=run, fmt="pdf", dpi=0, status=LabelFileStatus.RUNNING,
                             done=250))
    db.session.commit()
    auth.login("member.a")
    page = client.get(f"/portal/label-runs/{run.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "Đang tạo: 250 / 501 tem (49 %)" in text_of(page)
    # the thermal files of a roll run are offered, made on request
    assert text_of(page).count("Tạo tệp") == 4
    download = client.get(f"/portal/label-runs/{run.id}/labels.pdf")
    assert download.status_code == 303
    made = client.post(f"/portal/label-runs/{run.id}/files/tspl?dpi=203",
                       data={"csrf_token": csrf_token(page)})
    assert made.status_code == 303
    tspl = db.session.scalar(db.select(LabelFile).filter_by(fmt="tspl"))
    assert tspl.status is LabelFileStatus.DONE and tspl.dpi == 203
    body = client.get(f"/portal/label-runs/{run.id}/labels.tspl?dpi=203").get_data()
    assert body.count(b"PRINT 1") == SMALL_RUN + 1
    assert client.get(f"/portal/label-runs/{run.id}/labels.tspl?dpi=600").status_code == 404
    assert client.get(f"/portal/label-runs/{run.id}/labels.zpl").status_code == 404


def test_a_failed_file_says_why_and_can_be_made_again(app, client, auth, batch,
                                                      producer_user, monkeypatch):
    from registry.label_runs import files

    def broken(*args, **kwargs):
        raise OSError("đĩa đầy")

    monkeypatch.setattr(files, "write_file", broken)
    run = order_label_run(batch, count=SMALL_RUN + 1, layout="a4-3x8")
    db.session.commit()
    label_file, queued = files.request_file(run, "pdf")
    db.session.commit()
    files.start(label_file)
    db.session.expire_all()
    label_file = db.session.scalar(db.select(LabelFile))
    assert label_file.status is LabelFileStatus.FAILED and "đĩa đầy" in label_file.error
    assert not list((app.instance_path and __import__("pathlib").Path(
        app.config["LABEL_FILES_DIR"])).glob("*"))
    auth.login("member.a")
    page = client.get(f"/portal/label-runs/{run.id}").get_data(as_text=True)
    assert "Tạo tệp không thành công: đĩa đầy" in page and "Tạo lại tệp" in page
    monkeypatch.undo()
    client.post(f"/portal/label-runs/{run.id}/files/pdf",
                data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    assert db.session.scalar(db.select(LabelFile)).status is LabelFileStatus.DONE


def test_another_producer_cannot_ask_for_or_fetch_a_file(client, auth, batch,
                                                          other_producer_user):
    run = order_label_run(batch, count=3, layout="roll-40x30")
    db.session.commit()
    auth.login("member.b")
    assert client.get(f"/portal/label-runs/{run.id}/labels.tspl?dpi=203").status_code == 403
    page = client.get("/portal/").get_data(as_text=True)
    token = csrf_token(page) if 'name="csrf_token"' in page else ""
    assert client.post(f"/portal/label-runs/{run.id}/files/pdf",
                       data={"csrf_token": token}).status_code in (400, 403)
    assert db.session.scalar(db.select(db.func.count(LabelFile.id))) == 0
