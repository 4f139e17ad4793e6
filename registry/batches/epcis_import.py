"""EPCIS 2.0 documents into a batch's trace events: all of them, or none.

A document is checked whole before anything is written:

* against GS1's EPCIS 2.0 JSON schema (shipped in the package, ``public/``);
* every event is an ``ObjectEvent`` about this batch: its ``quantityList`` or
  ``epcList`` names the batch's class (``https://id.gs1.org/01/{GTIN}/10/{lot}``, or
  the registry's own address of a batch without a GTIN) or serials of it
  (``…/10/{lot}/21/…``), and nothing else;
* its business step is one the registry records (a CBV word, in any of CBV's spellings,
  or a term of the registry's vocabulary, ``{base}/voc/bizstep-…``);
* its time has an offset and is not in the future; no event already recorded for the
  batch has the same step and time (importing the same document twice adds nothing);
* an ``errorDeclaration`` names the event of the same document that corrects it.

Each problem is reported with the event's position, and the whole import is refused;
the events, made by ``batches.operations.add_event`` (audited), are otherwise added in
one transaction. What the export writes (``public/epcis.py``) imports back to the same
events.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from importlib import resources

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import audit
from ..exceptions import OperationRefused
from ..extensions import db
from ..models import AdminUnit, Batch, BizStep, TraceEvent, UnitLevel, User
from ..public.epcis import CBV_STEPS, class_uri, vocabulary
from . import operations as ops

#: A document holds at most this many events.
MAX_EVENTS = 1000
#: At most this many problems are listed (the first ones).
MAX_PROBLEMS = 20
_CBV_PREFIXES = ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-",
                 "https://gs1.org/voc/BizStep-", "cbv:BizStep-", "gs1:BizStep-")


class ImportRefused(OperationRefused):
    """The document, refused whole; ``problems`` says where and why."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message, 400)
        self.problems = problems[:MAX_PROBLEMS]


@dataclass
class Incoming:
    position: int
    event_id: str | None
    step: BizStep
    moment: datetime
    offset: str
    location: str | None
    note: str | None
    disposition: str | None
    commune: AdminUnit | None
    corrected_by: str | None  # the eventID of the event that corrects this one


@cache
def _validator():
    import jsonschema

    text = resources.files("registry.public").joinpath("epcis-2.0-json-schema.json")
    return jsonschema.Draft7Validator(json.loads(text.read_text(encoding="utf-8")))


def schema_problems(document: object) -> list[str]:
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in errors[:MAX_PROBLEMS]]


def _step(value: object, base: str) -> BizStep | None:
    if not isinstance(value, str):
        return None
    word = value
    for prefix in _CBV_PREFIXES:
        if value.startswith(prefix):
            word = value[len(prefix):]
            break
    by_cbv = {cbv: step for step, cbv in CBV_STEPS.items()}
    if word in by_cbv:
        return by_cbv[word]
    own = f"{vocabulary(base)}bizstep-"
    for prefix in (own, "ocop:bizstep-"):
        if value.startswith(prefix):
            try:
                return BizStep(value[len(prefix):])
            except ValueError:
                return None
    return None


def _names_this_batch(event: dict, batch: Batch, base: str) -> bool:
    mine = class_uri(batch, base)
    classes = [q.get("epcClass") for q in event.get("quantityList") or []]
    instances = event.get("epcList") or []
    if not classes and not instances:
        return False
    return all(c == mine for c in classes) and all(
        isinstance(i, str) and i.startswith(mine + "/21/") for i in instances)


def _commune(event: dict, base: str) -> AdminUnit | None:
    place = (event.get("readPoint") or event.get("bizLocation") or {}).get("id")
    prefix = f"{vocabulary(base)}place/vn-"
    if not isinstance(place, str) or not place.startswith(prefix):
        return None
    return db.session.scalar(sa.select(AdminUnit).where(
        AdminUnit.code == place[len(prefix):], AdminUnit.level == UnitLevel.COMMUNE))


def _text(value: object, limit: int) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split()) if limit <= 200 else str(value).strip()
    return text[:limit] or None


