"""The API's request and response shapes, as marshmallow schemas.

flask-smorest parses query strings with these schemas (a wrong value is a 400 problem,
never silently ignored as on the HTML catalogue) and writes the OpenAPI document from
them, so the document cannot drift from what the API does. Responses are built as plain
dicts by :mod:`registry.api.present` with exactly these keys.

Ids are the public ones: product tokens, GTINs, producer codes, lot codes, decision
numbers; never database ids.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..batches.operations import OFFERED_STEPS
from ..label_runs.operations import ECC_LEVELS, MAX_RUN
from ..labels.layouts import LAYOUTS
from ..models import BatchStatus, CertificationStatus, ProducerKind
from ..ocop.criteria import CouncilLevel
from ..ocop.groups import GROUPS
from ..ocop.rules import DecisionStatus
from ..public.catalogue import MAX_QUERY_CHARS, STAR_CHOICES
from ..public.scan.rules import RatingState

EVENT_STEPS = [s.value for s in OFFERED_STEPS]
RATING_STATES = [s.value for s in RatingState]
DECISION_STATES = [s.value for s in DecisionStatus]
CERTIFICATION_STATES = [s.value for s in CertificationStatus]


def _decimal(description: str):
    """A decimal written as a string (``"58.25"``), so no digit is lost to a float."""
    return _maybe(validate=validate.Regexp(r"^-?\d+(\.\d+)?$"),
                  metadata={"format": "decimal", "description": description})


def _text(**kwargs):
    return fields.String(required=True, **kwargs)


def _maybe(field_class=fields.String, *args, **kwargs):
    return field_class(*args, required=True, allow_none=True, **kwargs)


class Problem(Schema):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type = _text(metadata={"description": "about:blank: the status says what happened"})
    title = _text(metadata={"description": "what happened, in the request's language"})
    status = fields.Integer(required=True)
    detail = fields.String(metadata={"description": "what went wrong, in the request's "
                                                    "language"})
    instance = fields.String(metadata={"description": "the path that was asked for"})
    errors = fields.Dict(keys=fields.String(), metadata={
        "description": "per parameter, what is wrong with it (invalid input only)"})


class Group(Schema):
    code = fields.Integer(required=True)
    name_vi = _text()
    name_en = _text()


class Commune(Schema):
    code = _maybe(metadata={"description": "the statistics office's code of the commune"})
    name = _text(metadata={"description": "e.g. xã Kế Thành"})


class ProducerRef(Schema):
    code = _text(metadata={"description": "the producer's stable public id"})
    name = _text()
    kind = _text(validate=validate.OneOf([k.value for k in ProducerKind]))
    url = _text(metadata={"description": "the producer in this API"})


class Decision(Schema):
    """An OCOP rating decision, as it stands on the day of the request."""

    number = _text(metadata={"description": "the decision's number, e.g. 1234/QĐ-UBND"})
    stars = fields.Integer(required=True, validate=validate.Range(min=3, max=5))
    points = _decimal("the council's points out of 100")
    issuing_body = _text()
    issuing_level = _text(validate=validate.OneOf([v.value for v in CouncilLevel]))
    decided_on = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    revoked_on = _maybe(fields.Date)
    revocation_reason = _maybe()
    status = _text(validate=validate.OneOf(DECISION_STATES))
    product = fields.String(metadata={"description": "the product's token (lists only)"})


class Rating(Schema):
    """What the product's stars are today: the one statement every page makes."""

    state = _text(validate=validate.OneOf(RATING_STATES))
    stars = _maybe(fields.Integer, metadata={
        "description": "the stars the product may show today; null unless valid"})
    valid_until = _maybe(fields.Date)
    decision = _maybe(fields.String, metadata={"description": "the decision's number"})
    pending = fields.Boolean(required=True, metadata={
        "description": "a (re-)rating application waits for a council"})


class Certification(Schema):
    kind = _text()
    kind_label = _text()
    issuer = _text()
    number = _maybe()
    scope = _maybe()
    issued_on = fields.Date(required=True)
    expires_on = _maybe(fields.Date)
    withdrawn_on = _maybe(fields.Date)
    status = _text(validate=validate.OneOf(CERTIFICATION_STATES))
    product = _maybe(metadata={"description": "the product's token; null: all products"})


