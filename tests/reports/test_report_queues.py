"""The producer's and the office's queues of reports: who sees which report, the label's
check history beside it, and marking a report handled (audited, refused to others)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from registry.extensions import db
from registry.models import AuditEntry, FakeReport, LabelCheck, ReportStatus
from registry.ocop.rules import VN_TZ
from registry.permissions import Perm, allowed
from registry.reports.operations import match_address

from .. import factories
from ..conftest import csrf_token
from .conftest import main_text, print_labels

PASSWORD = factories.PASSWORD


@pytest.fixture
def labels(producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     gtin="8939999000055")
    batch = factories.make_batch(product, "NR2611")
    return batch, print_labels(batch, 3)


def _report(address, *, at, what, **fields) -> FakeReport:
    match = match_address(address)
    report = FakeReport(address=address, product=match.product, batch=match.batch,
                        serial_seq=match.serial_seq, label_issued=match.label_issued,
                        what_seen=what, created_at=at, **fields)
    db.session.add(report)
    db.session.commit()
    return report


@pytest.fixture
def reported(labels, other_producer):
    """A checked genuine label, an unchecked one, another producer's, and a made-up one."""
    batch, addresses = labels
    db.session.add(LabelCheck(batch_id=batch.id, serial_seq=0, checks=3, clients=2,
                              first_checked_at=datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc),
                              last_checked_at=datetime(2026, 3, 4, 2, 0, tzinfo=timezone.utc)))
    theirs = factories.make_product(other_producer, name_vi="Cam sành", gtin="8939999000062")
    their_batch = factories.make_batch(theirs, "CS01")
    their_address = print_labels(their_batch, 1)[0]
    return {
        "checked": _report(addresses[0], at=datetime(2026, 3, 5, 3, 15, tzinfo=timezone.utc),
                           what="Tem bị dán đè", where_bought="Chợ Kế Sách",
                           phone="0912 345 678"),
        "unchecked": _report(addresses[2], at=datetime(2026, 3, 6, 9, 0, tzinfo=timezone.utc),
                             what="Bao bì khác màu"),
        "theirs": _report(their_address, at=datetime(2026, 3, 6, 10, 0, tzinfo=timezone.utc),
                          what="Cam không có tem"),
        "nothing": _report("https://lua-dao.example/x",
                           at=datetime(2026, 3, 7, 0, 5, tzinfo=timezone.utc),
                           what="Mã quét ra trang lạ"),
    }


def _cards(html: str) -> list[str]:
    """The text of each report card, in page order."""
    body = html.split('<ul class="plain">', 1)[1].split("</ul>", 1)[0]
    return [main_text('<main id="main">' + part + "</main>")
            for part in re.split(r'<li class="card" id="report-\d+">', body)[1:]]


def _handle(client, queue_url, handle_url, note=""):
    token = csrf_token(client.get(queue_url).get_data(as_text=True))
    return client.post(handle_url, data={"csrf_token": token, "note": note})


# ---------------------------------------------------------------- producer's queue

def test_a_producer_sees_its_own_reports_with_each_labels_check_history(
        client, auth, producer_user, reported):
    auth.login("member.a")
    page = client.get("/portal/reports")
    assert page.status_code == 200
    cards = _cards(page.get_data(as_text=True))
    assert cards == [
        ("Bưởi Năm Roi Kế Thành Mới "
         "Thời gian 16:00 06/03/2026 "
         f"Địa chỉ đã quét {reported['unchecked'].address} "
         "Lô NR2611 Tem do sổ đăng ký cấp (tem số 3 của lô) "
         "Lịch sử kiểm tra chưa có lượt kiểm tra nào "
         "Người mua thấy Bao bì khác màu Nơi mua — Điện thoại — "
         "Đã làm gì (không bắt buộc) Đánh dấu đã xử lý"),
        ("Bưởi Năm Roi Kế Thành Mới "
         "Thời gian 10:15 05/03/2026 "
         f"Địa chỉ đã quét {reported['checked'].address} "
         "Lô NR2611 Tem do sổ đăng ký cấp (tem số 1 của lô) "
         "Lịch sử kiểm tra 3 lượt kiểm tra bởi 2 thiết bị, lần đầu lúc 08:30 ngày 02/03/2026 "
         "Người mua thấy Tem bị dán đè Nơi mua Chợ Kế Sách Điện thoại 0912 345 678 "
         "Đã làm gì (không bắt buộc) Đánh dấu đã xử lý"),
    ]
    html = page.get_data(as_text=True)
    assert "Cam sành" not in html and "lua-dao" not in html
    assert 'href="tel:0912345678"' in html


def test_the_check_history_in_english(client, auth, producer_user, reported):
    auth.login("member.a")
    text = main_text(client.get("/portal/reports?lang=en").get_data(as_text=True))
    assert "Check history 3 checks by 2 devices, first at 08:30 on 02/03/2026" in text
    assert "Check history no checks yet" in text


def test_another_producers_member_sees_none_and_may_not_handle_it(
        client, auth, other_producer_user, reported):
    auth.login("member.b")
    cards = _cards(client.get("/portal/reports").get_data(as_text=True))
    assert [c.split(" Mới ")[0] for c in cards] == ["Cam sành"]
    for report in ("checked", "nothing"):
        response = _handle(client, "/portal/reports",
                           f"/portal/reports/{reported[report].id}/handle", note="xong")
        assert response.status_code == 403
    db.session.expire_all()
    assert reported["checked"].status is ReportStatus.NEW
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="report.handle")) is None


