"""Everyone is told: in the registry's inbox (unread count on every page) and by mail
through a real SMTP server, sent by the job queue after the act committed."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from registry.extensions import db
from registry.models import MailStatus, Notification, User
from registry.ocop.criteria import CouncilLevel
from registry.ocop.rules import today_vn
from registry.ratings import decisions
from registry.ratings import operations as ops

from .. import factories
from ..helpers import post_form
from ..smtp import body_text, subject

MEMBER_MAIL = "member.a@htx-a.example"


@pytest.fixture
def member(producer_user):
    producer_user.email = MEMBER_MAIL
    db.session.commit()
    return producer_user


@pytest.fixture
def dossier(producer, member):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     gtin="8939999000055")
    cs = ops.current_criteria_set()
    app = ops.create_application(product, product_set=1, requested_stars=4,
                                 self_assessment={c.code: c.max_points * Decimal("0.7")
                                                  for c in cs.criteria})
    db.session.commit()
    return app


def _inbox(user: User) -> list[Notification]:
    return list(db.session.scalars(db.select(Notification).filter_by(user_id=user.id)
                                   .order_by(Notification.id)))


def test_the_decision_reaches_the_producer_by_mail_and_in_the_inbox(
        client, auth, smtp, dossier, member, reviewer_user):
    factories.submit_and_propose(dossier)
    factories.score_by_council(dossier, "0.8", first=reviewer_user)
    auth.login("reviewer")
    response = post_form(client, f"/office/applications/{dossier.id}/approve",
                     f"/office/applications/{dossier.id}", stars="4",
                     decision_number="88/QĐ-UBND", decided_on=today_vn().isoformat(),
                     issuing_body="UBND thành phố Cần Thơ")
    assert response.status_code == 302
    [mail] = smtp.wait_for(MEMBER_MAIL)
    until = (today_vn().replace(year=today_vn().year + 3))
    assert subject(mail) == "Bưởi Năm Roi Kế Thành được công nhận 4 sao"
    text = body_text(mail)
    assert "UBND thành phố Cần Thơ đã ký quyết định 88/QĐ-UBND" in text
    assert f"đạt OCOP 4 sao, hiệu lực đến {until:%d/%m/%Y}" in text
    assert f"https://ocop.test/portal/applications/{dossier.id}" in text
    [note] = [n for n in _inbox(member) if n.kind == "decision.made"]
    assert note.mail_status is MailStatus.SENT and note.read_at is None
    auth.logout()
    auth.login("member.a")
    home = client.get("/portal/").get_data(as_text=True)
    assert 'aria-label="1 chưa đọc">1</span>' in home
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "Bưởi Năm Roi Kế Thành được công nhận 4 sao" in inbox and "đã gửi thư" in inbox
    opened = post_form(client, f"/inbox/{note.id}/open", "/inbox/")
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/portal/applications/{dossier.id}")
    assert "chưa đọc" not in client.get("/portal/").get_data(as_text=True)


def test_an_english_user_gets_english_mail(smtp, dossier, member, reviewer_user):
    member.locale = "en"
    db.session.commit()
    factories.submit_and_propose(dossier)
    factories.score_by_council(dossier, "0.4", first=reviewer_user)
    decisions.reject_application(dossier, actor=reviewer_user, reason="Chỉ đạt 40 điểm")
    db.session.commit()
    [mail] = smtp.wait_for(MEMBER_MAIL)
    assert subject(mail) == "Bưởi Năm Roi Kế Thành not recognised"
    assert "The council did not recognise Bưởi Năm Roi Kế Thành. Reason: Chỉ đạt 40 điểm" \
        in body_text(mail)


def test_a_kind_turned_off_sends_nothing(client, auth, smtp, dossier, member, reviewer_user):
    from registry.notifications.operations import KINDS

    auth.login("member.a")
    names = list(KINDS)
    data = {f"kind_{i}": "y" for i, kind in enumerate(names) if kind != "decision.made"}
    response = post_form(client, "/inbox/settings", "/inbox/settings", locale="vi", **data)
    assert response.status_code == 303
    db.session.refresh(member)
    assert member.notifications_off == ["decision.made"]
    page = client.get("/inbox/settings").get_data(as_text=True)
    index = names.index("decision.made")
    assert f'id="kind_{index}" name="kind_{index}" type="checkbox" value="y">' in page
    factories.submit_and_propose(dossier)
    factories.score_by_council(dossier, "0.8", first=reviewer_user)
    decisions.approve_application(dossier, actor=reviewer_user, level=CouncilLevel.PROVINCE,
                            stars=4, decision_number="9/QĐ", decided_on=today_vn(),
                            issuing_body="UBND")
    db.session.commit()
    assert smtp.wait_for(MEMBER_MAIL, timeout=1) == []
    assert [n for n in _inbox(member) if n.kind == "decision.made"] == []


def test_nothing_is_told_of_an_act_that_was_rolled_back(smtp, dossier, member,
                                                        reviewer_user):
    factories.submit_and_propose(dossier)
    factories.score_by_council(dossier, "0.8", first=reviewer_user)
    decisions.approve_application(dossier, actor=reviewer_user, level=CouncilLevel.PROVINCE,
                            stars=4, decision_number="9/QĐ", decided_on=today_vn(),
                            issuing_body="UBND")
    db.session.rollback()
    assert smtp.wait_for(MEMBER_MAIL, timeout=1) == []
    assert _inbox(member) == []


def test_an_unreachable_smtp_server_fails_the_mail_not_the_decision(
        app, dossier, member, reviewer_user):
    from registry.extensions import mailer

    from ..smtp import free_port

    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
                      MAIL_TIMEOUT=2)
    mailer.init_app(app)
    factories.submit_and_propose(dossier)
    factories.score_by_council(dossier, "0.8", first=reviewer_user)
    decision = decisions.approve_application(dossier, actor=reviewer_user,
                                       level=CouncilLevel.PROVINCE, stars=4,
                                       decision_number="9/QĐ", decided_on=today_vn(),
                                       issuing_body="UBND")
    db.session.commit()
    db.session.expire_all()
    [note] = [n for n in _inbox(member) if n.kind == "decision.made"]
    assert note.mail_status is MailStatus.FAILED and "Connection" in note.mail_error
    assert db.session.get(type(decision), decision.id) is not None


def test_the_commune_officer_is_told_of_a_new_dossier_and_the_producer_of_a_return(
        smtp, producer, dossier, member):
    commune = factories.make_commune("Kế Thành")
    producer.commune = commune
    officer = factories.make_user("xa.kethanh", role="reviewer", council_level="commune",
                                  council_unit=commune, email="xa@ke-thanh.example")
    ops.submit_application(dossier, actor=member)
    db.session.commit()
    [arrived] = smtp.wait_for("xa@ke-thanh.example")
    assert subject(arrived) == "Hồ sơ mới: Bưởi Năm Roi Kế Thành"
    ops.return_application(dossier, actor=officer, level=CouncilLevel.COMMUNE,
                           reason="Thiếu phiếu kiểm nghiệm.")
    db.session.commit()
    [returned] = smtp.wait_for(MEMBER_MAIL)
    assert subject(returned) == "Hồ sơ Bưởi Năm Roi Kế Thành cần bổ sung"
    assert "Lý do: Thiếu phiếu kiểm nghiệm." in body_text(returned)


def test_a_dossier_at_a_commune_without_officer_is_flagged_to_province_and_admin(
        client, auth, producer, dossier, member, admin_user, reviewer_user):
    producer.commune = factories.make_commune("Kế Thành")
    db.session.commit()
    ops.submit_application(dossier, actor=member)
    db.session.commit()
    for user in (admin_user, reviewer_user):
        kinds = [n.kind for n in _inbox(user)]
        assert kinds == ["application.unattended"], user.login
    auth.login("admin")
    page = client.get("/office/").get_data(as_text=True)
    assert "Hồ sơ không có người xử lý (1)" in page and "Giao cho" in page
    officer = factories.make_user("can.bo", role="reviewer", council_level="commune")
    response = post_form(client, f"/office/applications/{dossier.id}/assign", "/office/",
                     officer=str(officer.id))
    assert response.status_code == 303
    db.session.refresh(officer)
    assert officer.council_unit_id == dossier.council_unit_id
    assert [n.kind for n in _inbox(officer)] == ["application.queued"]
    assert "Hồ sơ không có người xử lý" not in client.get("/office/").get_data(as_text=True)
    from registry.models import AuditEntry

    assert db.session.scalar(db.select(AuditEntry).filter_by(action="user.assign",
                                                             object_id=officer.id))


def test_the_chair_is_told_when_every_sheet_is_in(dossier, reviewer_user):
    factories.submit_and_propose(dossier)
    factories.score_by_council(dossier, "0.8", count=2)
    assert "application.scored" not in [n.kind for n in _inbox(reviewer_user)]
    factories.score_by_council(dossier, "0.8", count=3)  # a third member, not the chair
    [scored] = [n for n in _inbox(reviewer_user) if n.kind == "application.scored"]
    assert scored.subject == "Đã chấm đủ phiếu: Bưởi Năm Roi Kế Thành"
    assert "đã nộp đủ 3 phiếu chấm" in scored.body and "điểm trung bình 80,00" in scored.body


def test_producers_are_reminded_90_and_30_days_before_the_end_once_each(
        runner, smtp, producer, member):
    product = factories.make_product(producer, name_vi="Vú sữa tím")
    today = today_vn()
    decision = factories.make_decision(product, date(today.year - 3, today.month, 1))
    # valid_until is 36 months on: pick days so that it ends in 80 days
    decision.valid_until = today + timedelta(days=80)
    db.session.commit()
    for _ in range(2):
        result = runner.invoke(args=["notifications", "expiring"])
        assert result.exit_code == 0, result.output
    mails = smtp.wait_for(MEMBER_MAIL)
    assert len(mails) == 1 and "hết hiệu lực ngày" in mails[0]["Subject"]
    assert "(còn 80 ngày)" in body_text(mails[0])
    later = (today + timedelta(days=55)).isoformat()
    runner.invoke(args=["notifications", "expiring", "--on", later])
    runner.invoke(args=["notifications", "expiring", "--on", later])
    mails = smtp.wait_for(MEMBER_MAIL, count=2)
    assert len(mails) == 2 and "(còn 25 ngày)" in body_text(mails[1])


def test_a_recall_and_a_fake_report_are_told(smtp, producer, member, admin_user):
    from registry.recalls.operations import recall_batch
    from registry.reports.operations import create_report

    admin_user.email = "admin@office.example"
    db.session.commit()
    product = factories.make_product(producer, name_vi="Chà bông bò", gtin="8939999000062")
    batch = factories.make_batch(product, "CB01")
    recall_batch(batch, reason="Nhiễm khuẩn", advice="Ngừng sử dụng", actor=admin_user)
    db.session.commit()
    [recalled] = smtp.wait_for(MEMBER_MAIL)
    assert subject(recalled) == "Lô CB01 của Chà bông bò bị thu hồi"
    assert smtp.to("admin@office.example") == []  # the admin recalled it
    create_report(address="https://ocop.test/01/08939999000062", what_seen="Tem mờ",
                  where_bought="Chợ", phone=None, client=None)
    db.session.commit()
    assert len(smtp.wait_for("admin@office.example")) == 1
    assert len(smtp.wait_for(MEMBER_MAIL, count=2)) == 2


def test_the_inbox_is_private(client, auth, dossier, member, other_producer_user):
    from registry.notifications.operations import notify

    [note] = notify([member], "decision.made", ("A", "A"), ("B", "B"))
    db.session.commit()
    auth.login("member.b")
    assert post_form(client, f"/inbox/{note.id}/open", "/inbox/").status_code == 404
    assert "A</strong>" not in client.get("/inbox/").get_data(as_text=True)


def test_settings_keep_a_mail_address_and_refuse_a_bad_one(client, auth, member):
    auth.login("member.a")
    bad = post_form(client, "/inbox/settings", "/inbox/settings", locale="en", email="không-phải")
    assert bad.status_code == 400 and "Địa chỉ thư không hợp lệ." in bad.get_data(as_text=True)
    db.session.refresh(member)
    assert member.email == MEMBER_MAIL and member.locale == "vi"
    good = post_form(client, "/inbox/settings", "/inbox/settings", locale="en",
                 email="moi@htx-a.example", kind_0="y")
    assert good.status_code == 303
    db.session.refresh(member)
    assert (member.email, member.locale) == ("moi@htx-a.example", "en")


def test_a_revocation_is_told_to_the_producer(smtp, producer, member, reviewer_user):
    product = factories.make_product(producer, name_vi="Nấm linh chi")
    decision = factories.make_decision(product, date(2025, 1, 2), number="2585/QĐ-UBND")
    decisions.revoke_decision(decision, reason="Không còn đạt tiêu chí bắt buộc", on=today_vn(),
                        actor=reviewer_user)
    db.session.commit()
    [mail] = smtp.wait_for(MEMBER_MAIL)
    assert subject(mail) == "Quyết định 2585/QĐ-UBND bị thu hồi"
    assert "Lý do: Không còn đạt tiêu chí bắt buộc" in body_text(mail)


def test_the_embedded_default_writes_mails_to_a_folder(app, tmp_path, dossier, member,
                                                       reviewer_user):
    from registry.extensions import mailer

    folder = tmp_path / "mails"
    app.config.update(MAIL_BACKEND="file", MAIL_FILE_PATH=str(folder))
    mailer.init_app(app)
    factories.submit_and_propose(dossier)
    factories.score_by_council(dossier, "0.8", first=reviewer_user)
    decisions.approve_application(dossier, actor=reviewer_user, level=CouncilLevel.PROVINCE,
                            stars=4, decision_number="9/QĐ", decided_on=today_vn(),
                            issuing_body="UBND")
    db.session.commit()
    written = "".join(p.read_text() for p in folder.iterdir())
    assert f"To: {MEMBER_MAIL}" in written
