"""A member's personal API tokens in the portal: made and shown once, listed by their
first characters, revoked; nobody else's; audited."""
from __future__ import annotations

import re

from registry.extensions import db
from registry.models import ApiToken, TokenScope

from ..helpers import audit, count, page_token, post_form, post_in_session

URL = "/portal/api-tokens/"


def _secret(html: str) -> str | None:
    match = re.search(r'<code class="secret">(ocop_[A-Za-z0-9_-]+)</code>', html)
    return match.group(1) if match else None


def test_a_member_makes_a_token_sees_it_once_and_it_works(client, auth, producer_user):
    auth.login("member.a")
    empty = client.get(URL)
    page = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "Bạn chưa tạo khoá nào." in page
    assert empty.headers["Cache-Control"] == "no-store" and _secret(page) is None
    made = post_form(client, URL, name="Phần mềm kho", scope="write")
    html = made.get_data(as_text=True)
    secret = _secret(html)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    assert secret and len(secret) == 48
    assert "đây là lần duy nhất nó được hiển thị" in html and "Khoá mới “Phần mềm kho”" in html
    token = db.session.scalar(db.select(ApiToken))
    assert token.prefix == secret[:12] and secret not in (token.token_hash, token.prefix)
    assert token.scope is TokenScope.WRITE and token.user_id == producer_user.id
    later = client.get(URL).get_data(as_text=True)
    assert secret not in later and f"{secret[:12]}…" in later and "chưa dùng lần nào" in later
    assert "Đọc và ghi" in later and "Thu hồi khoá này" in later
    [entry] = audit("api_token.create")
    assert entry.actor_id == producer_user.id and secret not in str(entry.details)
    fresh = client.application.test_client()  # a program, no cookie
    assert fresh.get("/api/v1/products", headers={
        "Authorization": f"Bearer {secret}"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_a_member_revokes_a_token_and_it_stops_working(client, auth, producer_user):
    auth.login("member.a")
    secret = _secret(post_form(client, URL, name="Kho", scope="read").get_data(as_text=True))
    token = db.session.scalar(db.select(ApiToken))
    done = post_form(client, f"{URL}{token.id}/revoke", page=URL)
    assert done.status_code == 302 and done.location.endswith(URL)
    page = client.get(URL).get_data(as_text=True)
    assert "Đã thu hồi khoá “Kho”" in page and "Đã thu hồi " in page
    assert "Thu hồi khoá này" not in page
    assert len(audit("api_token.revoke")) == 1
    fresh = client.application.test_client()
    assert fresh.get("/api/v1/products", headers={
        "Authorization": f"Bearer {secret}"}).status_code == 401
    again = post_form(client, f"{URL}{token.id}/revoke", page=URL)
    assert again.status_code == 303 and len(audit("api_token.revoke")) == 1


def test_a_token_needs_a_name(client, auth, producer_user):
    auth.login("member.a")
    for name in ("", "   ", "x" * 81):
        response = post_form(client, URL, name=name, scope="write")
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and _secret(page) is None, name
        assert "Chưa tạo: hãy sửa các ô có thông báo lỗi bên dưới." in page
    assert count(ApiToken) == 0


def test_nobody_revokes_another_members_token(client, auth, producer_user,
                                              other_producer_user):
    auth.login("member.a")
    post_form(client, URL, name="Kho hàng Sáu", scope="write")
    token = db.session.scalar(db.select(ApiToken))
    auth.logout()
    auth.login("member.b")
    assert "Kho hàng Sáu" not in client.get(URL).get_data(as_text=True)
    refused = post_in_session(client, f"{URL}{token.id}/revoke")
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_only_producers_members_hold_tokens(client, auth, reviewer_user, admin_user):
    assert client.get(URL).status_code == 302  # to the login page
    for login in ("reviewer", "admin"):
        auth.login(login)
        assert client.get(URL).status_code == 403, login
        token = page_token(client, "/")
        assert client.post(URL, data={"csrf_token": token, "name": "x",
                                      "scope": "write"}).status_code == 403, login
        auth.logout()
    assert count(ApiToken) == 0


def test_the_command_line_makes_a_token(runner, producer_user):
    result = runner.invoke(args=["api-token", "create", "member.a", "--name", "CI",
                                 "--scope", "write"])
    assert result.exit_code == 0 and result.output.startswith("ocop_")
    token = db.session.scalar(db.select(ApiToken))
    assert token.scope is TokenScope.WRITE and token.name == "CI"
    unknown = runner.invoke(args=["api-token", "create", "nobody", "--name", "CI"])
    assert unknown.exit_code == 2 and "no account" in unknown.output
