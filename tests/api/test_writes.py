"""The producer's writes through the API with a personal token: a batch, its events, a
label run and its PDF, each through the portal's operation and permission rule."""
from __future__ import annotations

from datetime import timedelta

import pytest

from registry.api_tokens import operations as tokens
from registry.extensions import db
from registry.labels.links import parse_label_path
from registry.models import Batch, LabelRun, TokenScope, TraceEvent
from registry.ocop.rules import today_vn

from .. import factories
from ..helpers import audit, count
from ..labels.support import decode_pdf

BASE = "https://ocop.test"


def _token(user, scope=TokenScope.WRITE) -> str:
    _made, secret = tokens.create_token(user, name="Phần mềm kho", scope=scope)
    db.session.commit()
    return secret


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def writer(producer_user):
    return _bearer(_token(producer_user))


def test_a_producer_makes_a_batch_two_events_and_24_labels_and_downloads_them(
        client, product, writer):
    token = product.public_token
    factories.make_decision(product, today_vn() - timedelta(days=10), stars=4)
    made = client.post(f"/api/v1/products/{token}/batches", headers=writer, json={
        "lot": "NR2612", "packing_date": today_vn().isoformat(), "quantity": "24",
        "unit": "trái"})
    assert made.status_code == 201, made.get_json()
    batch_url = f"{BASE}/api/v1/products/{token}/batches/NR2612"
    assert made.headers["Location"] == batch_url and made.get_json()["url"] == batch_url
    for when, step in (("2026-11-28T06:30:00+07:00", "harvesting"),
                       ("2026-11-28T14:00:00+07:00", "packing")):
        event = client.post(f"/api/v1/products/{token}/batches/NR2612/events",
                            headers=writer, json={"biz_step": step, "time": when,
                                                  "location": "Vườn Sáu"})
        assert event.status_code == 201, event.get_json()
        assert event.get_json()["time"] == when and event.get_json()["biz_step"] == step
    read = client.get(f"/api/v1/products/{token}/batches/NR2612").get_json()
    assert [e["biz_step"] for e in read["events"]] == ["harvesting", "packing"]

    ordered = client.post(f"/api/v1/products/{token}/batches/NR2612/label-runs",
                          headers=writer, json={"count": 24, "layout": "a4-3x8"})
    assert ordered.status_code == 201, ordered.get_json()
    run = ordered.get_json()
    assert run["count"] == 24 and run["layout"] == "a4-3x8" and run["printed_stars"] == 4
    assert run["batch"] == batch_url and ordered.headers["Location"] == run["url"]
    # the jobs run at once in the tests: the PDF is made
    status = client.get(run["url"].removeprefix(BASE), headers=writer).get_json()
    assert status["file"]["status"] == "done" and status["file"]["pdf"] == run["url"] + \
        "/labels.pdf"
    pdf = client.get(status["file"]["pdf"].removeprefix(BASE), headers=writer)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    codes = decode_pdf(pdf.get_data())
    assert len(codes) == len(set(codes)) == 24
    keys = [parse_label_path(c.removeprefix(BASE)) for c in codes]
    assert {(k.gtin14, k.lot) for k in keys} == {("08939999000055", "NR2612")}
    # every write is the portal's operation: audited, by the token's member
    assert [e.actor.login for e in audit("batch.create")] == ["member.a"]
    assert len(audit("event.add")) == 2 and len(audit("labels.run")) == 1


def test_the_same_order_key_twice_issues_one_run(client, product, writer):
    factories.make_batch(product, "NR2612")
    order = {"count": 3, "layout": "a4-3x8", "order_key": "kho-2026-12-03-0001"}
    url = f"/api/v1/products/{product.public_token}/batches/NR2612/label-runs"
    first = client.post(url, headers=writer, json=order)
    again = client.post(url, headers=writer, json=order)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["key"] == again.get_json()["key"] == "kho-2026-12-03-0001"
    assert count(LabelRun) == 1


def test_another_producers_token_gets_403_and_changes_nothing(
        client, product, other_producer_user):
    factories.make_batch(product, "NR2612")
    other = _bearer(_token(other_producer_user))
    token = product.public_token
    for url, body in ((f"/api/v1/products/{token}/batches", {"lot": "X1"}),
                      (f"/api/v1/products/{token}/batches/NR2612/events",
                       {"biz_step": "packing", "time": "2026-11-28T06:30:00+07:00"}),
                      (f"/api/v1/products/{token}/batches/NR2612/label-runs",
                       {"count": 24, "layout": "a4-3x8"})):
        response = client.post(url, headers=other, json=body)
        assert response.status_code == 403, url
        assert response.mimetype == "application/problem+json"
    assert (count(Batch), count(TraceEvent), count(LabelRun)) == (1, 0, 0)


def test_another_producers_token_cannot_read_my_label_run(
        client, product, writer, other_producer_user):
    factories.make_batch(product, "NR2612")
    run = client.post(f"/api/v1/products/{product.public_token}/batches/NR2612/label-runs",
                      headers=writer, json={"count": 2, "layout": "a4-3x8"}).get_json()
    other = _bearer(_token(other_producer_user))
    path = run["url"].removeprefix(BASE)
    assert client.get(path, headers=other).status_code == 403
    assert client.get(path + "/labels.pdf", headers=other).status_code == 403
    assert client.get(path).status_code == 401  # no token at all


