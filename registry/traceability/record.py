"""A batch's traceability record under Circular 02/2024/TT-BKHCN, from the database:
the facts the pure rules (``items``) judge, and the record as JSON, one entry per item,
for the portal's checklist and ``/api/v1/products/{token}/batches/{lot}/traceability``."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from ..labels.links import resolver_path
from ..labels.serials import display
from ..models import Batch, CertificationKind
from ..public.epcis import class_uri, place_uri
from .items import BatchFacts, Item, Stage, items

CIRCULAR = "02/2024/TT-BKHCN"
MARKS = (CertificationKind.COLLECTIVE_TRADEMARK, CertificationKind.GEOGRAPHICAL_INDICATION)


def _serials(batch: Batch) -> tuple[str, str] | None:
    runs = batch.label_runs
    if not runs:
        return None
    from ..label_runs.operations import print_job, signer

    serials = signer()
    first, last = print_job(runs[0]), print_job(runs[-1])
    return (display(serials.make(first.item_key, first.lot, runs[0].start_seq)),
            display(serials.make(last.item_key, last.lot, runs[-1].end_seq - 1)))


def facts_of(batch: Batch, base: str, today: date, certifications) -> BatchFacts:
    """``certifications``: the producer's, for this product or all its products."""
    product = batch.product
    valid = [c for c in certifications if c.is_valid(today)]
    marks = [c for c in valid if c.kind in MARKS]
    lot = quote(batch.lot_code, safe="")
    code = class_uri(batch, base)
    stages = tuple(Stage(step=e.biz_step_label, time=e.event_time, product_code=code,
                         location_code=place_uri(e, batch, base), location=e.location)
                   for e in batch.events if e.corrected_by is None)
    return BatchFacts(
        product_name=product.name_vi,
        images=tuple(f"{base}/media/photos/{p.image.key}" for p in product.photos),
        producer_name=product.producer.name,
        address=product.producer.full_address or None,
        stages=stages,
        trace_code=f"{base}{resolver_path(product)}/10/{lot}",
        trademark="; ".join(f"{c.kind_label}{f' {c.number}' if c.number else ''}"
                            for c in marks) or None,
        symbol_code=product.gtin,
        serials=_serials(batch),
        expiry_date=batch.expiry_date,
        standards=tuple(f"{c.kind_label}{f' {c.number}' if c.number else ''} ({c.issuer})"
                        for c in valid if c.kind not in MARKS),
    )


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def as_json(found: list[Item]) -> dict:
    return {
        "circular": CIRCULAR,
        "items": [{"number": i.number, "key": i.key, "title_vi": i.title_vi,
                   "title_en": i.title_en, "state": i.state.value, "value": _plain(i.value),
                   "gaps": list(i.gaps)} for i in found],
        "missing": [i.number for i in found if i.state.value == "missing"],
    }


def record(batch: Batch, base: str, today: date, certifications) -> list[Item]:
    return items(facts_of(batch, base, today, certifications))
