"""EPCIS 2.0 documents into a batch's events: what the export writes comes back as the
same events; a document with any problem adds nothing and says where the problems are."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from registry.api_tokens import operations as tokens
from registry.batches import operations as batch_ops
from registry.batches.epcis_import import ImportRefused, import_events
from registry.demo.loader import load_demo
from registry.extensions import db
from registry.models import AdminUnit, Batch, TokenScope, TraceEvent, UnitLevel
from registry.public.epcis import epcis_document
from registry.public.scan.addresses import key_path

from .. import factories
from ..helpers import audit, count
from ..public.test_epcis import _errors, _key

BASE = "https://ocop.test"  # the tests' PUBLIC_BASE_URL


def _export(batch: Batch) -> dict:
    db.session.expire_all()
    return epcis_document(db.session.get(Batch, batch.id), BASE + key_path(_key(batch)), BASE)


def _comparable(document: dict) -> list[dict]:
    """The events without what a new registry record changes (ids, declaration times);
    a correction is named by the position of the correcting event."""
    events = copy.deepcopy(document["epcisBody"]["eventList"])
    ids = [e.pop("eventID") for e in events]
    for e in events:
        declared = e.get("errorDeclaration")
        if declared:
            declared.pop("declarationTime")
            declared["correctiveEventIDs"] = [ids.index(i) for i in
                                              declared["correctiveEventIDs"]]
    return events


def _empty(batch: Batch) -> None:
    """The batch as another registry holds it before the import: no events."""
    db.session.execute(sa.update(TraceEvent).where(TraceEvent.batch_id == batch.id)
                       .values(corrects_id=None))
    db.session.execute(sa.delete(TraceEvent).where(TraceEvent.batch_id == batch.id))
    db.session.commit()
    db.session.expire_all()


def _round_trip(batch: Batch) -> tuple[dict, dict]:
    before = _export(batch)
    _empty(batch)
    batch = db.session.get(Batch, batch.id)
    import_events(batch, before, base=BASE, actor=None)
    db.session.commit()
    return before, _export(batch)


def test_every_demo_batch_imports_back_to_the_same_events(app_ctx):
    load_demo()
    db.session.commit()
    batches = db.session.scalars(sa.select(Batch).order_by(Batch.id)).all()
    assert sum(len(b.events) for b in batches) >= 9
    for batch in batches:
        if not batch.events:
            continue
        before, after = _round_trip(batch)
        assert _errors(after) == [], batch.lot_code
        assert _comparable(after) == _comparable(before), batch.lot_code


@pytest.fixture
def traced(producer):
    """A batch with every step, a place, two offsets and a corrected event."""
    commune = AdminUnit(level=UnitLevel.COMMUNE, kind="xã", name="An Lạc Tây", code="31717")
    db.session.add(commune)
    product = factories.make_product(producer, gtin="8939999000017")
    batch = factories.make_batch(product, "LC2611.A", origin_commune=commune)
    when = datetime(2026, 11, 20, 6, 30)
    events = [batch_ops.add_event(batch, biz_step=step, local_time=when + timedelta(hours=i),
                                  location="Vườn Sáu", note=f"Bước {i}")
              for i, step in enumerate(batch_ops.OFFERED_STEPS)]
    events[3].commune = commune
    batch_ops.add_event(batch, biz_step=events[-1].biz_step,
                        local_time=when + timedelta(hours=20), tz_offset="+08:00",
                        note="Sai giờ", corrects=events[-1])
    db.session.commit()
    return batch


def test_steps_places_offsets_and_corrections_come_back(traced):
    before, after = _round_trip(traced)
    assert _comparable(after) == _comparable(before)
    batch = db.session.get(Batch, traced.id)
    assert len(batch.events) == len(batch_ops.OFFERED_STEPS) + 1
    corrected = [e for e in batch.events if e.corrected_by is not None]
    assert len(corrected) == 1 and corrected[0].corrected_by.note == "Sai giờ"
    assert corrected[0].corrected_by.tz_offset == "+08:00"
    assert batch.events[3].commune.code == "31717"
    assert len(audit("batch.epcis_import")) == 1


def _document_for(batch: Batch) -> dict:
    document = _export(batch)
    _empty(batch)
    return document


def _refused(batch: Batch, document: dict) -> ImportRefused:
    batch = db.session.get(Batch, batch.id)
    with pytest.raises(ImportRefused) as caught:
        import_events(batch, document, base=BASE)
    db.session.rollback()
    assert count(TraceEvent) == 0, "nothing is half imported"
    return caught.value


def test_events_of_another_lot_refuse_the_whole_document(traced):
    document = _document_for(traced)
    document["epcisBody"]["eventList"][2]["quantityList"][0]["epcClass"] = \
        "https://id.gs1.org/01/08939999000017/10/KHAC"
    refused = _refused(traced, document)
    assert refused.message == "Không nhập sự kiện nào: tài liệu có 1 lỗi."
    assert refused.problems == [
        "Sự kiện 3: không nói về lô LC2611.A "
        "(https://id.gs1.org/01/08939999000017/10/LC2611.A)."]


def test_each_problem_is_named_by_its_event(traced):
    document = _document_for(traced)
    listed = document["epcisBody"]["eventList"]
    listed[0]["bizStep"] = "dispensing"  # a CBV step the registry does not record
    listed[1]["quantityList"][0]["epcClass"] = "https://id.gs1.org/01/08939999000017/10/B"
    listed[3]["errorDeclaration"] = {"declarationTime": "2026-11-21T00:00:00.000Z",
                                     "correctiveEventIDs": ["https://ocop.test/khong-co"]}
    refused = _refused(traced, document)
    assert refused.message == "Không nhập sự kiện nào: tài liệu có 3 lỗi."
    assert refused.problems == [
        "Sự kiện 1: bước “dispensing” không có trong danh sách của hệ thống.",
        "Sự kiện 2: không nói về lô LC2611.A "
        "(https://id.gs1.org/01/08939999000017/10/LC2611.A).",
        "Sự kiện 4: sự kiện đính chính https://ocop.test/khong-co không có trong tài liệu."]


def test_a_future_time_refuses_the_import(traced):
    document = _document_for(traced)
    document["epcisBody"]["eventList"][2]["eventTime"] = "2099-01-01T00:00:00.000Z"
    batch = db.session.get(Batch, traced.id)
    with pytest.raises(Exception) as caught:
        import_events(batch, document, base=BASE)
    db.session.rollback()
    assert "tương lai" in caught.value.message and count(TraceEvent) == 0


def test_a_document_that_breaks_the_schema_is_refused_with_its_paths(traced):
    document = _document_for(traced)
    del document["epcisBody"]["eventList"][0]["eventTime"]
    refused = _refused(traced, document)
    assert refused.message == "Tài liệu không đúng lược đồ EPCIS 2.0."
    assert refused.problems and all(p.startswith("/") for p in refused.problems)
    assert any("epcisBody/eventList/0" in p for p in refused.problems)


def test_importing_the_same_document_twice_adds_nothing_the_second_time(traced):
    document = _document_for(traced)
    batch = db.session.get(Batch, traced.id)
    import_events(batch, document, base=BASE)
    db.session.commit()
    added = count(TraceEvent)
    with pytest.raises(ImportRefused) as caught:
        import_events(db.session.get(Batch, traced.id), document, base=BASE)
    db.session.rollback()
    assert count(TraceEvent) == added
    assert "đã có trong lô" in caught.value.problems[0]


def test_the_api_imports_for_the_batchs_own_producer_only(client, traced, producer_user,
                                                          other_producer_user):
    document = _document_for(traced)
    url = f"/api/v1/products/{traced.product.public_token}/batches/LC2611.A/epcis"
    mine = {"Authorization": "Bearer " + tokens.create_token(
        producer_user, name="kho", scope=TokenScope.WRITE)[1]}
    theirs = {"Authorization": "Bearer " + tokens.create_token(
        other_producer_user, name="kho", scope=TokenScope.WRITE)[1]}
    db.session.commit()
    assert client.post(url, headers=theirs, json=document).status_code == 403
    bad = copy.deepcopy(document)
    bad["epcisBody"]["eventList"][0]["bizStep"] = "dispensing"
    refused = client.post(url, headers=mine, json=bad)
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["errors"]["document"] == [
        "Sự kiện 1: bước “dispensing” không có trong danh sách của hệ thống."]
    assert client.post(url, headers=mine, data="{not json",
                       content_type="application/ld+json").status_code == 400
    assert count(TraceEvent) == 0
    done = client.post(url, headers=mine, data=__import__("json").dumps(document),
                       content_type="application/ld+json")
    assert done.status_code == 201 and len(done.get_json()) == len(
        document["epcisBody"]["eventList"])
    assert client.get(url).get_json()["epcisBody"]["eventList"][0]["bizStep"] == \
        document["epcisBody"]["eventList"][0]["bizStep"]
