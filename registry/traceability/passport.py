"""A product's digital product passport (Decree 37/2026/NĐ-CP, Art. 32) as JSON-LD:
a schema.org ``Product`` with the decree's fields the registry holds, and the list of
those it does not hold (``ocop:missing``). Nothing is invented to fill a gap: the
registry records no safety warnings, so the passport says they are missing.

The decree asks for at least: the product's name and GTIN; the producer's name, address
and identifier; the origin or last processing place; traceability information;
conformity and quality certificates; production and expiry dates; safety warnings.
Dates belong to batches, so the passport lists the batches with theirs.
"""
from __future__ import annotations

from datetime import date

from ..labels.links import resolver_path
from ..models import Batch, Certification, Product
from ..public.scan.snapshot import rating_facts

#: Decree 37 field -> how the passport names it when it is missing.
FIELDS = {
    "name": "product name", "gtin": "GTIN", "producer_name": "producer's name",
    "producer_address": "producer's address", "producer_identifier": "producer's identifier "
    "(business or cooperative registration number)", "origin": "origin or last processing "
    "place", "traceability": "traceability information (batches with trace events)",
    "certificates": "conformity and quality certificates", "dates": "production and expiry "
    "dates (on a batch)", "safety_warnings": "safety warnings",
}


def _certificate(c: Certification, today: date) -> dict:
    body = {"@type": "Certification", "name": c.kind_label,
            "issuedBy": {"@type": "Organization", "name": c.issuer},
            "validFrom": c.issued_on.isoformat(),
            "certificationStatus": c.status(today).value}
    if c.number:
        body["certificationIdentification"] = c.number
    if c.expires_on:
        body["expires"] = c.expires_on.isoformat()
    return body


def _batch(b: Batch, base: str, api: str) -> dict:
    body = {"@type": "SomeProducts", "@id": f"{base}{resolver_path(b.product)}/10/{b.lot_code}",
            "ocop:lot": b.lot_code, "ocop:traceability": f"{api}/batches/{b.lot_code}",
            "ocop:epcis": f"{api}/batches/{b.lot_code}/epcis",
            "ocop:events": len(b.events)}
    made = b.production_date or b.packing_date or b.harvest_date
    if made:
        body["productionDate"] = made.isoformat()
    if b.expiry_date:
        body["ocop:expiryDate"] = b.expiry_date.isoformat()
    if b.origin:
        body["ocop:origin"] = b.origin
    return body


def passport(product: Product, *, base: str, api: str, today: date,
             certifications: list[Certification], batches: list[Batch]) -> dict:
    """``api``: the product's address in the API (its batches are below it)."""
    producer = product.producer
    maker = {"@type": "Organization", "name": producer.name}
    if producer.full_address:
        maker["address"] = producer.full_address
    if producer.registration_number:
        maker["identifier"] = producer.registration_number
    doc: dict = {
        "@context": {"@vocab": "https://schema.org/", "gs1": "https://ref.gs1.org/voc/",
                     "ocop": f"{base}/voc/"},
        "@type": "Product", "@id": f"{base}{resolver_path(product)}",
        "name": product.name_vi, "manufacturer": maker,
        "url": f"{base}/page{resolver_path(product)}",
        "ocop:decree": "37/2026/NĐ-CP",
    }
    if product.gtin:
        doc["gtin"] = product.gtin
    if product.name_en:
        doc["alternateName"] = product.name_en
    origin = producer.full_address or next((b.origin for b in batches if b.origin), None)
    if origin:
        doc["ocop:originPlace"] = origin
    valid = [c for c in certifications if c.is_valid(today)]
    if valid:
        doc["hasCertification"] = [_certificate(c, today) for c in valid]
    rating = rating_facts(product, today)
    if rating.state.has_stars and rating.decision is not None:
        d = rating.decision
        doc["award"] = (f"OCOP {d.stars} sao, quyết định {d.number}, hiệu lực đến "
                        f"{d.valid_until:%d/%m/%Y}")
    traced = [b for b in batches if b.events]
    if batches:
        doc["ocop:batches"] = [_batch(b, base, api) for b in batches]
    held = {
        "name": bool(product.name_vi), "gtin": bool(product.gtin),
        "producer_name": bool(producer.name), "producer_address": bool(producer.full_address),
        "producer_identifier": bool(producer.registration_number), "origin": bool(origin),
        "traceability": bool(traced), "certificates": bool(valid),
        "dates": any(b.expiry_date and (b.production_date or b.packing_date or b.harvest_date)
                     for b in batches),
        "safety_warnings": False,  # the registry does not record them
    }
    doc["ocop:missing"] = [FIELDS[k] for k, ok in held.items() if not ok]
    return doc
