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


def test_real_accounts_are_hashed_with_scrypt_whatever_the_configuration(tmp_path):
    """The cheap hash of the tests is a testing switch only: an app that is not testing
    hashes with scrypt even when told otherwise, and a testing app without the setting
    does too."""
    from registry import create_app

    base = {"SECRET_KEY": "x" * 40, "LABEL_SIGNING_KEY": "y" * 40,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'h.sqlite3'}",
            "UPLOAD_FOLDER": str(tmp_path / "u"), "LABEL_FILES_DIR": str(tmp_path / "l"),
            "JOBS_URL": "immediate", "MAIL_BACKEND": "locmem"}
    for config in ({**base, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"},
                   {**base, "TESTING": True}):
        app = create_app(config)
        with app.app_context():
            user = User(login="hash.check", name="Hash", role="admin")
            user.set_password("correct horse battery")
            assert user.password_hash.startswith("scrypt:"), config
            assert user.check_password("correct horse battery")
            db.engine.dispose()


def test_the_tests_hash_cheaply_and_still_check(app_ctx, producer_user):
    assert producer_user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert producer_user.check_password("correct horse battery")
    assert not producer_user.check_password("correct horse batterY")
