"""Producers and their members: the office registers, managers add and remove members,
members keep the profile; nobody reaches another producer's records."""
from __future__ import annotations

from datetime import date

import pytest

from registry.extensions import db
from registry.models import (
    AdminUnit,
    Producer,
    ProducerKind,
    Role,
    UnitLevel,
    User,
)

from .. import factories
from ..helpers import audit, post_in_session
from .support import snapshot

NEW_PASSWORD = "mat-khau-du-dai-2026"


# ------------------------------------------------------------------------- helpers



def _profile(**overrides) -> dict:
    data = {"kind": "cooperative", "registration_number": "2201234567",
            "address_line": "ấp Kế Thành", "commune_id": "", "contact_name": "Trần Văn Ba",
            "phone": "0299 3 876 543", "email": "htx@example.vn"}
    data.update(overrides)
    return data


def _registration(commune=None, **overrides) -> dict:
    data = _profile(commune_id=str(commune.id) if commune else "", name="HTX Mãng cầu Đại Hải",
                    member_login="htx.daihai", member_name="Lê Thị Tư",
                    member_password=NEW_PASSWORD)
    data.update(overrides)
    return data


@pytest.fixture
def commune(app_ctx):
    return factories.make_commune("Đại Hải")


@pytest.fixture
def plain_member(producer):
    """A member of ``producer`` who is not its manager."""
    return factories.make_user("member.a2", role="producer", producer=producer)


@pytest.fixture
def other_manager(other_producer):
    return factories.make_user("manager.b", role="producer", producer=other_producer,
                               is_manager=True)


# ------------------------------------------------------------------------- registration

def test_the_office_registers_a_producer_with_its_first_member_who_can_log_in(
        client, auth, admin_user, commune):
    auth.login("admin")
    assert client.get("/portal/producers/new").status_code == 200
    response = post_in_session(client, "/portal/producers/new", _registration(commune))
    assert response.status_code == 302
    producer = db.session.scalar(db.select(Producer).filter_by(name="HTX Mãng cầu Đại Hải"))
    assert producer.kind is ProducerKind.COOPERATIVE
    assert producer.registration_number == "2201234567"
    assert producer.commune_id == commune.id and producer.address_line == "ấp Kế Thành"
    assert (producer.contact_name, producer.phone, producer.email) == (
        "Trần Văn Ba", "0299 3 876 543", "htx@example.vn")
    assert producer.code == "htx-mang-cau-dai-hai"
    member = db.session.scalar(db.select(User).filter_by(login="htx.daihai"))
    assert member.role is Role.PRODUCER and member.producer_id == producer.id
    assert member.is_manager and member.active and member.name == "Lê Thị Tư"
    [register] = audit("producer.register")
    assert register.object_id == producer.id and register.actor_id == admin_user.id
    assert [e.object_id for e in audit("user.create") if e.actor_id == admin_user.id] == [
        member.id]
    # the new manager logs in and finds the producer's pages
    auth.logout()
    assert auth.login("htx.daihai", NEW_PASSWORD).status_code == 302
    page = client.get("/portal/producer")
    assert page.status_code == 200 and "HTX Mãng cầu Đại Hải" in page.get_data(as_text=True)
    members = client.get("/portal/producer/members").get_data(as_text=True)
    assert "Thêm thành viên" in members


