"""Sessions end at logout: copied session and remember cookies stop working; cookies are
HttpOnly, SameSite=Lax, Secure behind https; the CSRF token changes at login."""
from __future__ import annotations

import re

import pytest

from registry import create_app

from .. import factories
from ..conftest import PASSWORD, AuthActions, csrf_token


@pytest.fixture
def member(app):
    """A producer member, created in an app context of its own: the requests below then
    each run in their own context, as they do in production (a shared context would
    keep the loaded user in ``g`` from one request to the next)."""
    with app.app_context():
        producer = factories.make_producer(code="htx-a", name="HTX Bưởi A")
        factories.make_user("member.a", role="producer", producer=producer,
                            is_manager=True)


def _login(client, remember=False):
    page = client.get("/login")
    data = {"login": "member.a", "password": PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True))}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_a_session_cookie_copied_before_logout_is_refused_after(app, client, member):
    auth = AuthActions(client)
    assert _login(client).status_code == 302
    copied = _cookie(client, "session")
    early = app.test_client()
    early.set_cookie("session", copied)
    assert early.get("/portal/").status_code == 200  # the copy works while the user is in
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/portal/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_cookie_copied_before_logout_is_refused_after(app, client, member):
    auth = AuthActions(client)
    response = _login(client, remember=True)
    header = [h for h in response.headers.getlist("Set-Cookie")
              if h.startswith("remember_token=")][0]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    from datetime import datetime, timezone
    from email.utils import parsedate_to_datetime

    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    days = (expires - datetime.now(timezone.utc)).total_seconds() / 86400
    assert 29.9 < days <= 30
    copied = _cookie(client, "remember_token")
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert thief.get("/portal/").status_code == 200  # it works while the user is in
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert thief.get("/portal/").status_code == 302


def test_the_csrf_token_changes_at_login(client, member):
    before = csrf_token(client.get("/login").get_data(as_text=True))
    _login(client)
    after = csrf_token(client.get("/").get_data(as_text=True))
    assert before != after


def test_cookies_are_secure_when_the_registry_is_served_over_https(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s" * 40,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "PUBLIC_BASE_URL": "https://ocop.example.vn"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    plain = create_app({"TESTING": True, "SECRET_KEY": "s" * 40,
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'y.sqlite3'}",
                        "PUBLIC_BASE_URL": "http://192.168.1.20:5000"})
    assert plain.config["SESSION_COOKIE_SECURE"] is False