def test_a_member_marks_a_report_handled_with_a_note_and_it_is_audited(
        client, auth, producer_user, reported):
    auth.login("member.a")
    report = reported["checked"]
    response = _handle(client, "/portal/reports", f"/portal/reports/{report.id}/handle",
                       note="Đã báo quản lý thị trường\x00 huyện")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/portal/reports")
    db.session.expire_all()
    assert (report.status, report.handled_by_id, report.handling_note) == (
        ReportStatus.HANDLED, producer_user.id, "Đã báo quản lý thị trường huyện")
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="report.handle"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        producer_user.id, "fake_reports", report.id)
    assert entry.details["note"] == "Đã báo quản lý thị trường huyện"

    page = client.get("/portal/reports")
    [card] = [c for c in _cards(page.get_data(as_text=True)) if "Tem bị dán đè" in c]
    handled_at = report.handled_at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")
    assert card.endswith(f"Đã xử lý lúc {handled_at} bởi Member.A. "
                         "Đã báo quản lý thị trường huyện")
    handled = main_text(client.get("/portal/reports?status=handled").get_data(as_text=True))
    assert "Tem bị dán đè" in handled and "Bao bì khác màu" not in handled
    again = _handle(client, "/portal/reports", f"/portal/reports/{report.id}/handle")
    assert again.status_code == 409
    assert "Báo cáo này đã được xử lý." in main_text(again.get_data(as_text=True))


def test_the_portal_home_links_the_queue_with_the_count_of_new_reports(
        client, auth, producer_user, reported):
    auth.login("member.a")
    html = client.get("/portal/").get_data(as_text=True)
    assert '<a href="/portal/reports">Báo cáo nghi hàng giả' in html
    assert "2 mới" in main_text(html)


def test_the_queues_ask_for_a_login(client, reported):
    for url in ("/portal/reports", "/office/reports"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# ------------------------------------------------------------------ office's queue

def test_the_office_queue_lists_every_report_including_those_matching_nothing(
        client, auth, reviewer_user, reported):
    auth.login("reviewer")
    html = client.get("/office/reports").get_data(as_text=True)
    cards = _cards(html)
    assert [c.split(" Mới ")[0] for c in cards] == [
        "Không khớp sản phẩm nào trong sổ", "Cam sành", "Bưởi Năm Roi Kế Thành",
        "Bưởi Năm Roi Kế Thành"]
    assert cards[0] == (
        "Không khớp sản phẩm nào trong sổ Mới Thời gian 07:05 07/03/2026 "
        "Địa chỉ đã quét https://lua-dao.example/x Lô — Tem không do sổ đăng ký cấp "
        "Người mua thấy Mã quét ra trang lạ Nơi mua — Điện thoại —")
    assert "Cơ sở sản xuất HTX Cam B" in cards[1]
    assert "3 lượt kiểm tra bởi 2 thiết bị, lần đầu lúc 08:30 ngày 02/03/2026" in cards[3]
    assert "Đánh dấu đã xử lý" not in html  # reviewers read; administrators handle
    response = _handle(client, "/office/reports",
                       f"/office/reports/{reported['nothing'].id}/handle")
    assert response.status_code == 403


def test_the_commune_officer_reads_the_office_queue_too(client, auth, commune_user, reported):
    auth.login("xa")
    assert len(_cards(client.get("/office/reports").get_data(as_text=True))) == 4


def test_an_administrator_handles_a_report_matching_nothing_and_filters_the_queue(
        client, auth, admin_user, reported):
    auth.login("admin")
    report = reported["nothing"]
    response = _handle(client, "/office/reports", f"/office/reports/{report.id}/handle",
                       note="Địa chỉ giả mạo, đã báo công an")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/office/reports")
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="report.handle"))
    assert (entry.actor_id, entry.object_id) == (admin_user.id, report.id)
    new = _cards(client.get("/office/reports?status=new").get_data(as_text=True))
    handled = _cards(client.get("/office/reports?status=handled").get_data(as_text=True))
    assert len(new) == 3 and "lua-dao" not in " ".join(new)
    assert len(handled) == 1 and handled[0].endswith("Địa chỉ giả mạo, đã báo công an")
    # From the portal an administrator is sent to the office's queue.
    assert client.get("/portal/reports").headers["Location"].endswith("/office/reports")


def test_producers_never_open_the_office_queue(client, auth, producer_user, reported):
    auth.login("member.a")
    assert client.get("/office/reports").status_code == 403
    response = _handle(client, "/portal/reports",
                       f"/office/reports/{reported['checked'].id}/handle")
    assert response.status_code == 403


# -------------------------------------------------------------------- permissions

def test_report_permissions(reported, producer_user, other_producer_user, reviewer_user,
                            commune_user, admin_user):
    own, nothing = reported["checked"], reported["nothing"]
    assert allowed(producer_user, Perm.REPORT_VIEW, own)
    assert allowed(producer_user, Perm.REPORT_HANDLE, own)
    for user in (producer_user, other_producer_user):
        assert not allowed(user, Perm.REPORT_VIEW, nothing)
        assert not allowed(user, Perm.REPORT_HANDLE, nothing)
    assert not allowed(other_producer_user, Perm.REPORT_VIEW, own)
    assert not allowed(other_producer_user, Perm.REPORT_HANDLE, own)
    for user in (reviewer_user, commune_user):
        assert allowed(user, Perm.REPORT_VIEW, nothing) and allowed(user, Perm.REPORT_VIEW, own)
        assert not allowed(user, Perm.REPORT_HANDLE, own)
    assert allowed(admin_user, Perm.REPORT_HANDLE, nothing)
    assert allowed(admin_user, Perm.REPORT_HANDLE, own)
