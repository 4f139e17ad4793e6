"""EPCIS 2.0 documents of batches, judged by GS1's official EPCIS 2.0 JSON schema with
URI and date-time formats checked (rfc3987, rfc3339-validator): every demo batch, and
a batch with every step, a correction and a product without a GTIN."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from registry.batches import operations as batch_ops
from registry.demo.loader import load_demo
from registry.extensions import db
from registry.labels.links import parse_label_path
from registry.models import AdminUnit, Batch, BizStep, UnitLevel
from registry.public.epcis import CBV_STEPS, epcis_document
from registry.public.scan.addresses import key_path

from .. import factories

BASE = "https://ocop.example.vn"
#: GS1's EPCIS 2.0 JSON schema, as published; shipped in the package (imports check it).
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "registry" / "public" /
                     "epcis-2.0-json-schema.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def _errors(document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in VALIDATOR.iter_errors(document)]


def _document(batch: Batch) -> dict:
    return epcis_document(batch, BASE + key_path(_key(batch)), BASE)


def _key(batch: Batch):
    product = batch.product
    item = f"/01/{product.gtin}" if product.gtin else f"/p/{product.public_token}"
    return parse_label_path(f"{item}/10/{batch.lot_code}")


def test_the_schema_catches_what_it_should():
    """The validator is not a rubber stamp: a bad time, a made-up CBV step and a lot with
    a space in its identifier are each refused."""
    good = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-12-01T01:00:00.000Z",
            "epcisBody": {"eventList": [{
                "type": "ObjectEvent", "eventTime": "2026-12-01T01:00:00.000Z",
                "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "packing",
                "quantityList": [{"epcClass": "https://id.gs1.org/01/08939999000017/10/L1"}]}]}}
    assert _errors(good) == []
    for path, bad in ((("eventTime",), "1/12/2026"), (("bizStep",), "harvesting"),
                      (("quantityList",), [{"epcClass": "https://id.gs1.org/01/1/10/L 1"}]),
                      (("eventTimeZoneOffset",), "+7")):
        broken = json.loads(json.dumps(good))
        broken["epcisBody"]["eventList"][0][path[0]] = bad
        assert _errors(broken), path


def test_every_demo_batch_validates(app_ctx):
    load_demo()
    db.session.commit()
    batches = db.session.scalars(db.select(Batch)).all()
    assert len(batches) >= 5 and sum(len(b.events) for b in batches) >= 9
    for batch in batches:
        document = _document(batch)
        assert _errors(document) == [], batch.lot_code
        assert len(document["epcisBody"]["eventList"]) == len(batch.events)


def test_steps_places_corrections_and_identifiers(app_ctx, producer):
    commune = AdminUnit(level=UnitLevel.COMMUNE, kind="xã", name="An Lạc Tây", code="31717")
    db.session.add(commune)
    product = factories.make_product(producer, gtin="8939999000017")
    batch = factories.make_batch(product, "LC2611.A", origin_commune=commune)
    when = datetime(2026, 11, 20, 6, 30)
    steps = (BizStep.HARVESTING, BizStep.SORTING, BizStep.DRYING, BizStep.PROCESSING,
             BizStep.PACKING, BizStep.SHIPPING)
    events = [batch_ops.add_event(batch, biz_step=step, local_time=when + timedelta(hours=i),
                                  location="Vườn Sáu") for i, step in enumerate(steps)]
    wrong = events[-1]
    fix = batch_ops.add_event(batch, biz_step=BizStep.SHIPPING,
                              local_time=when + timedelta(hours=9), tz_offset="+08:00",
                              note="Sai giờ", corrects=wrong)
    db.session.commit()
    document = _document(batch)
    assert _errors(document) == []
    listed = document["epcisBody"]["eventList"]
    assert len(listed) == 7
    classes = {q["epcClass"] for e in listed for q in e["quantityList"]}
    assert classes == {"https://id.gs1.org/01/08939999000017/10/LC2611.A"}  # a class
    steps = [e["bizStep"] for e in listed]
    assert steps[:4] == [f"{BASE}/voc/bizstep-{s}"
                         for s in ("harvesting", "sorting", "drying", "processing")]
    assert steps[4:] == ["packing", "shipping", "shipping"]
    assert set(CBV_STEPS.values()) <= set(
        SCHEMA["definitions"]["bizStep"]["anyOf"][1]["enum"])
    harvest = listed[0]
    assert harvest["eventTime"] == "2026-11-19T23:30:00.000Z"  # 06:30 at +07:00
    assert harvest["eventTimeZoneOffset"] == "+07:00"
    assert harvest["readPoint"] == harvest["bizLocation"] == {
        "id": f"{BASE}/voc/place/vn-31717"}
    assert "readPoint" not in listed[1] and listed[1]["ocop:location"] == "Vườn Sáu"
    declared = next(e for e in listed if e["eventID"].endswith(f"#event-{wrong.id}"))
    assert declared["errorDeclaration"]["reason"] == "incorrect_data"
    assert declared["errorDeclaration"]["correctiveEventIDs"] == [
        next(e["eventID"] for e in listed if e["eventID"].endswith(f"#event-{fix.id}"))]
    assert listed[-1]["eventTimeZoneOffset"] == "+08:00" and listed[-1]["ocop:note"] == "Sai giờ"


def test_a_product_without_gtin_is_named_by_the_registry_address(app_ctx, producer):
    product = factories.make_product(producer, gtin=None)
    batch = factories.make_batch(product, "KHONG-GTIN")
    batch_ops.add_event(batch, biz_step=BizStep.PACKING, local_time=datetime(2026, 11, 2))
    db.session.commit()
    document = _document(batch)
    assert _errors(document) == []
    (event,) = document["epcisBody"]["eventList"]
    assert event["quantityList"] == [
        {"epcClass": f"{BASE}/p/{product.public_token}/10/KHONG-GTIN"}]


@pytest.mark.parametrize("accept", [None, "application/ld+json"])
def test_the_resolver_serves_it(client, app_ctx, producer, accept):
    product = factories.make_product(producer, gtin="8939999000017")
    batch = factories.make_batch(product, "LC2611A")
    batch_ops.add_event(batch, biz_step=BizStep.PACKING, local_time=datetime(2026, 11, 2))
    db.session.commit()
    headers = {"Accept": accept} if accept else {}
    redirect = client.get("/01/08939999000017/10/LC2611A?linkType=gs1:epcis",
                          headers=headers)
    assert redirect.status_code == 307
    location = urlsplit(redirect.headers["Location"])
    response = client.get(location.path, headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert _errors(response.get_json()) == []
