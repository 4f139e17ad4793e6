"""The public catalogue as open data files: CSV (UTF-8) and JSON, a data dictionary
(``datapackage.json``, a Frictionless Data Package) and the licence (CC BY 4.0).

The rows are the API's public scope and the API's answers (``api.queries``,
``api.present``) laid flat, so a file never says what the pages and the API would not:
listed products only, stars only while valid on the day of the export. Ids are the
public ones (product tokens, producer codes, decision numbers, lots).

A new export is written beside the old one and swapped in at the end, so a reader never
sees half a set of files.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from ..api import present
from ..extensions import db
from ..models import BatchRecall, Certification, Producer, Product, RatingDecision
from ..public.catalogue import listed_products

LICENCE = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema types: string, integer, number, date, boolean
    description: str
    value: Callable[[dict], Any]


def _f(name: str, type_: str, description: str, value=None) -> Field:
    return Field(name, type_, description, value or (lambda row, n=name: row.get(n)))


PRODUCT_FIELDS = [
    _f("token", "string", "the product's stable public id"),
    _f("gtin", "string", "GTIN-14, where the product has one"),
    _f("name_vi", "string", "name in Vietnamese"),
    _f("name_en", "string", "name in English, where given"),
    _f("group_code", "integer", "OCOP product group (1-6)", lambda r: r["group"]["code"]),
    _f("group_vi", "string", "OCOP product group, in Vietnamese",
       lambda r: r["group"]["name_vi"]),
    _f("producer_code", "string", "the producer's public id (producers.code)",
       lambda r: r["producer"]["code"]),
    _f("producer_name", "string", "the producer's name", lambda r: r["producer"]["name"]),
    _f("rating_state", "string", "valid, expiring, expired, revoked, pending, rejected or "
       "none, on the day of the export", lambda r: r["rating"]["state"]),
    _f("stars", "integer", "the OCOP stars the product may show on the day of the export; "
       "empty unless its rating is valid", lambda r: r["rating"]["stars"]),
    _f("valid_until", "date", "the end of the rating's validity",
       lambda r: r["rating"]["valid_until"]),
    _f("decision_number", "string", "the decision the rating rests on",
       lambda r: r["rating"]["decision"]),
    _f("page", "string", "the public product page"),
    _f("api", "string", "the product in the JSON API", lambda r: r["url"]),
]
PRODUCER_FIELDS = [
    _f("code", "string", "the producer's stable public id"),
    _f("name", "string", "name"),
    _f("kind", "string", "cooperative, enterprise, cooperative_group or household_business"),
    _f("address", "string", "address"),
    _f("commune_code", "string", "statistics office code of the commune",
       lambda r: (r["commune"] or {}).get("code")),
    _f("commune", "string", "the commune", lambda r: (r["commune"] or {}).get("name")),
    _f("listed_products", "integer", "listed products", lambda r: len(r["products"])),
    _f("api", "string", "the producer in the JSON API", lambda r: r["url"]),
]
DECISION_FIELDS = [
    _f("number", "string", "the decision's number"),
    _f("product_token", "string", "the product (products.token)", lambda r: r["product"]),
    _f("stars", "integer", "stars awarded"),
    _f("points", "number", "the council's points out of 100"),
    _f("issuing_body", "string", "who decided"),
    _f("issuing_level", "string", "district, province or national (commune: pre-check)"),
    _f("decided_on", "date", "date of the decision"),
    _f("valid_until", "date", "end of validity"),
    _f("revoked_on", "date", "date of revocation, if revoked"),
    _f("revocation_reason", "string", "why it was revoked"),
    _f("status", "string", "valid, expired, revoked or not_yet, on the day of the export"),
]
CERTIFICATION_FIELDS = [
    _f("producer_code", "string", "the holder (producers.code)"),
    _f("product_token", "string", "the product it covers; empty: all the producer's",
       lambda r: r["product"]),
    _f("kind", "string", "vietgap, globalgap, organic, haccp, iso22000, "
       "food_safety_facility, collective_trademark, geographical_indication or other"),
    _f("kind_label", "string", "the kind, as written"),
    _f("issuer", "string", "who certified"),
    _f("number", "string", "certificate number"),
    _f("scope", "string", "what it covers"),
    _f("issued_on", "date", "date of issue"),
    _f("expires_on", "date", "end of validity, if any"),
    _f("withdrawn_on", "date", "date of withdrawal, if withdrawn"),
    _f("status", "string", "valid, expired, withdrawn or not_yet, on the day of the export"),
]
RECALL_FIELDS = [
    _f("product_token", "string", "the product (products.token)", lambda r: r["product"]),
    _f("lot", "string", "the recalled lot"),
    _f("recalled_on", "date", "from when"),
    _f("lifted", "boolean", "the recall was lifted"),
    _f("reason", "string", "why"),
    _f("advice", "string", "what buyers should do"),
    _f("api", "string", "the batch in the JSON API", lambda r: r["batch"]),
]


def _rows(today: date, base: str) -> dict[str, tuple[list[Field], list[dict]]]:
    products = list(db.session.scalars(sa.select(Product).where(listed_products())
                                       .order_by(Product.search_text, Product.id)))
    public_producers = sa.select(Product.producer_id).where(listed_products())
    producers = list(db.session.scalars(sa.select(Producer).where(
        Producer.id.in_(public_producers)).order_by(Producer.name, Producer.id)))
    listed_ids = sa.select(Product.id).where(listed_products())
    decisions = db.session.scalars(sa.select(RatingDecision).where(
        RatingDecision.product_id.in_(listed_ids))
        .order_by(RatingDecision.decided_on.desc(), RatingDecision.id.desc()))
    certifications = db.session.scalars(sa.select(Certification).where(
        Certification.producer_id.in_(public_producers))
        .order_by(Certification.issued_on.desc(), Certification.id))
    from ..models import Batch

    recalls = db.session.scalars(sa.select(BatchRecall).join(Batch).where(
        Batch.product_id.in_(listed_ids))
        .order_by(BatchRecall.recalled_on.desc(), BatchRecall.id.desc()))
    by_producer: dict[int, list[Product]] = {}
    for p in products:
        by_producer.setdefault(p.producer_id, []).append(p)
    return {
        "products": (PRODUCT_FIELDS, [present.product_summary(p, today, base)
                                      for p in products]),
        "producers": (PRODUCER_FIELDS, [present.producer_detail(
            p, today, base, products=by_producer.get(p.id, []), certifications=[])
            for p in producers]),
        "decisions": (DECISION_FIELDS, [present.decision(d, today, with_product=True)
                                        for d in decisions]),
        "certifications": (CERTIFICATION_FIELDS, [
            {**present.certification(c, today), "producer_code": c.producer.code}
            for c in certifications]),
        "recalls": (RECALL_FIELDS, [present.recall(r, base) for r in recalls]),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _write_table(folder: Path, name: str, fields: list[Field], rows: list[dict],
                 generated: str) -> None:
    flat = [{f.name: _plain(f.value(row)) for f in fields} for row in rows]
    with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[f.name for f in fields])
        writer.writeheader()
        for row in flat:
            writer.writerow({k: "" if v is None else
                             ("true" if v is True else "false" if v is False else v)
                             for k, v in row.items()})
    with open(folder / f"{name}.json", "w", encoding="utf-8") as fh:
        json.dump({"generated": generated, "licence": LICENCE, "rows": flat}, fh,
                  ensure_ascii=False, indent=1)


def _package(tables: dict, generated: str, base: str) -> dict:
    resources = []
    for name, (fields, rows) in tables.items():
        schema = {"fields": [{"name": f.name, "type": f.type, "description": f.description}
                             for f in fields]}
        for fmt, media in (("csv", "text/csv"), ("json", "application/json")):
            resources.append({"name": f"{name}-{fmt}", "path": f"{name}.{fmt}",
                              "format": fmt, "mediatype": media, "encoding": "utf-8",
                              "rows": len(rows), "schema": schema})
    return {
        "name": "ocop-registry", "title": "OCOP product registry: open data",
        "homepage": base, "created": generated,
        "licenses": [{"name": LICENCE, "path": LICENCE_URL,
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }


LICENCE_TEXT = """Dữ liệu mở của Sổ đăng ký sản phẩm OCOP ({base})
Open data of the OCOP product registry ({base})