def test_a_login_already_taken_creates_nothing(client, auth, admin_user, commune,
                                               producer_user):
    auth.login("admin")
    before = snapshot()
    response = post_in_session(client, "/portal/producers/new", _registration(
        commune, member_login="member.a"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Tên đăng nhập “member.a” đã có người dùng." in html
    assert "HTX Mãng cầu Đại Hải" in html and "2201234567" in html  # typed values kept
    assert snapshot() == before
    assert db.session.scalar(db.select(Producer).filter_by(name="HTX Mãng cầu Đại Hải")) is None


@pytest.mark.parametrize("overrides, message", [
    ({"member_password": "ngan"}, "Mật khẩu phải có từ 10 đến 200 ký tự."),
    ({"name": "  "}, "Nhập tên chủ thể."),
    ({"kind": "bank"}, "Chọn loại hình chủ thể."),
    ({"member_login": "lê thị"}, "Tên đăng nhập chỉ gồm chữ cái không dấu"),
    ({"email": "khong-phai-email"}, "Địa chỉ email không hợp lệ."),
    ({"commune_id": "abc"}, "Chọn một xã, phường, thị trấn trong danh sách."),
])
def test_bad_registration_input_re_shows_the_form_in_vietnamese(
        client, auth, admin_user, commune, overrides, message):
    auth.login("admin")
    before = snapshot()
    response = post_in_session(client, "/portal/producers/new", _registration(commune, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="Trần Văn Ba"' in html
    assert snapshot() == before


def test_a_registration_number_already_registered_is_refused_clearly(
        client, auth, admin_user, commune, producer):
    producer.registration_number = "2201234567"
    db.session.commit()
    auth.login("admin")
    before = snapshot()
    response = post_in_session(client, "/portal/producers/new", _registration(commune))
    assert response.status_code == 409
    assert "Mã số “2201234567” đã được đăng ký cho chủ thể “HTX Bưởi A”" in response.get_data(
        as_text=True)
    assert snapshot() == before


def test_the_office_lists_producers_and_edits_one(client, auth, admin_user, producer,
                                                  other_producer, commune):
    auth.login("admin")
    page = client.get("/portal/producers").get_data(as_text=True)
    assert "HTX Bưởi A" in page and "HTX Cam B" in page
    assert client.get("/portal/producer").headers["Location"].endswith("/portal/producers")
    response = post_in_session(client, f"/portal/producers/{producer.id}/edit",
                     _profile(name="HTX Bưởi A Kế Thành", commune_id=str(commune.id)))
    assert response.status_code == 302
    db.session.expire_all()
    assert producer.name == "HTX Bưởi A Kế Thành" and producer.commune_id == commune.id
    [entry] = audit("producer.update")
    assert entry.details["name"] == {"before": "HTX Bưởi A", "after": "HTX Bưởi A Kế Thành"}


# ------------------------------------------------------------------------- profile

def test_a_member_edits_the_producers_profile(client, auth, producer, plain_member, commune):
    auth.login("member.a2")  # any member, not only the manager
    page = client.get("/portal/producer").get_data(as_text=True)
    assert commune.address_line in page  # communes offered with their full address
    response = post_in_session(client, "/portal/producer", _profile(
        kind="enterprise", commune_id=str(commune.id), name="Renamed"))
    assert response.status_code == 302
    db.session.expire_all()
    assert producer.kind is ProducerKind.ENTERPRISE
    assert producer.registration_number == "2201234567" and producer.commune_id == commune.id
    assert producer.name == "HTX Bưởi A"  # the name is the office's to change
    [entry] = audit("producer.update")
    assert entry.actor_id == plain_member.id and entry.object_id == producer.id
    assert entry.details["kind"] == {"before": "cooperative", "after": "enterprise"}
    assert entry.details["commune"]["after"] == commune.address_line
    # saving again without a change writes no entry
    assert post_in_session(client, "/portal/producer", _profile(
        kind="enterprise", commune_id=str(commune.id))).status_code == 302
    assert len(audit("producer.update")) == 1


def test_the_recorded_commune_stays_selectable_after_a_merger(client, auth, producer,
                                                               producer_user, commune):
    old = factories.make_commune("Xuân Hoà")
    old.abolished_on = date(2025, 7, 1)
    producer.commune = old
    db.session.commit()
    auth.login("member.a")
    page = client.get("/portal/producer").get_data(as_text=True)
    assert f'<option selected value="{old.id}">' in page
    assert "(đã sáp nhập)" in page
    answer = post_in_session(client, "/portal/producer", _profile(commune_id=str(old.id)))
    assert answer.status_code == 302
    db.session.expire_all()
    assert producer.commune_id == old.id


def test_a_registration_number_taken_by_another_producer_is_a_clear_message(
        client, auth, producer, producer_user, other_producer):
    other_producer.registration_number = "1800999888"
    db.session.commit()
    auth.login("member.a")
    before = snapshot()
    response = post_in_session(client, "/portal/producer",
                               _profile(registration_number="1800999888"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Mã số “1800999888” đã được đăng ký cho chủ thể “HTX Cam B”" in html
    assert 'value="1800999888"' in html and 'value="Trần Văn Ba"' in html
    assert snapshot() == before


def test_a_number_taken_at_the_same_moment_is_a_message_not_a_500(
        client, auth, producer, producer_user, other_producer, monkeypatch):
    from registry.producers import operations as producer_ops
    other_producer.registration_number = "1800999888"
    db.session.commit()
    # the check passed in this request, then another request took the number
    monkeypatch.setattr(producer_ops, "_check_registration_number", lambda *args: None)
    auth.login("member.a")
    before = snapshot()
    response = post_in_session(client, "/portal/producer",
                               _profile(registration_number="1800999888"))
    assert response.status_code == 409
    assert "vừa được dùng cho chủ thể khác" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_commune_that_is_not_offered_is_a_form_error(client, auth, producer, producer_user,
                                                       commune):
    district = db.session.scalar(db.select(AdminUnit).where(
        AdminUnit.level == UnitLevel.DISTRICT))
    auth.login("member.a")
    before = snapshot()
    for bad in (str(district.id), "999999", "x"):
        response = post_in_session(client, "/portal/producer", _profile(commune_id=bad))
        assert response.status_code == 400
        assert "Chọn một xã, phường, thị trấn trong danh sách." in response.get_data(
            as_text=True)
    assert snapshot() == before


# ------------------------------------------------------------------------- members

def test_a_manager_adds_a_member_who_can_log_in(client, auth, producer, producer_user):
    auth.login("member.a")
    response = post_in_session(client, "/portal/producer/members", {
        "login": "thu.kho", "name": "Nguyễn Văn Kho", "password": NEW_PASSWORD})
    assert response.status_code == 302
    member = db.session.scalar(db.select(User).filter_by(login="thu.kho"))
    assert member.producer_id == producer.id and member.role is Role.PRODUCER
    assert not member.is_manager
    [entry] = [e for e in audit("user.create") if e.object_id == member.id]
    assert entry.actor_id == producer_user.id
    auth.logout()
    auth.login("thu.kho", NEW_PASSWORD)
    assert client.get("/portal/producer").status_code == 200


def test_adding_a_member_with_a_taken_login_or_short_password_changes_nothing(
        client, auth, producer, producer_user, other_producer_user):
    auth.login("member.a")
    before = snapshot()
    taken = post_in_session(client, "/portal/producer/members", {
        "login": "member.b", "name": "Ai đó", "password": NEW_PASSWORD})
    assert taken.status_code == 400
    assert "Tên đăng nhập “member.b” đã có người dùng." in taken.get_data(as_text=True)
    short = post_in_session(client, "/portal/producer/members", {
        "login": "moi", "name": "Người mới", "password": "123"})
    assert short.status_code == 400
    html = short.get_data(as_text=True)
    assert "Mật khẩu phải có từ 10 đến 200 ký tự." in html and 'value="Người mới"' in html
    assert NEW_PASSWORD not in html and 'value="123"' not in html  # passwords never echoed
    assert snapshot() == before


def test_a_manager_removes_another_member_who_is_kept_but_cannot_log_in(
        client, auth, producer, producer_user, plain_member):
    auth.login("member.a")
    response = post_in_session(client, f"/portal/producer/members/{plain_member.id}/deactivate")
    assert response.status_code == 302
    db.session.expire_all()
    member = db.session.get(User, plain_member.id)
    assert member is not None and member.active is False
    [entry] = audit("user.deactivate")
    assert entry.actor_id == producer_user.id and entry.object_id == member.id
    page = client.get("/portal/producer/members").get_data(as_text=True)
    assert "Đã gỡ" in page
    # removing again is refused
    again = post_in_session(client, f"/portal/producer/members/{plain_member.id}/deactivate")
    assert again.status_code == 409
    auth.logout()
    assert auth.login("member.a2").status_code == 400  # the account is switched off


def test_a_manager_cannot_remove_themself(client, auth, producer, producer_user, plain_member):
    auth.login("member.a")
    before = snapshot()
    response = post_in_session(client, f"/portal/producer/members/{producer_user.id}/deactivate")
    assert response.status_code == 403
    assert "Bạn không thể tự gỡ tài khoản của chính mình." in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_office_cannot_remove_a_producers_only_manager(client, auth, admin_user,
                                                           producer, producer_user):
    auth.login("admin")
    before = snapshot()
    response = post_in_session(client, f"/portal/producer/members/{producer_user.id}/deactivate")
    assert response.status_code == 409
    assert "người quản lý duy nhất" in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_office_manages_any_producers_members(client, auth, admin_user, producer,
                                                   producer_user, plain_member):
    auth.login("admin")
    assert "member.a2" in client.get(f"/portal/producers/{producer.id}/members").get_data(
        as_text=True)
    assert post_in_session(client, f"/portal/producers/{producer.id}/members", {
        "login": "ke.toan", "name": "Kế toán", "password": NEW_PASSWORD}).status_code == 302
    assert db.session.scalar(db.select(User).filter_by(login="ke.toan")).producer_id == \
        producer.id
    assert post_in_session(client, f"/portal/producer/members/{plain_member.id}/deactivate"
                 ).status_code == 302


def test_a_member_who_is_not_the_manager_cannot_add_or_remove_members(
        client, auth, producer, producer_user, plain_member):
    auth.login("member.a2")
    page = client.get("/portal/producer/members")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "member.a" in html and "Gỡ khỏi chủ thể" not in html
    assert 'name="password"' not in html
    before = snapshot()
    assert post_in_session(client, "/portal/producer/members", {
        "login": "khach", "name": "Khách", "password": NEW_PASSWORD}).status_code == 403
    assert post_in_session(client, f"/portal/producer/members/{producer_user.id}/deactivate"
                 ).status_code == 403
    assert snapshot() == before


def test_a_non_producer_account_is_not_a_member_to_remove(client, auth, admin_user,
                                                           reviewer_user, producer_user):
    auth.login("admin")
    assert post_in_session(client, f"/portal/producer/members/{reviewer_user.id}/deactivate"
                 ).status_code == 404
    assert post_in_session(client, "/portal/producer/members/999999/deactivate").status_code == 404


# ------------------------------------------------------------------------- refusals

def _routes(producer, member):
    """Every route of this module, aimed at ``producer`` (A) and its member."""
    return [
        ("GET", f"/portal/producers/{producer.id}/edit", None),
        ("POST", f"/portal/producers/{producer.id}/edit", _profile(name="Hijacked")),
        ("GET", f"/portal/producers/{producer.id}/members", None),
        ("POST", f"/portal/producers/{producer.id}/members",
         {"login": "intruder", "name": "Intruder", "password": NEW_PASSWORD}),
        ("POST", f"/portal/producer/members/{member.id}/deactivate", {}),
        ("GET", "/portal/producers", None),
        ("GET", "/portal/producers/new", None),
        ("POST", "/portal/producers/new", _registration(member_login="intruder")),
    ]


ROUTE_IDS = ["edit-get", "edit-post", "members-get", "members-add", "deactivate",
             "producers", "new-get", "new-post"]


@pytest.mark.parametrize("index", range(len(ROUTE_IDS)), ids=ROUTE_IDS)
@pytest.mark.parametrize("login", ["member.b", "manager.b"])
def test_another_producers_member_is_refused_and_nothing_changes(
        client, auth, producer, producer_user, plain_member, other_producer_user,
        other_manager, login, index):
    auth.login(login)
    method, url, data = _routes(producer, plain_member)[index]
    before = snapshot()
    response = client.get(url) if method == "GET" else post_in_session(client, url, data)
    assert response.status_code in (403, 404)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["reviewer", None])
def test_reviewers_and_anonymous_visitors_are_refused(client, auth, producer, producer_user,
                                                      plain_member, reviewer_user, who):
    if who:
        auth.login(who)
    routes = _routes(producer, plain_member) + [
        ("GET", "/portal/producer", None), ("POST", "/portal/producer", _profile()),
        ("GET", "/portal/producer/members", None),
        ("POST", "/portal/producer/members",
         {"login": "intruder", "name": "Intruder", "password": NEW_PASSWORD})]
    before = snapshot()
    for method, url, data in routes:
        response = client.get(url) if method == "GET" else post_in_session(client, url, data)
        if who:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302, url
            assert "/login" in response.headers["Location"]
    assert snapshot() == before


def test_own_producer_routes_act_on_the_callers_producer_only(
        client, auth, producer, producer_user, other_producer, other_manager):
    auth.login("manager.b")
    page = client.get("/portal/producer").get_data(as_text=True)
    assert "HTX Cam B" in page and "HTX Bưởi A" not in page
    assert "member.a" not in client.get("/portal/producer/members").get_data(as_text=True)
    # a producer id smuggled into the form is ignored: the profile is the caller's own
    assert post_in_session(client, "/portal/producer", _profile(
        registration_number="3300111222", producer_id=str(producer.id),
        id=str(producer.id))).status_code == 302
    db.session.expire_all()
    assert other_producer.registration_number == "3300111222"
    assert producer.registration_number is None
    assert post_in_session(client, "/portal/producer/members", {
        "login": "ban.hang", "name": "Bán hàng", "password": NEW_PASSWORD,
        "producer_id": str(producer.id)}).status_code == 302
    assert db.session.scalar(db.select(User).filter_by(login="ban.hang")).producer_id == \
        other_producer.id