class ProductSummary(Schema):
    token = _text(metadata={"description": "the product's stable public id"})
    gtin = _maybe(metadata={"description": "GTIN-14, where the product has one"})
    name_vi = _text()
    name_en = _maybe()
    group = fields.Nested(Group, required=True)
    producer = fields.Nested(ProducerRef, required=True)
    rating = fields.Nested(Rating, required=True)
    page = _text(metadata={"description": "the public product page"})
    url = _text(metadata={"description": "the product in this API"})


class BatchSummary(Schema):
    lot = _text()
    status = _text(validate=validate.OneOf([v.value for v in BatchStatus]))
    harvest_date = _maybe(fields.Date)
    production_date = _maybe(fields.Date)
    packing_date = _maybe(fields.Date)
    expiry_date = _maybe(fields.Date)
    recalled = fields.Boolean(required=True)
    url = _text()


class Product(ProductSummary):
    subgroup = _maybe()
    description_vi = _maybe()
    description_en = _maybe()
    decisions = fields.List(fields.Nested(Decision), required=True,
                            metadata={"description": "every decision, newest first"})
    certifications = fields.List(fields.Nested(Certification), required=True)
    batches = fields.List(fields.Nested(BatchSummary), required=True,
                          metadata={"description": "the newest batches (at most 50)"})


class Producer(ProducerRef):
    address = _maybe()
    commune = _maybe(fields.Nested, Commune)
    contact_name = _maybe()
    phone = _maybe()
    email = _maybe()
    products = fields.List(fields.Nested(ProductSummary), required=True)
    certifications = fields.List(fields.Nested(Certification), required=True)


class Event(Schema):
    type = _text(metadata={"description": "EPCIS event type"})
    biz_step = _text()
    biz_step_label = _text()
    time = fields.DateTime(required=True, metadata={"description": "with its offset"})
    location = _maybe()
    commune = _maybe(fields.Nested, Commune)
    disposition = _maybe()
    note = _maybe()
    corrected = fields.Boolean(required=True, metadata={
        "description": "a later event corrects this one"})


class Recall(Schema):
    product = _text()
    lot = _text()
    reason = _text()
    advice = _text()
    recalled_on = fields.Date(required=True)
    lifted = fields.Boolean(required=True)
    batch = _text(metadata={"description": "the batch in this API"})


class Batch(BatchSummary):
    product = fields.Nested(ProductSummary, required=True)
    quantity = _decimal("how much the batch holds, in ``unit``")
    unit = _maybe()
    origin = _maybe()
    origin_commune = _maybe(fields.Nested, Commune)
    events = fields.List(fields.Nested(Event), required=True)
    recalls = fields.List(fields.Nested(Recall), required=True)
    epcis = _text(metadata={"description": "the events as an EPCIS 2.0 document"})


class TraceabilityItem(Schema):
    number = fields.Integer(required=True, validate=validate.Range(min=1, max=10))
    key = _text()
    title_vi = _text()
    title_en = _text()
    state = _text(validate=validate.OneOf(["held", "missing", "not_applicable"]))
    value = fields.Raw(required=True, allow_none=True, metadata={
        "description": "what the batch holds for the item (text, list, date or object)"})
    gaps = fields.List(fields.String(), required=True)


class Traceability(Schema):
    """The batch's record under Circular 02/2024/TT-BKHCN, one entry per data item."""

    circular = _text()
    batch = _text()
    items = fields.List(fields.Nested(TraceabilityItem), required=True)
    missing = fields.List(fields.Integer(), required=True)


# -- query strings ----------------------------------------------------------------------

#: Text parameters hold no control characters (``registry.inputs`` refuses them).
NO_CONTROLS = r"^[^\u0000-\u001f\u007f-\u009f]*$"