Giấy phép / Licence: Creative Commons Attribution 4.0 International (CC BY 4.0)
{url}

Bạn được sao chép, phân phối, chỉnh sửa và dùng dữ liệu cho mọi mục đích, kể cả thương
mại, với điều kiện ghi nguồn: "Sổ đăng ký sản phẩm OCOP, {base}, dữ liệu ngày {day}".
You may copy, share, adapt and use the data for any purpose, commercial included,
provided you credit: "OCOP product registry, {base}, data of {day}".

Số sao OCOP là số sao còn hiệu lực vào ngày xuất dữ liệu ({day}).
OCOP stars are those valid on the day of the export ({day}).
"""


def export(folder: Path, *, today: date, base: str) -> dict:
    """Write the files into ``folder`` (made if missing, replaced whole); returns the
    data package descriptor."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    tables = _rows(today, base)
    work = Path(tempfile.mkdtemp(prefix=".open-data-", dir=folder.parent))
    work.chmod(0o755)  # mkdtemp's 0700 would hide the files from the web server's user
    try:
        for name, (fields, rows) in tables.items():
            _write_table(work, name, fields, rows, generated)
        package = _package(tables, generated, base)
        (work / "datapackage.json").write_text(
            json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
        (work / "LICENSE.txt").write_text(
            LICENCE_TEXT.format(base=base, url=LICENCE_URL, day=today.isoformat()),
            encoding="utf-8")
        _swap_in(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return package


def _swap_in(work: Path, folder: Path) -> None:
    """Replace ``folder`` by ``work``: two renames, so a reader sees the old set or the
    new one."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        folder.rename(old)
    work.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_package(folder: Path) -> dict | None:
    """The descriptor of the export in ``folder``, or None if there is none."""
    path = Path(folder) / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