def test_a_revoked_or_unknown_token_gets_401_even_on_a_read(client, product, producer_user):
    secret = _token(producer_user)
    made = db.session.scalar(db.select(tokens.ApiToken))
    tokens.revoke_token(made, actor=producer_user)
    db.session.commit()
    for header in (f"Bearer {secret}", "Bearer ocop_not-a-token", "Basic abc", "Bearer"):
        for method, url in (("post", f"/api/v1/products/{product.public_token}/batches"),
                            ("get", "/api/v1/products")):
            response = getattr(client, method)(url, headers={"Authorization": header},
                                               json={"lot": "X1"})
            assert response.status_code == 401, (header, url)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert response.mimetype == "application/problem+json"
    assert count(Batch) == 0


def test_a_read_token_cannot_write(client, product, producer_user):
    reader = _bearer(_token(producer_user, TokenScope.READ))
    response = client.post(f"/api/v1/products/{product.public_token}/batches",
                           headers=reader, json={"lot": "X1"})
    assert response.status_code == 403 and count(Batch) == 0
    assert client.get("/api/v1/products", headers=reader).status_code == 200


def test_a_session_cookie_never_writes_through_the_api(client, auth, product, producer_user):
    """The API's writes take no CSRF token: a signed-in browser alone must not do them."""
    auth.login("member.a")
    response = client.post(f"/api/v1/products/{product.public_token}/batches",
                           json={"lot": "X1"})
    assert response.status_code == 401 and count(Batch) == 0


def test_refusals_are_the_operations_in_the_requests_language(client, product, writer):
    factories.make_batch(product, "NR2612")
    url = f"/api/v1/products/{product.public_token}/batches"
    taken = client.post(url, headers=writer, json={"lot": "NR2612"})
    assert taken.status_code == 409 and taken.get_json()["detail"] == (
        "Sản phẩm này đã có lô mã “NR2612”.")
    bad = client.post(url, headers=writer, json={"lot": "có dấu"})
    assert bad.status_code == 400 and list(bad.get_json()["errors"]["json"]) == ["lot"]
    future = client.post(url + "/NR2612/events", headers={**writer, "Accept-Language": "en"},
                         json={"biz_step": "packing", "time": "2099-01-01T00:00:00+07:00"})
    assert future.status_code == 400 and "future" in future.get_json()["detail"]
    naive = client.post(url + "/NR2612/events", headers=writer,
                        json={"biz_step": "packing", "time": "2026-11-28T06:30:00"})
    assert naive.status_code == 400 and list(naive.get_json()["errors"]["json"]) == ["time"]
    assert count(TraceEvent) == 0


def test_a_pdf_not_made_yet_is_a_409_with_retry_after(app, client, product, writer):
    factories.make_batch(product, "NR2612")
    app.config["JOBS_URL"] = "none"
    from registry.label_runs import files

    queued = []
    original = files.start
    files.start = queued.append  # a queue nobody works: the file stays queued
    try:
        run = client.post(f"/api/v1/products/{product.public_token}/batches/NR2612/"
                          "label-runs", headers=writer,
                          json={"count": 2, "layout": "a4-3x8"}).get_json()
        pdf = client.get(run["url"].removeprefix(BASE) + "/labels.pdf", headers=writer)
    finally:
        files.start = original
    assert run["file"] == {"status": "queued", "done": 0, "size": None, "pdf": None}
    assert pdf.status_code == 409 and pdf.headers["Retry-After"] == "5"
    assert pdf.mimetype == "application/problem+json" and len(queued) == 1
    assert "Retry-After" not in client.get("/api/v1/products").headers  # only when meant


def test_a_producer_creates_and_updates_a_product(client, producer, writer,
                                                  other_producer_user):
    made = client.post("/api/v1/products", headers=writer, json={
        "name_vi": "  Khô bò Kế Sách ", "group_code": 1, "gtin": "8939999000062"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["name_vi"] == "Khô bò Kế Sách" and body["gtin"] == "08939999000062"
    assert body["producer"]["code"] == "htx-a" and made.headers["Location"] == body["url"]
    assert body["rating"]["state"] == "none" and body["decisions"] == []
    token = body["token"]
    listed = client.get("/api/v1/products?gtin=8939999000062").get_json()
    assert [p["token"] for p in listed["items"]] == [token]
    changed = client.patch(f"/api/v1/products/{token}", headers=writer,
                           json={"name_en": "Ke Sach beef jerky"})
    assert changed.status_code == 200
    assert changed.get_json()["name_en"] == "Ke Sach beef jerky"
    assert changed.get_json()["name_vi"] == "Khô bò Kế Sách"  # the rest stays
    assert [e.action for e in audit("product.update")] == ["product.update"]
    other = _bearer(_token(other_producer_user))
    assert client.patch(f"/api/v1/products/{token}", headers=other,
                        json={"name_vi": "Của tôi"}).status_code == 403
    taken = client.post("/api/v1/products", headers=writer, json={
        "name_vi": "Khô bò 2", "group_code": 1, "gtin": "08939999000062"})
    assert taken.status_code == 400 and taken.get_json()["detail"] == (
        "Mã GTIN này đã được đăng ký cho một sản phẩm khác.")
    wrong = client.post("/api/v1/products", headers=writer, json={
        "name_vi": "Khô bò 3", "group_code": 1, "gtin": "8939999000063"})
    assert wrong.status_code == 400 and "GTIN" in wrong.get_json()["detail"]
    blank = client.patch(f"/api/v1/products/{token}", headers=writer, json={"name_vi": " "})
    assert blank.status_code == 400
    assert client.patch(f"/api/v1/products/{token}", headers=writer).status_code == 400
    from registry.models import Product

    assert count(Product) == 1


def test_a_token_of_a_member_no_longer_active_gets_401(client, product, producer_user):
    secret = _token(producer_user)
    producer_user.active = False
    db.session.commit()
    response = client.get("/api/v1/products", headers=_bearer(secret))
    assert response.status_code == 401
