"""The API's answers as plain dicts, with exactly the keys of :mod:`registry.api.schemas`.

Every statement about a rating comes from the same rules as the public pages
(``public.scan.rules``): the API never says a product has stars the product page would
not show.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote

from ..labels.links import product_path, resolver_path
from ..models import (
    AdminUnit,
    Batch,
    BatchRecall,
    Certification,
    Producer,
    Product,
    RatingDecision,
    TraceEvent,
)
from ..ocop.groups import GROUPS
from ..public.scan.snapshot import rating_facts

API = "/api/v1"


def product_url(base: str, product: Product) -> str:
    return f"{base}{API}/products/{quote(product.public_token, safe='')}"


def batch_url(base: str, batch: Batch) -> str:
    return f"{product_url(base, batch.product)}/batches/{quote(batch.lot_code, safe='')}"


def batch_address(base: str, batch: Batch) -> str:
    """The registry's resolver address of the batch (EPCIS event ids are made of it)."""
    return f"{base}{resolver_path(batch.product)}/10/{quote(batch.lot_code, safe='')}"


def producer_url(base: str, producer: Producer) -> str:
    return f"{base}{API}/producers/{quote(producer.code, safe='')}"


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def commune(unit: AdminUnit | None) -> dict | None:
    return None if unit is None else {"code": unit.code, "name": unit.full_name}


def producer_ref(producer: Producer, base: str) -> dict:
    return {"code": producer.code, "name": producer.name, "kind": producer.kind.value,
            "url": producer_url(base, producer)}


def rating(product: Product, today: date) -> dict:
    facts = rating_facts(product, today)
    decision = facts.decision
    shows = facts.state.has_stars
    return {"state": facts.state.value,
            "stars": decision.stars if shows and decision else None,
            "valid_until": decision.valid_until if decision else None,
            "decision": decision.number if decision else None,
            "pending": facts.pending}


def product_summary(product: Product, today: date, base: str) -> dict:
    group = GROUPS[product.group_code]
    return {
        "token": product.public_token, "gtin": product.gtin,
        "name_vi": product.name_vi, "name_en": product.name_en,
        "group": {"code": group.code, "name_vi": group.name_vi, "name_en": group.name_en},
        "producer": producer_ref(product.producer, base),
        "rating": rating(product, today),
        "page": base + product_path(product),
        "url": product_url(base, product),
    }


def decision(d: RatingDecision, today: date, *, with_product: bool = False) -> dict:
    out = {"number": d.decision_number, "stars": d.stars,
           "points": _decimal(d.points), "issuing_body": d.issuing_body,
           "issuing_level": d.issuing_level.value, "decided_on": d.decided_on,
           "valid_until": d.valid_until, "revoked_on": d.revoked_on,
           "revocation_reason": d.revocation_reason if d.revoked_on else None,
           "status": d.status(today).value}
    if with_product:
        out["product"] = d.product.public_token
    return out


def certification(c: Certification, today: date) -> dict:
    return {"kind": c.kind.value, "kind_label": c.kind_label, "issuer": c.issuer,
            "number": c.number, "scope": c.scope, "issued_on": c.issued_on,
            "expires_on": c.expires_on, "withdrawn_on": c.withdrawn_on,
            "status": c.status(today).value,
            "product": c.product.public_token if c.product is not None else None}


def batch_summary(batch: Batch, base: str) -> dict:
    return {"lot": batch.lot_code, "status": batch.status.value,
            "harvest_date": batch.harvest_date, "production_date": batch.production_date,
            "packing_date": batch.packing_date, "expiry_date": batch.expiry_date,
            "recalled": batch.active_recall is not None, "url": batch_url(base, batch)}


def product_detail(product: Product, today: date, base: str, *,
                   certifications: list[Certification], batches: list[Batch]) -> dict:
    newest_first = sorted(product.decisions, key=lambda d: (d.decided_on, d.id), reverse=True)
    return {
        **product_summary(product, today, base),
        "subgroup": product.subgroup,
        "description_vi": product.description_vi, "description_en": product.description_en,
        "decisions": [decision(d, today) for d in newest_first],
        "certifications": [certification(c, today) for c in certifications],
        "batches": [batch_summary(b, base) for b in batches],
    }


def producer_detail(producer: Producer, today: date, base: str, *,
                    products: list[Product], certifications: list[Certification]) -> dict:
    return {
        **producer_ref(producer, base),
        "address": producer.full_address or None, "commune": commune(producer.commune),
        "contact_name": producer.contact_name, "phone": producer.phone,
        "email": producer.email,
        "products": [product_summary(p, today, base) for p in products],
        "certifications": [certification(c, today) for c in certifications],
    }


def local_time(moment: datetime, offset: str) -> datetime:
    """``moment`` at the place's offset (``+07:00``), as the event was recorded."""
    sign = -1 if offset.startswith("-") else 1
    hours, _, minutes = offset.lstrip("+-").partition(":")
    shift = timedelta(hours=int(hours or 0), minutes=int(minutes or 0)) * sign
    return moment.astimezone(timezone(shift))


def event(e: TraceEvent) -> dict:
    return {"type": e.event_type.value, "biz_step": e.biz_step.value,
            "biz_step_label": e.biz_step_label,
            "time": local_time(e.event_time, e.tz_offset), "location": e.location,
            "commune": commune(e.commune), "disposition": e.disposition, "note": e.note,
            "corrected": e.corrected_by is not None}


def recall(r: BatchRecall, base: str) -> dict:
    return {"product": r.batch.product.public_token, "lot": r.batch.lot_code,
            "reason": r.reason, "advice": r.advice, "recalled_on": r.recalled_on,
            "lifted": r.lifted_at is not None, "batch": batch_url(base, r.batch)}


def batch_detail(batch: Batch, today: date, base: str) -> dict:
    return {
        **batch_summary(batch, base),
        "product": product_summary(batch.product, today, base),
        "quantity": _decimal(batch.quantity), "unit": batch.unit, "origin": batch.origin,
        "origin_commune": commune(batch.origin_commune),
        "events": [event(e) for e in batch.events],
        "recalls": [recall(r, base) for r in batch.recalls],
        "epcis": batch_url(base, batch) + "/epcis",
    }


def page(items: list, page_number: int, per_page: int, total: int) -> dict:
    pages = -(-total // per_page)
    return {"items": items, "page": page_number, "per_page": per_page, "pages": pages,
            "total": total}

