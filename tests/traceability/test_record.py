"""A batch's Circular 02/2024 record: in the API, on the batch page and on the label
order page (a status that never blocks the order)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from registry.batches import operations as batch_ops
from registry.extensions import db
from registry.models import AdminUnit, BizStep, Certification, CertificationKind, UnitLevel
from registry.ocop.rules import today_vn

from .. import factories
from ..helpers import post_form

BASE = "https://ocop.test"


def _card(page: str) -> str:
    card = re.search(r'<section class="card" id="circular".*?</section>', page, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", card).split())


@pytest.fixture
def bare(product):
    return factories.make_batch(product, "NR2611")


@pytest.fixture
def complete(product):
    commune = AdminUnit(level=UnitLevel.COMMUNE, kind="xã", name="Kế Thành", code="31729")
    db.session.add(commune)
    product.producer.commune = commune
    db.session.add(Certification(producer=product.producer, kind=CertificationKind.VIETGAP,
                                 issuer="Cục Trồng trọt", number="VG-1",
                                 issued_on=date(2025, 1, 1)))
    batch = factories.make_batch(product, "NR2612", expiry_date=today_vn() + timedelta(30))
    batch_ops.add_event(batch, biz_step=BizStep.PACKING, local_time=datetime(2026, 11, 20, 7),
                        commune=commune)
    db.session.commit()
    from ..products.support import photo_of

    photo_of(product.id, product.producer_id)
    return batch


def test_the_api_maps_one_to_one_onto_the_ten_items(client, bare):
    url = f"/api/v1/products/{bare.product.public_token}/batches/NR2611/traceability"
    response = client.get(url)
    body = response.get_json()
    assert response.status_code == 200 and response.headers["ETag"]
    assert body["circular"] == "02/2024/TT-BKHCN"
    assert body["batch"] == f"{BASE}/api/v1/products/{bare.product.public_token}/batches/NR2611"
    assert [i["number"] for i in body["items"]] == list(range(1, 11))
    assert [i["key"] for i in body["items"]] == [
        "name", "images", "producer", "address", "stages", "event_times", "trace_code",
        "brand", "shelf_life", "standards"]
    assert body["missing"] == [2, 4, 5, 6, 10]
    states = {i["key"]: i["state"] for i in body["items"]}
    assert states["brand"] == "held"  # the GTIN is the symbol code
    assert states["shelf_life"] == "not_applicable"
    assert body["items"][0]["value"] == "Bưởi Năm Roi Kế Thành"
    assert body["items"][6]["value"] == f"{BASE}/01/08939999000055/10/NR2611"


def test_a_complete_batch_holds_every_item(client, complete):
    url = f"/api/v1/products/{complete.product.public_token}/batches/NR2612/traceability"
    body = client.get(url).get_json()
    assert body["missing"] == [], [i for i in body["items"] if i["state"] == "missing"]
    stage = body["items"][4]["value"][0]
    assert stage["location_code"] == f"{BASE}/voc/place/vn-31729"
    assert stage["product_code"] == "https://id.gs1.org/01/08939999000055/10/NR2612"
    assert body["items"][9]["value"] == ["VietGAP VG-1 (Cục Trồng trọt)"]


def test_the_batch_page_and_the_order_page_show_the_checklist(client, auth, bare,
                                                              producer_user):
    auth.login("member.a")
    for url in (f"/portal/batches/{bare.id}", f"/portal/batches/{bare.id}/labels"):
        card = _card(client.get(url).get_data(as_text=True))
        assert card.startswith("Dữ liệu truy xuất theo Thông tư 02/2024/TT-BKHCN Lô còn "
                               "thiếu 5 trong 10 mục dữ liệu"), url
        assert "Vẫn in tem được." in card
        for n, state in ((1, "có"), (2, "thiếu"), (8, "có"),
                         (9, "không có (không bắt buộc)")):
            assert re.search(rf"\b{n}\. [^:]+: {re.escape(state)}(?!\w)", card), (url, n)
        assert card.count(": thiếu") == 5 and "Chưa ghi công đoạn nào." in card
    # the order goes through all the same
    page = client.get(f"/portal/batches/{bare.id}/labels").get_data(as_text=True)
    token = re.search(r'name="order_token"[^>]*value="([^"]+)"', page).group(1)
    placed = post_form(client, f"/portal/batches/{bare.id}/labels", count="3",
                       layout="a4-3x8", ecc="M", offset_x_mm="0", offset_y_mm="0",
                       start_position="1", order_token=token)
    assert placed.status_code == 303


def test_a_complete_batch_says_so(client, auth, complete, producer_user):
    auth.login("member.a")
    card = _card(client.get(f"/portal/batches/{complete.id}").get_data(as_text=True))
    assert "Lô có đủ 10 mục dữ liệu mà thông tư yêu cầu." in card
    assert "thiếu" not in card


def test_the_event_form_records_the_commune_as_the_location_code(client, auth, bare,
                                                                 producer_user):
    commune = AdminUnit(level=UnitLevel.COMMUNE, kind="xã", name="Phong Nẫm", code="31732")
    db.session.add(commune)
    db.session.commit()
    auth.login("member.a")
    url = f"/portal/batches/{bare.id}"
    done = post_form(client, url, biz_step="packing", local_time="2026-11-20T07:00",
                     tz_offset="+07:00", location="Nhà sơ chế", commune=str(commune.id))
    assert done.status_code == 302
    db.session.expire_all()
    event = db.session.get(type(bare), bare.id).events[0]
    assert event.commune.code == "31732"
