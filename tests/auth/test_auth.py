"""Logging in and out, as a user would through the form."""
from registry.extensions import db
from registry.models import User


def test_login_form_sets_the_session_and_greets_the_user(client, auth, producer_user):
    response = auth.login("member.a")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Member.A" in page and "Đăng xuất" in page
    assert db.session.get(User, producer_user.id).last_login_at is not None


def test_wrong_password_gets_a_clear_message_and_400(client, auth, producer_user):
    response = auth.login("member.a", "not the password")
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    # the login typed is kept in the form
    assert 'value="member.a"' in response.get_data(as_text=True)


def test_unknown_login_gets_the_same_message(client, auth):
    response = auth.login("nobody")
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, producer_user):
    response = client.post("/login", data={"login": "member.a",
                                           "password": "correct horse battery"})
    assert response.status_code == 400
    assert "Phiên biểu mẫu" in response.get_data(as_text=True)
    assert "Đăng xuất" not in client.get("/").get_data(as_text=True)


def test_deactivated_account_cannot_log_in(client, auth, producer_user):
    producer_user.active = False
    db.session.commit()
    assert auth.login("member.a").status_code == 400


def test_logout_needs_post_with_csrf(client, auth, producer_user):
    auth.login("member.a")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert auth.logout().status_code == 302
    assert "Đăng nhập" in client.get("/").get_data(as_text=True)


def test_login_never_redirects_to_another_host(client, producer_user):
    from tests.conftest import csrf_token

    page = client.get("/login?next=https://evil.example/")
    response = client.post("/login?next=https://evil.example/", data={
        "login": "member.a", "password": "correct horse battery",
        "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_changing_the_password_ends_other_sessions(client, auth, producer_user):
    auth.login("member.a")
    producer_user.set_password("a brand new password")
    db.session.commit()
    # The fixtures hold one app context for the whole test, so ``g`` outlives a request
    # here; in a server every request starts with an empty ``g``.
    from flask import g

    g.pop("_login_user", None)
    assert "Đăng xuất" not in client.get("/").get_data(as_text=True)