def _read(position: int, event: dict, batch: Batch, base: str,
          problems: list[str]) -> Incoming | None:
    where = _("Sự kiện %(n)s", n=position)
    if event.get("type") != "ObjectEvent":
        problems.append(_("%(where)s: chỉ nhận ObjectEvent, không nhận %(type)s.",
                          where=where, type=event.get("type")))
        return None
    if not _names_this_batch(event, batch, base):
        problems.append(_("%(where)s: không nói về lô %(lot)s (%(uri)s).", where=where,
                          lot=batch.lot_code, uri=class_uri(batch, base)))
        return None
    step = _step(event.get("bizStep"), base)
    if step is None or (step not in ops.OFFERED_STEPS and step is not BizStep.COMMISSIONING):
        problems.append(_("%(where)s: bước “%(step)s” không có trong danh sách của hệ thống.",
                          where=where, step=event.get("bizStep")))
        return None
    try:
        moment = datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00"))
        ops.parse_offset(event["eventTimeZoneOffset"])
    except (KeyError, ValueError, OperationRefused, AttributeError):
        problems.append(_("%(where)s: thời điểm hoặc múi giờ không hợp lệ.", where=where))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    declaration = event.get("errorDeclaration") or {}
    fixes = declaration.get("correctiveEventIDs") or []
    if declaration and len(fixes) != 1:
        problems.append(_("%(where)s: bị khai là sai nhưng không nêu đúng một sự kiện đính "
                          "chính.", where=where))
        return None
    return Incoming(position=position, event_id=event.get("eventID"), step=step,
                    moment=moment, offset=event["eventTimeZoneOffset"],
                    location=_text(event.get("ocop:location"), 200),
                    note=_text(event.get("ocop:note"), 2000),
                    disposition=_text(event.get("disposition"), 40),
                    commune=_commune(event, base), corrected_by=fixes[0] if fixes else None)


def read_document(document: object, batch: Batch, base: str) -> list[Incoming]:
    """The document's events, or :class:`ImportRefused` listing every problem found."""
    problems = schema_problems(document)
    if problems:
        raise ImportRefused(_("Tài liệu không đúng lược đồ EPCIS 2.0."), problems)
    events = document["epcisBody"].get("eventList") or []
    if not events:
        raise ImportRefused(_("Tài liệu không có sự kiện nào."), [])
    if len(events) > MAX_EVENTS:
        raise ImportRefused(_("Mỗi lần nhập tối đa %(n)s sự kiện.", n=MAX_EVENTS), [])
    incoming = [_read(i, e, batch, base, problems) for i, e in enumerate(events, 1)]
    known = {(e.biz_step, e.event_time) for e in batch.events}
    ids = {e.event_id for e in incoming if e is not None and e.event_id}
    for e in incoming:
        if e is None:
            continue
        if (e.step, e.moment) in known:
            problems.append(_("Sự kiện %(n)s đã có trong lô (cùng bước, cùng thời điểm).",
                              n=e.position))
        if e.corrected_by is not None and e.corrected_by not in ids:
            problems.append(_("Sự kiện %(n)s: sự kiện đính chính %(id)s không có trong tài "
                              "liệu.", n=e.position, id=e.corrected_by))
    if problems:
        raise ImportRefused(_("Không nhập sự kiện nào: tài liệu có %(n)s lỗi.",
                              n=len(problems)), problems)
    return incoming


def import_events(batch: Batch, document: object, *, base: str,
                  actor: User | None = None) -> list[TraceEvent]:
    """Add the document's events to ``batch`` (the caller commits; a refusal rolls back
    everything, so a document is never half imported)."""
    incoming = read_document(document, batch, base)
    corrects = {e.corrected_by: e for e in incoming if e.corrected_by}  # fixer id -> wrong
    made: dict[int, TraceEvent] = {}
    pending = list(incoming)
    while pending:  # an event after the one it corrects (chains of corrections too)
        ready = [e for e in pending if e.event_id not in corrects
                 or corrects[e.event_id].position in made]
        if not ready:
            raise ImportRefused(_("Các đính chính trong tài liệu tạo thành vòng lặp."), [])
        for e in ready:
            wrong = corrects.get(e.event_id)
            event = ops.add_event(batch, biz_step=e.step, local_time=e.moment,
                                  tz_offset=e.offset, location=e.location, note=e.note,
                                  corrects=made[wrong.position] if wrong else None,
                                  commune=e.commune, actor=actor)
            event.disposition = e.disposition
            made[e.position] = event
            db.session.flush()  # the next correction checks corrected_by
            pending.remove(e)
    audit.record("batch.epcis_import", batch,
                 f"Nhập {len(made)} sự kiện EPCIS vào lô {batch.lot_code}",
                 {"events": len(made)}, actor=actor)
    return [made[e.position] for e in incoming]
