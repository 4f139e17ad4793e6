"""Open data: the files say what the catalogue says, with a data dictionary and a
licence, and /du-lieu-mo lists the latest ones."""
from __future__ import annotations

import csv
import json
from collections import Counter

import sqlalchemy as sa

from registry.extensions import db
from registry.models import Product, ProductStatus, RatingDecision
from registry.ocop.rules import today_vn
from registry.public.catalogue import Filters, find_products

TABLES = ("products", "producers", "decisions", "certifications", "recalls")


def _csv(folder, name) -> list[dict]:
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_export_reads_back_to_the_catalogues_numbers(runner, demo, tmp_path):
    folder = tmp_path / "open"
    result = runner.invoke(args=["open-data", "export", str(folder)])
    assert result.exit_code == 0, result.output
    today = today_vn()
    products = _csv(folder, "products")
    catalogue = find_products(Filters(), 1, 1000, today)
    assert len(products) == catalogue.total >= 8
    assert [p["token"] for p in products] == [p.public_token for p in catalogue.items]
    stars = Counter(p["stars"] for p in products if p["stars"])
    for n in (3, 4, 5):
        assert stars[str(n)] == find_products(Filters(stars=n), 1, 1000, today).total, n
    decisions = _csv(folder, "decisions")
    assert len(decisions) == db.session.scalar(sa.select(sa.func.count(RatingDecision.id)))
    producers = _csv(folder, "producers")
    assert {p["code"] for p in producers} == {p["producer_code"] for p in products}
    assert sum(int(p["listed_products"]) for p in producers) == len(products)
    for name in TABLES:  # CSV and JSON hold the same rows
        rows = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert rows["licence"] == "CC-BY-4.0" and len(rows["rows"]) == len(_csv(folder, name))
    assert result.output.startswith(f"{folder}: {len(products)} products, ")


def test_the_data_dictionary_describes_every_column(runner, demo, tmp_path):
    runner.invoke(args=["open-data", "export", str(tmp_path)])
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["created"]
    assert {r["path"] for r in package["resources"]} == {
        f"{t}.{fmt}" for t in TABLES for fmt in ("csv", "json")}
    for resource in package["resources"]:
        if resource["format"] != "csv":
            continue
        with open(tmp_path / resource["path"], encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        fields = resource["schema"]["fields"]
        assert header == [f["name"] for f in fields], resource["path"]
        assert all(f["description"] and f["type"] for f in fields), resource["path"]
    licence = (tmp_path / "LICENSE.txt").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "https://creativecommons.org/licenses/by/4.0/" in licence


def test_archived_products_are_not_open_data(runner, demo, tmp_path):
    archived = db.session.scalars(sa.select(Product)).first()
    archived.status = ProductStatus.ARCHIVED
    db.session.commit()
    runner.invoke(args=["open-data", "export", str(tmp_path)])
    assert archived.public_token not in {p["token"] for p in _csv(tmp_path, "products")}
    assert archived.public_token not in {d["product_token"]
                                         for d in _csv(tmp_path, "decisions")}


def test_the_page_lists_the_latest_files_and_serves_them(app, client, demo):
    empty = client.get("/du-lieu-mo/")
    page = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "Chưa có tệp dữ liệu mở nào" in page
    assert "products.csv" not in page
    assert client.get("/du-lieu-mo/products.csv").status_code == 404
    runner = app.test_cli_runner()
    result = runner.invoke(args=["open-data", "refresh"])
    assert result.exit_code == 0, result.output
    page = client.get("/du-lieu-mo/").get_data(as_text=True)
    assert "Chưa có tệp dữ liệu mở nào" not in page
    for name in TABLES:
        for fmt in ("csv", "json"):
            assert f'href="/du-lieu-mo/{name}.{fmt}"' in page, (name, fmt)
    total = find_products(Filters(), 1, 1000, today_vn()).total
    assert f"{total} dòng" in page and "CC BY 4.0" in page and "kB" in page
    served = client.get("/du-lieu-mo/products.csv")
    assert served.status_code == 200 and served.headers["Content-Type"] == \
        "text/csv; charset=utf-8"
    assert served.get_data(as_text=True).startswith("token,gtin,name_vi")
    assert client.get("/du-lieu-mo/..%2Fsecret_key").status_code == 404
    assert client.get("/du-lieu-mo/jobs.sqlite3").status_code == 404


def test_the_nightly_job_is_on_the_queue_and_writes_the_files(app, demo):
    """The job runs at 02:30 in Vietnam (19:30 UTC) and writes OPEN_DATA_DIR; workers
    start the nightly jobs unless told --no-periodic."""
    from datetime import datetime
    from pathlib import Path

    from registry import opendata
    from registry.jobs import TASKS, queue

    nightly = {t.name: t for t in queue()._registry.periodic_tasks}["opendata.nightly"]
    assert nightly.validate_datetime(datetime(2026, 12, 3, 19, 30))
    assert not nightly.validate_datetime(datetime(2026, 12, 3, 19, 31))
    assert TASKS[opendata.REFRESH] is opendata.refresh
    opendata.refresh()
    assert (Path(app.config["OPEN_DATA_DIR"]) / "products.csv").exists()
