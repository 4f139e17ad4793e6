"""The digital product passport (Decree 37/2026): offered by the resolver for a product
with a GTIN, schema.org JSON-LD, and what it lacks listed, never invented."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from registry.batches import operations as batch_ops
from registry.extensions import db
from registry.models import BizStep, Certification, CertificationKind
from registry.ocop.rules import today_vn

from .. import factories

BASE = "https://ocop.test"
GTIN = "08939999000055"


def test_the_resolver_offers_the_passport_for_a_product_with_a_gtin(client, product):
    linkset = client.get(f"/01/{GTIN}?linkType=linkset").get_json()
    [entry] = linkset["linkset"]
    url = f"{BASE}/api/v1/products/{product.public_token}/passport"
    assert entry["https://gs1.org/voc/dpp"] == [{
        "href": url, "type": "application/ld+json",
        "title": "Hộ chiếu số sản phẩm Bưởi Năm Roi Kế Thành (Nghị định 37/2026)"}]
    redirect = client.get(f"/01/{GTIN}?linkType=gs1:dpp")
    assert redirect.status_code == 307 and redirect.headers["Location"] == url


def test_a_product_without_a_gtin_has_no_passport(client, producer):
    plain = factories.make_product(producer, name_vi="Khô bò", gtin=None)
    linkset = client.get(f"/p/{plain.public_token}?linkType=linkset").get_json()
    assert "https://gs1.org/voc/dpp" not in linkset["linkset"][0]
    assert client.get(f"/api/v1/products/{plain.public_token}/passport").status_code == 404


def test_a_bare_product_lists_what_it_lacks(client, product):
    response = client.get(f"/api/v1/products/{product.public_token}/passport")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    doc = response.get_json()
    assert doc == {
        "@context": {"@vocab": "https://schema.org/", "gs1": "https://ref.gs1.org/voc/",
                     "ocop": f"{BASE}/voc/"},
        "@type": "Product", "@id": f"{BASE}/01/{GTIN}", "name": "Bưởi Năm Roi Kế Thành",
        "gtin": GTIN, "manufacturer": {"@type": "Organization", "name": "HTX Bưởi A"},
        "url": f"{BASE}/page/01/{GTIN}", "ocop:decree": "37/2026/NĐ-CP",
        "ocop:missing": [
            "producer's address",
            "producer's identifier (business or cooperative registration number)",
            "origin or last processing place",
            "traceability information (batches with trace events)",
            "conformity and quality certificates", "production and expiry dates (on a batch)",
            "safety warnings"]}


def test_a_full_product_lacks_only_what_the_registry_never_records(client, product):
    product.producer.registration_number = "1801234567"
    product.producer.address_line = "Ấp An Phú"
    db.session.add(Certification(producer=product.producer, product=product,
                                 kind=CertificationKind.VIETGAP, issuer="Cục Trồng trọt",
                                 number="VG-1", issued_on=date(2025, 1, 1),
                                 expires_on=today_vn() + timedelta(days=300)))
    factories.make_decision(product, today_vn() - timedelta(days=10), stars=4,
                            number="7/QĐ-UBND")
    batch = factories.make_batch(product, "NR2612", packing_date=date(2026, 11, 20),
                                 expiry_date=date(2026, 12, 31))
    batch_ops.add_event(batch, biz_step=BizStep.PACKING, local_time=datetime(2026, 11, 20, 7))
    db.session.commit()
    url = f"/api/v1/products/{product.public_token}/passport"
    first = client.get(url)
    doc = first.get_json()
    assert doc["ocop:missing"] == ["safety warnings"]
    assert doc["manufacturer"] == {"@type": "Organization", "name": "HTX Bưởi A",
                                   "address": "Ấp An Phú", "identifier": "1801234567"}
    assert doc["hasCertification"] == [{
        "@type": "Certification", "name": "VietGAP", "certificationIdentification": "VG-1",
        "issuedBy": {"@type": "Organization", "name": "Cục Trồng trọt"},
        "validFrom": "2025-01-01", "expires": (today_vn() + timedelta(days=300)).isoformat(),
        "certificationStatus": "valid"}]
    assert doc["award"].startswith("OCOP 4 sao, quyết định 7/QĐ-UBND")
    api = f"{BASE}/api/v1/products/{product.public_token}"
    assert doc["ocop:batches"] == [{
        "@type": "SomeProducts", "@id": f"{BASE}/01/{GTIN}/10/NR2612", "ocop:lot": "NR2612",
        "ocop:traceability": f"{api}/batches/NR2612", "ocop:epcis": f"{api}/batches/NR2612/epcis",
        "ocop:events": 1, "productionDate": "2026-11-20", "ocop:expiryDate": "2026-12-31"}]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
