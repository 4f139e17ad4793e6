"""A batch's trace events as an EPCIS 2.0 JSON-LD document.

The document validates against GS1's EPCIS 2.0 JSON schema (``tests/data``, checked by
``tests/public/test_epcis.py`` with URI and date-time formats enforced):

* the batch is a class of trade items, named in EPCIS's GS1 Digital Link form
  ``https://id.gs1.org/01/{GTIN-14}/10/{lot}`` (a class: a lot, never a serial); a
  product without a GTIN is named by the registry's own address of the batch;
* business steps are CBV 2.0 words where CBV has one (commissioning, inspecting,
  packing, storing, shipping, receiving); harvesting, sorting, drying and processing,
  which CBV 2.0 lacks, are terms of the registry's own vocabulary, ``{base}/voc/...``
  (EPCIS allows such URIs outside the CBV namespace);
* every time is UTC with its ``eventTimeZoneOffset`` (where the event happened);
* the commune an event happened in (or, for the harvest, the batch's commune of
  origin) is its ``readPoint`` and ``bizLocation``, named by its statistics office code
  in the registry's vocabulary; the place as the producer wrote it is ``ocop:location``;
* a corrected event stays in the list with an ``errorDeclaration`` naming the event
  that corrects it, so it reads as corrected, not as deleted.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from ..models import Batch, BizStep, EventType, TraceEvent

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
GS1_DL = "https://id.gs1.org"
#: CBV 2.0 business steps for the registry's steps that have one.
CBV_STEPS = {BizStep.COMMISSIONING: "commissioning", BizStep.INSPECTING: "inspecting",
             BizStep.PACKING: "packing", BizStep.STORING: "storing",
             BizStep.SHIPPING: "shipping", BizStep.RECEIVING: "receiving"}


def vocabulary(base: str) -> str:
    """The namespace of the registry's own EPCIS terms (``ocop:``)."""
    return f"{base}/voc/"


def class_uri(batch: Batch, base: str) -> str:
    """The batch as an EPCIS class identifier (a lot of a GTIN, or the registry's own
    address of the batch for a product without a GTIN)."""
    lot = quote(batch.lot_code, safe="")
    if batch.product.gtin:
        return f"{GS1_DL}/01/{batch.product.gtin}/10/{lot}"
    return f"{base}/p/{quote(batch.product.public_token, safe='')}/10/{lot}"


def biz_step(step: BizStep, base: str) -> str:
    return CBV_STEPS.get(step) or f"{vocabulary(base)}bizstep-{step.value}"


def _time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def place_uri(event: TraceEvent, batch: Batch, base: str) -> str | None:
    unit = event.commune
    if unit is None and event.biz_step is BizStep.HARVESTING:
        unit = batch.origin_commune
    if unit is None or not unit.code:
        return None
    return f"{vocabulary(base)}place/vn-{unit.code}"


def event_id(batch_uri: str, event: TraceEvent) -> str:
    return f"{batch_uri}#event-{event.id}"


def epcis_document(batch: Batch, batch_uri: str, base: str | None = None) -> dict:
    """The EPCIS document of ``batch``; ``batch_uri`` is the registry's address of the
    batch (event ids are made from it), ``base`` the registry's root address."""
    base = base if base is not None else batch_uri.split("/01/")[0].split("/p/")[0]
    epc_class = class_uri(batch, base)
    events = []
    for event in batch.events:
        body = {
            "type": event.event_type.value,
            "eventID": event_id(batch_uri, event),
            "eventTime": _time(event.event_time),
            "eventTimeZoneOffset": event.tz_offset,
            "action": "ADD" if event.biz_step is BizStep.COMMISSIONING
            or event.event_type is not EventType.OBJECT else "OBSERVE",
            "bizStep": biz_step(event.biz_step, base),
            "quantityList": [{"epcClass": epc_class}],
        }
        if event.disposition:
            body["disposition"] = event.disposition
        place = place_uri(event, batch, base)
        if place is not None:
            body["readPoint"] = {"id": place}
            body["bizLocation"] = {"id": place}
        if event.location:
            body["ocop:location"] = event.location
        if event.note:
            body["ocop:note"] = event.note
        if event.corrected_by is not None:  # kept, but declared wrong
            fix = event.corrected_by
            body["errorDeclaration"] = {
                "declarationTime": _time(fix.created_at),
                "reason": "incorrect_data",
                "correctiveEventIDs": [event_id(batch_uri, fix)]}
        events.append(body)
    return {
        "@context": [CONTEXT, {"ocop": vocabulary(base)}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(batch.created_at),
        "epcisBody": {"eventList": events},
    }
