"""Logins resist guessing: failed attempts are limited per account and per client
(429 with Retry-After), unknown names cost the same work as known ones, failures are
audited."""
from __future__ import annotations

import time

from registry.extensions import db
from registry.models import AuditEntry, User

from ..conftest import PASSWORD, csrf_token


def _try(client, login, password, **environ):
    page = client.get("/login", **environ)
    return client.post("/login", data={"login": login, "password": password,
                                       "csrf_token": csrf_token(page.get_data(as_text=True))},
                       **environ)


def test_twenty_wrong_passwords_then_429_even_for_the_right_one(client, producer_user):
    for i in range(20):
        assert _try(client, "member.a", f"wrong {i}").status_code == 400, i
    blocked = _try(client, "member.a", PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "quá nhiều lần" in blocked.get_data(as_text=True)
    assert "Đăng xuất" not in client.get("/").get_data(as_text=True)


def test_the_account_limit_holds_across_client_addresses(client, producer_user):
    for i in range(20):
        _try(client, "Member.A ", f"wrong {i}",
             environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"})
    assert _try(client, "member.a", PASSWORD,
                environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 429


def test_one_client_guessing_many_accounts_is_limited(app, client, producer_user):
    app.config["LOGIN_RATE_LIMIT_CLIENT"] = "5 per hour"
    for i in range(5):
        assert _try(client, f"user{i}", "x").status_code == 400
    assert _try(client, "member.a", PASSWORD).status_code == 429
    other = _try(client, "member.a", PASSWORD, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 302  # another client is not held up


def test_right_passwords_never_count(client, auth, producer_user):
    for _ in range(25):
        assert auth.login("member.a").status_code == 302
        auth.logout()


def test_failed_logins_are_audited_without_the_client_address(client, producer_user):
    _try(client, "member.a", "wrong")
    _try(client, "nobody\x00", "wrong")  # (the input guard strips the NUL)
    entries = db.session.scalars(db.select(AuditEntry).filter_by(
        action="user.login_failed").order_by(AuditEntry.id)).all()
    assert [e.summary for e in entries] == [
        "Đăng nhập không thành công vào tài khoản member.a",
        "Đăng nhập không thành công vào tài khoản nobody (không có trong sổ)"]
    assert entries[0].object_id == producer_user.id
    assert "127.0.0.1" not in str(entries[0].details) and len(entries[0].details["client"]) == 32


def test_unknown_names_take_as_long_as_known_ones(client, producer_user):
    """The median of several tries: a dummy hash is checked for unknown names."""
    def median(login):
        times = []
        for _ in range(5):
            page = client.get("/login")
            token = csrf_token(page.get_data(as_text=True))
            started = time.perf_counter()
            client.post("/login", data={"login": login, "password": "wrong",
                                        "csrf_token": token})
            times.append(time.perf_counter() - started)
        return sorted(times)[2]

    known, unknown = median("member.a"), median("nobody")
    assert unknown > known * 0.5 and known > unknown * 0.5, (known, unknown)
    assert db.session.scalar(db.select(User.id).filter_by(login="nobody")) is None