class Paging(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ProductQuery(Paging):
    q = fields.String(validate=[validate.Length(max=MAX_QUERY_CHARS),
                                validate.Regexp(NO_CONTROLS)], metadata={
        "description": "words of the name, the description or the producer's name; "
                       "case and diacritics are ignored"})
    stars = fields.Integer(validate=validate.OneOf(STAR_CHOICES), metadata={
        "description": "only products whose rating is valid today with these stars"})
    group = fields.Integer(validate=validate.OneOf(tuple(GROUPS)))
    commune = fields.String(validate=validate.Regexp(r"^\d{1,10}$"), metadata={
        "description": "the statistics office's code of the producer's commune"})
    gtin = fields.String(validate=validate.Regexp(r"^\d{8}$|^\d{12,14}$"))


class DecisionQuery(Paging):
    status = fields.String(load_default="all", validate=validate.OneOf(
        ("all", "valid", "past")), metadata={
        "description": "valid: in force today; past: expired or revoked"})


class RecallQuery(Paging):
    active = fields.Boolean(load_default=True, metadata={
        "description": "false: the lifted recalls too"})


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A page of ``item_schema`` items, with where it is in the list."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "pages": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    }, name=f"{item_schema.__name__}Page")


# -- writes (a personal token with the write scope) -------------------------------------

LOT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$"


def _line(limit: int, **kwargs):
    return fields.String(validate=[validate.Length(max=limit), validate.Regexp(NO_CONTROLS)],
                         **kwargs)


class ProductIn(Schema):
    name_vi = fields.String(required=True, validate=[
        validate.Length(min=1, max=200), validate.Regexp(NO_CONTROLS)])
    name_en = _line(200, allow_none=True)
    group_code = fields.Integer(required=True, validate=validate.OneOf(tuple(GROUPS)),
                                metadata={"description": "OCOP product group (1-6)"})
    subgroup = _line(200, allow_none=True)
    description_vi = fields.String(allow_none=True, validate=validate.Length(max=5000))
    description_en = fields.String(allow_none=True, validate=validate.Length(max=5000))
    gtin = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{8}$|^\d{12,14}$"),
                         metadata={"description": "GTIN-8, -12, -13 or -14 (check digit "
                                                  "checked); locked once labels are printed"})


class ProductChange(ProductIn):
    """Some fields of a product (used partial: only those sent change)."""


class BatchIn(Schema):
    lot = fields.String(required=True, validate=validate.Regexp(LOT_PATTERN), metadata={
        "description": "1–20 letters, digits, '-', '.' or '_', starting with a letter or "
                       "digit"})
    harvest_date = fields.Date(allow_none=True)
    production_date = fields.Date(allow_none=True)
    packing_date = fields.Date(allow_none=True)
    expiry_date = fields.Date(allow_none=True)
    quantity = fields.String(allow_none=True, validate=validate.Regexp(
        r"^\d{1,9}(\.\d{1,3})?$"), metadata={
        "format": "decimal", "description": "how much the batch holds, in ``unit``, as a "
                                            "decimal string (\"24\", \"12.5\")"})
    unit = _line(20, allow_none=True)
    origin = _line(200, allow_none=True)


class EventIn(Schema):
    biz_step = fields.String(required=True, validate=validate.OneOf(EVENT_STEPS))
    time = fields.AwareDateTime(required=True, metadata={
        "description": "when it happened, with the place's offset "
                       "(2026-11-20T07:00:00+07:00)"})
    location = _line(200, allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class LabelRunIn(Schema):
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_RUN))
    layout = fields.String(required=True, validate=validate.OneOf(list(LAYOUTS)))
    ecc = fields.String(load_default="M", validate=validate.OneOf(ECC_LEVELS))
    start_position = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100))
    show_decision_end = fields.Boolean(load_default=True)
    confirm_expired = fields.Boolean(load_default=False, metadata={
        "description": "print for a batch past its expiry date (audited)"})
    order_key = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_-]{16,43}$"), metadata={
        "description": "your key for this order: sent again, it answers the run it made "
                       "and issues no new serial"})


class LabelFile(Schema):
    status = _text(validate=validate.OneOf(["queued", "running", "done", "failed"]))
    done = fields.Integer(required=True, metadata={"description": "labels written so far"})
    size = _maybe(fields.Integer)
    pdf = _maybe(metadata={"description": "where to download the PDF, once done"})


class LabelRun(Schema):
    key = _text(metadata={"description": "the order's key: the run in this API"})
    batch = _text()
    count = fields.Integer(required=True)
    layout = _text()
    first_serial = _text()
    last_serial = _text()
    printed_stars = _maybe(fields.Integer)
    created_at = fields.DateTime(required=True)
    file = fields.Nested(LabelFile, required=True)
    url = _text()
