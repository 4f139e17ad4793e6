"""The public reads of the JSON API: what each answer says for each state of the data,
checked whole (every key), against the same rules the public pages follow."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from registry.batches import operations as batch_ops
from registry.extensions import db, limiter
from registry.models import BizStep, ProductStatus
from registry.ocop.rules import today_vn
from registry.public.catalogue import Filters, find_products
from registry.ratings.decisions import revoke_decision
from registry.recalls.operations import recall_batch

from .. import factories

BASE = "https://ocop.test"
TODAY = today_vn()


def _get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.get_json()


def _no_database_ids(value, where="") -> list[str]:
    """Keys named id, or ending in _id, anywhere in an answer."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" or key.endswith("_id"):
                found.append(f"{where}.{key}")
            found += _no_database_ids(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _no_database_ids(item, f"{where}[{i}]")
    return found


@pytest.fixture
def rated(product):
    """The pomelo with a valid 4-star decision, a batch with two events (the second
    corrects the first) and a certification for all the producer's products."""
    decision = factories.make_decision(product, TODAY - timedelta(days=30), stars=4,
                                       points="72.5", number="12/QĐ-UBND")
    batch = factories.make_batch(product, "NR2611", packing_date=TODAY - timedelta(days=2),
                                 quantity=800, unit="kg")
    wrong = batch_ops.add_event(batch, biz_step=BizStep.PACKING,
                                local_time=datetime(2026, 11, 20, 7, 0), location="Vườn Sáu")
    batch_ops.add_event(batch, biz_step=BizStep.PACKING,
                        local_time=datetime(2026, 11, 20, 9, 30), location="Vườn Sáu",
                        note="Sửa giờ", corrects=wrong)
    db.session.commit()
    return product, decision, batch


def test_the_openapi_document_is_3_1_and_lists_every_read(client):
    response, spec = _get(client, "/api/openapi.json")
    assert response.status_code == 200 and spec["openapi"] == "3.1.0"
    reads = {path for path, item in spec["paths"].items() if "get" in item}
    assert reads == {
        "/api/v1/products", "/api/v1/products/{token}",
        "/api/v1/products/{token}/batches/{lot}",
        "/api/v1/products/{token}/batches/{lot}/epcis",
        "/api/v1/producers", "/api/v1/producers/{code}", "/api/v1/decisions",
        "/api/v1/recalls", "/api/v1/label-runs/{key}", "/api/v1/label-runs/{key}/labels.pdf",
        "/api/v1/products/{token}/batches/{lot}/traceability",
        "/api/v1/products/{token}/passport"}
    for path, item in spec["paths"].items():
        for method in ("get", "post"):
            if method in item:
                responses = item[method]["responses"]
                assert "default" in responses and "422" not in responses, (method, path)
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_the_docs_page_describes_every_operation_without_script(client):
    response = client.get("/api/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    spec = client.get("/api/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method in ("get", "post"):
            if method in item:
                assert f"{method.upper()} {path}</code>" in page, (method, path)
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page, name
    assert "<script" not in page and 'href="/api/openapi.json"' in page
    assert "API dữ liệu mở" in page and "RFC 9457" in page


def test_a_product_is_described_whole(client, rated):
    product, decision, batch = rated
    response, body = _get(client, f"/api/v1/products/{product.public_token}")
    assert response.status_code == 200 and response.headers["ETag"]
    token = product.public_token
    assert body == {
        "token": token, "gtin": "08939999000055",
        "name_vi": "Bưởi Năm Roi Kế Thành", "name_en": None,
        "group": {"code": 1, "name_vi": "Thực phẩm", "name_en": "Food"},
        "producer": {"code": "htx-a", "name": "HTX Bưởi A", "kind": "cooperative",
                     "url": f"{BASE}/api/v1/producers/htx-a"},
        "rating": {"state": "valid", "stars": 4, "valid_until": decision.valid_until.isoformat(),
                   "decision": "12/QĐ-UBND", "pending": False},
        "page": f"{BASE}/page/01/08939999000055",
        "url": f"{BASE}/api/v1/products/{token}",
        "subgroup": None, "description_vi": None, "description_en": None,
        "decisions": [{
            "number": "12/QĐ-UBND", "stars": 4, "points": "72.50",
            "issuing_body": "UBND tỉnh Sóc Trăng", "issuing_level": "province",
            "decided_on": decision.decided_on.isoformat(),
            "valid_until": decision.valid_until.isoformat(), "revoked_on": None,
            "revocation_reason": None, "status": "valid"}],
        "certifications": [],
        "batches": [{
            "lot": "NR2611", "status": "open", "harvest_date": None, "production_date": None,
            "packing_date": (TODAY - timedelta(days=2)).isoformat(), "expiry_date": None,
            "recalled": False, "url": f"{BASE}/api/v1/products/{token}/batches/NR2611"}],
    }


def test_a_revoked_rating_shows_no_stars_and_says_why(client, rated):
    product, decision, _batch = rated
    revoke_decision(decision, reason="Không còn đạt tiêu chí", on=TODAY, actor_label="test")
    db.session.commit()
    _response, body = _get(client, f"/api/v1/products/{product.public_token}")
    assert body["rating"] == {"state": "revoked", "stars": None,
                              "valid_until": decision.valid_until.isoformat(),
                              "decision": "12/QĐ-UBND", "pending": False}
    assert body["decisions"][0]["status"] == "revoked"
    assert body["decisions"][0]["revoked_on"] == TODAY.isoformat()
    assert body["decisions"][0]["revocation_reason"] == "Không còn đạt tiêu chí"
    # the star filter agrees: a revoked product is not among the 4-star products
    _response, listing = _get(client, "/api/v1/products?stars=4")
    assert listing["total"] == 0 and listing["items"] == []


def test_an_expired_rating_shows_no_stars(client, product):
    factories.make_decision(product, date(2020, 1, 1), stars=3, points="60", number="1/QĐ-UBND")
    _response, body = _get(client, f"/api/v1/products/{product.public_token}")
    assert body["rating"]["state"] == "expired" and body["rating"]["stars"] is None
    assert body["decisions"][0]["status"] == "expired"


def test_a_batch_has_its_events_corrections_and_recall(client, rated):
    product, _decision, batch = rated
    recall_batch(batch, reason="Nấm mốc", advice="Đổi lại tại cửa hàng", actor_label="test")
    db.session.commit()
    token = product.public_token
    response, body = _get(client, f"/api/v1/products/{token}/batches/NR2611")
    assert response.status_code == 200
    assert body["events"] == [
        {"type": "ObjectEvent", "biz_step": "packing", "biz_step_label": "Đóng gói",
         "time": "2026-11-20T07:00:00+07:00", "location": "Vườn Sáu", "commune": None,
         "disposition": None, "note": None, "corrected": True},
        {"type": "ObjectEvent", "biz_step": "packing", "biz_step_label": "Đóng gói",
         "time": "2026-11-20T09:30:00+07:00", "location": "Vườn Sáu", "commune": None,
         "disposition": None, "note": "Sửa giờ", "corrected": False}]
    url = f"{BASE}/api/v1/products/{token}/batches/NR2611"
    recall = {"product": token, "lot": "NR2611", "reason": "Nấm mốc",
              "advice": "Đổi lại tại cửa hàng", "recalled_on": TODAY.isoformat(),
              "lifted": False, "batch": url}
    assert body["recalls"] == [recall] and body["recalled"] is True
    assert body["quantity"] == "800.000" and body["unit"] == "kg"
    assert body["epcis"] == url + "/epcis" and body["url"] == url
    assert body["product"]["token"] == token and body["product"]["rating"]["stars"] == 4
    _response, recalls = _get(client, "/api/v1/recalls")
    assert recalls == {"items": [recall], "page": 1, "per_page": 20, "pages": 1, "total": 1}


def test_the_batch_epcis_is_the_resolvers_document(client, rated):
    product, _decision, _batch = rated
    response, api = _get(client, f"/api/v1/products/{product.public_token}/batches/NR2611/epcis")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    redirect = client.get("/01/08939999000055/10/NR2611?linkType=gs1:epcis")
    assert redirect.status_code in (302, 307) and redirect.location.startswith(BASE)
    resolver = client.get(redirect.location.removeprefix(BASE)).get_json()
    for document in (api, resolver):
        document.pop("creationDate")
    assert api == resolver and len(api["epcisBody"]["eventList"]) == 2
    etag = response.headers["ETag"]
    assert client.get(f"/api/v1/products/{product.public_token}/batches/NR2611/epcis",
                      headers={"If-None-Match": etag}).status_code == 304


def test_the_product_list_counts_as_the_catalogue_does(client, demo):
    _response, body = _get(client, "/api/v1/products?per_page=100")
    catalogue = find_products(Filters(), 1, 100, TODAY)
    assert body["total"] == catalogue.total >= 8
    assert [p["token"] for p in body["items"]] == [p.public_token for p in catalogue.items]
    for stars in (3, 4, 5):
        _response, listed = _get(client, f"/api/v1/products?stars={stars}&per_page=100")
        expected = find_products(Filters(stars=stars), 1, 100, TODAY)
        assert listed["total"] == expected.total, stars
        assert all(p["rating"]["stars"] == stars for p in listed["items"]), stars
    _response, found = _get(client, "/api/v1/products?q=buoi%20nam%20roi")
    assert found["total"] >= 1 and all("Năm Roi" in p["name_vi"] for p in found["items"])
    assert _no_database_ids(body) == []


def test_pages_of_a_list(client, demo):
    _response, first = _get(client, "/api/v1/products?per_page=3")
    _response, second = _get(client, "/api/v1/products?per_page=3&page=2")
    _response, past = _get(client, "/api/v1/products?per_page=3&page=999")
    total = first["total"]
    assert first["pages"] == second["pages"] == -(-total // 3)
    assert len(first["items"]) == 3 and not {p["token"] for p in first["items"]} & {
        p["token"] for p in second["items"]}
    assert past["items"] == [] and past["total"] == total


def test_a_product_by_gtin_in_any_length(client, product):
    for gtin in ("8939999000055", "08939999000055"):
        _response, body = _get(client, f"/api/v1/products?gtin={gtin}")
        assert [p["token"] for p in body["items"]] == [product.public_token], gtin
    _response, body = _get(client, "/api/v1/products?gtin=8939999000056")  # bad check digit
    assert body["total"] == 0


def test_archived_products_and_their_batches_are_not_public(client, rated):
    product, _decision, _batch = rated
    token = product.public_token
    product.status = ProductStatus.ARCHIVED
    db.session.commit()
    for url in (f"/api/v1/products/{token}", f"/api/v1/products/{token}/batches/NR2611",
                f"/api/v1/products/{token}/batches/NR2611/epcis", "/api/v1/producers/htx-a"):
        response, body = _get(client, url)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
        assert body == {"type": "about:blank", "status": 404, "instance": url,
                        "title": "Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."}
    for url in ("/api/v1/products", "/api/v1/decisions", "/api/v1/producers"):
        assert _get(client, url)[1]["total"] == 0, url


def test_a_producer_with_its_products_and_certifications(client, rated):
    from registry.models import Certification, CertificationKind

    product, _decision, _batch = rated
    db.session.add(Certification(producer=product.producer, kind=CertificationKind.VIETGAP,
                                 issuer="Cục Trồng trọt", number="VG-1",
                                 issued_on=date(2020, 1, 1), expires_on=date(2023, 1, 1)))
    db.session.commit()
    _response, body = _get(client, "/api/v1/producers/htx-a")
    certification = {"kind": "vietgap", "kind_label": "VietGAP", "issuer": "Cục Trồng trọt",
                     "number": "VG-1", "scope": None, "issued_on": "2020-01-01",
                     "expires_on": "2023-01-01", "withdrawn_on": None, "status": "expired",
                     "product": None}
    assert body["certifications"] == [certification]
    assert [p["token"] for p in body["products"]] == [product.public_token]
    assert {k: body[k] for k in ("code", "name", "kind", "address", "commune")} == {
        "code": "htx-a", "name": "HTX Bưởi A", "kind": "cooperative", "address": None,
        "commune": None}
    _response, detail = _get(client, f"/api/v1/products/{product.public_token}")
    assert detail["certifications"] == [certification]


def test_decisions_in_force_and_past(client, rated, other_producer):
    _product, decision, _batch = rated
    old = factories.make_product(other_producer, name_vi="Xoài cát")
    factories.make_decision(old, date(2019, 5, 1), stars=3, number="9/QĐ-UBND")
    numbers = {status: [d["number"] for d in _get(
        client, f"/api/v1/decisions?status={status}")[1]["items"]]
        for status in ("valid", "past", "all")}
    assert numbers == {"valid": ["12/QĐ-UBND"], "past": ["9/QĐ-UBND"],
                       "all": ["12/QĐ-UBND", "9/QĐ-UBND"]}


@pytest.mark.parametrize("query, parameter", [
    ("stars=2", "stars"), ("stars=abc", "stars"), ("group=99", "group"),
    ("page=0", "page"), ("per_page=1000", "per_page"), ("gtin=12ab", "gtin"),
    ("q=" + "x" * 101, "q")])
def test_a_wrong_parameter_is_a_400_problem_naming_it(client, query, parameter):
    response, body = _get(client, f"/api/v1/products?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert body["title"] == "Yêu cầu không hợp lệ." and list(body["errors"]["query"]) == [
        parameter]
    english = client.get(f"/api/v1/products?{query}", headers={"Accept-Language": "en"})
    assert english.status_code == 400 and english.get_json()["title"] == "The request is not valid."


def test_an_unknown_path_and_a_wrong_method_are_problems(client):
    response, body = _get(client, "/api/v1/nothing-here")
    assert response.status_code == 404 and body["status"] == 404
    response = client.delete("/api/v1/products")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_an_unchanged_answer_is_a_304_and_a_change_gives_a_new_etag(client, rated):
    product, decision, _batch = rated
    url = f"/api/v1/products/{product.public_token}"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    revoke_decision(decision, reason="Vi phạm", on=TODAY, actor_label="test")
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_too_many_calls_get_a_429_problem_with_retry_after(app, client):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        statuses = [client.get("/api/v1/products").status_code for _ in range(4)]
        refused = client.get("/api/v1/producers")
    finally:
        app.config.pop("API_RATE_LIMIT")
        limiter.reset()
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert "quá nhiều lần" in refused.get_json()["title"]


def test_control_characters_in_the_query_are_refused_not_stripped(client):
    """A page strips them and shows what was meant; the API tells the program."""
    response, body = _get(client, "/api/v1/products?commune=12%19345")
    assert response.status_code == 400 and body["detail"] == "Tham số chứa ký tự điều khiển."
    assert client.get("/?q=bu%19oi").status_code == 200
