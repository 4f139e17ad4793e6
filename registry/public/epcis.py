"""A batch's trace events as an EPCIS 2.0 JSON-LD document."""
from __future__ import annotations

from ..models import Batch, BizStep, EventType

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CBV_STEP = {BizStep.PROCESSING: "transforming", BizStep.SORTING: "sorting"}


def epcis_document(batch: Batch, batch_uri: str) -> dict:
    events = []
    for event in batch.events:
        local = event.event_time  # stored in UTC; the offset says where it happened
        body = {
            "type": event.event_type.value,
            "eventID": f"{batch_uri}#event-{event.id}",
            "eventTime": local.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "eventTimeZoneOffset": event.tz_offset,
            "bizStep": CBV_STEP.get(event.biz_step, event.biz_step.value),
            "action": "OBSERVE" if event.event_type is EventType.OBJECT else "ADD",
            "quantityList": [{"epcClass": batch_uri}],
        }
        if event.location:
            body["readPoint"] = {"id": f"{batch_uri}#location-{event.id}"}
            body["ocop:location"] = event.location
        if event.note:
            body["ocop:note"] = event.note
        if event.corrected_by is not None:  # kept, but declared wrong
            fix = event.corrected_by
            body["errorDeclaration"] = {
                "declarationTime": fix.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "reason": "incorrect_data",
                "correctiveEventIDs": [f"{batch_uri}#event-{fix.id}"]}
        events.append(body)
    return {
        "@context": [CONTEXT, {"ocop": "https://ocop.registry/voc/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": batch.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "epcisBody": {"eventList": events},
    }
