"""The resolver behaves as GS1's resolver standard says (the same points GS1's own
conformance suite checks, plus the registry's own rules for forged serials)."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from gs1 import compress_gs1_digital_link

from registry.extensions import db
from registry.models import Scan
from registry.ocop.rules import today_vn

from ... import factories
from .support import BASE, PHONE, print_labels, scan, visible_text

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "data" /
                     "gs1-linkset-schema.json").read_text())
GTIN = "08939999000055"
LINKSET = "application/linkset+json"


@pytest.fixture
def labelled(producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     name_en="Kế Thành Năm Roi pomelo", gtin=GTIN)
    factories.make_decision(product, today_vn() - timedelta(days=400), stars=4, points="80",
                            number="2585/QĐ-UBND")
    batch = factories.make_batch(product, "NR2611", harvest_date=date(2026, 11, 10),
                                 expiry_date=today_vn() + timedelta(days=60))
    return product, batch, print_labels(batch, 5)


def _count_queries(app):
    statements = []

    def before(conn, cursor, statement, *args):  # noqa: ARG001
        statements.append(statement)
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    return statements, lambda: sa.event.remove(engine, "before_cursor_execute", before)


def test_a_plain_get_redirects_to_the_page_with_the_query_passed_on(app, client, labelled):
    _, _, paths = labelled
    client.get(paths[0], headers=PHONE)  # the product is now known to this process
    statements, stop = _count_queries(app)
    response = client.get(paths[0] + "&foo=bar", headers=PHONE)
    stop()
    assert response.status_code == 307
    path, query = paths[0].split("?")
    assert response.headers["Location"] == f"{BASE}/page{path}?{query}&foo=bar"
    assert statements == []  # the redirect costs no database read
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert 'rel="linkset"' in response.headers["Link"]
    assert "Accept" in response.headers["Vary"]


def test_every_level_redirects_to_its_default_link(client, labelled):
    for path in (f"/01/{GTIN}", f"/01/{GTIN}/10/NR2611", f"/01/{GTIN}/10/NR2611/"):
        response = client.get(path)
        assert response.status_code == 307
        assert response.headers["Location"] == BASE + "/page" + path.rstrip("/")


def test_options_answers_cors_and_the_methods(client, labelled):
    _, _, paths = labelled
    for path in (f"/01/{GTIN}", paths[0].split("?")[0]):
        response = client.options(path)
        assert response.status_code == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        for method in ("GET", "HEAD", "OPTIONS"):
            assert method in response.headers["Access-Control-Allow-Methods"]
        assert 'rel="linkset"' in response.headers["Link"]


@pytest.mark.parametrize("level", ["product", "batch", "label"])
def test_the_linkset_validates_against_gs1s_schema(client, labelled, level):
    _, _, paths = labelled
    path = {"product": f"/01/{GTIN}", "batch": f"/01/{GTIN}/10/NR2611",
            "label": paths[0].split("?")[0]}[level]
    by_query = client.get(path + "?linkType=linkset")
    by_accept = client.get(path, headers={"Accept": LINKSET})
    for response in (by_query, by_accept):
        assert response.status_code == 200
        assert response.mimetype == LINKSET
        assert "Accept" in response.headers["Vary"]
        assert "json-ld#context" in response.headers["Link"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = by_query.get_json()
    assert body == by_accept.get_json()
    jsonschema.validate(body, SCHEMA)
    anchors = [entry["anchor"] for entry in body["linkset"]]
    expected = {"product": [f"{BASE}/01/{GTIN}"],
                "batch": [f"{BASE}/01/{GTIN}/10/NR2611", f"{BASE}/01/{GTIN}"],
                "label": [BASE + path, f"{BASE}/01/{GTIN}/10/NR2611", f"{BASE}/01/{GTIN}"]}
    assert anchors == expected[level]
    for entry in body["linkset"]:
        assert entry["itemDescription"].startswith("Bưởi Năm Roi Kế Thành")
        default = entry["https://gs1.org/voc/defaultLink"]
        assert len(default) == 1 and set(default[0]) == {"href", "title"}
        assert default[0]["href"] == BASE + "/page" + entry["anchor"][len(BASE):]
    if level != "product":
        batch_entry = next(e for e in body["linkset"] if e["anchor"].endswith("/10/NR2611"))
        assert "không bị thu hồi" in batch_entry["https://gs1.org/voc/recallStatus"][0]["title"]


@pytest.mark.parametrize("link_type, target", [
    ("gs1:pip", "/page{label}"), ("gs1:verificationService", "/verify{label}"),
    ("gs1:epcis", "/epcis/01/" + GTIN + "/10/NR2611"),
    ("gs1:traceability", "/page/01/" + GTIN + "/10/NR2611#hanh-trinh"),
    ("gs1:certificationInfo", "/page/01/" + GTIN + "#chung-nhan"),
    ("gs1:recallStatus", "/page/01/" + GTIN + "/10/NR2611#thu-hoi"),
    ("https://gs1.org/voc/epcis", "/epcis/01/" + GTIN + "/10/NR2611"),
])
def test_a_requested_link_type_redirects_to_the_most_specific_link(client, labelled,
                                                                   link_type, target):
    _, _, paths = labelled
    label = paths[0].split("?")[0]
    response = client.get(f"{label}?linkType={link_type}")
    assert response.status_code == 307
    assert response.headers["Location"] == BASE + target.format(label=label)


def test_an_unknown_link_type_is_404(client, labelled):
    response = client.get(f"/01/{GTIN}?linkType=gs1:nosuchlt")
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_lot_walks_up_to_the_product(client, labelled):
    response = client.get(f"/01/{GTIN}/10/KL8G")
    assert response.status_code == 307
    page = client.get(f"/page/01/{GTIN}/10/KL8G", headers=PHONE)
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert "Lô KL8G không có trong sổ đăng ký." in text
    assert "Bưởi Năm Roi Kế Thành" in text and "Lô hàng NR2611" not in text
    linkset = client.get(f"/01/{GTIN}/10/KL8G?linkType=linkset").get_json()
    assert [e["anchor"] for e in linkset["linkset"]] == [f"{BASE}/01/{GTIN}"]


@pytest.mark.parametrize("path", [f"/01/{GTIN}/foo", "/01/12345678901234", f"/01/{GTIN}/21/A/10/B",
                                  f"/01/{GTIN}/10/NR2611?17=291399", "/01/abc",
                                  f"/page/01/{GTIN}/10/NR2611/foo"])
def test_bad_syntax_is_400(client, labelled, path):
    response = client.get(path, headers=PHONE)
    assert response.status_code == 400
    assert "Địa chỉ trên tem không đúng định dạng." in visible_text(response.get_data(as_text=True))


def test_an_unknown_gtin_is_404_at_the_resolver_and_at_the_page(client, labelled):
    assert client.get("/01/08939999000093").status_code == 404
    assert client.get("/page/01/08939999000093").status_code == 404


def test_a_forged_serial_is_404_at_once_with_no_product_data(app, client, labelled):
    _, _, paths = labelled
    good = paths[0].split("?")[0]
    forged = good[:-1] + ("A" if good[-1] != "A" else "B")
    for path in (forged, "/page" + forged):
        response = client.get(path, headers=PHONE)
        assert response.status_code == 404
        text = visible_text(response.get_data(as_text=True))
        assert "Mã này không do sổ đăng ký OCOP cấp" in text
        assert "Bưởi" not in text and "NR2611" not in text and "HTX" not in text
        assert "Báo nghi ngờ hàng giả" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Scan.id))) == 0


def test_a_signed_but_never_printed_serial_is_not_issued(app, client, labelled):
    from registry.label_runs.operations import signer

    product, batch, _ = labelled
    with app.app_context():
        unprinted = signer().make(GTIN, "NR2611", 50)
    path = f"/01/{GTIN}/10/NR2611/21/{unprinted}"
    assert client.get(path).status_code == 307  # the signature alone looks right …
    response = client.get("/page" + path, headers=PHONE)
    assert response.status_code == 404  # … but no run printed it
    assert "Mã này không do sổ đăng ký OCOP cấp" in visible_text(response.get_data(as_text=True))
    assert client.get(path + "?linkType=linkset").status_code == 404


def test_compressed_addresses_are_expanded(client, labelled):
    _, _, paths = labelled
    full = BASE + paths[0]
    compressed = compress_gs1_digital_link(full)
    assert compressed != full
    response = client.get(compressed[len(BASE):])
    assert response.status_code == 307
    path, query = paths[0].split("?")
    assert response.headers["Location"] == f"{BASE}/page{path}?{query}"
    assert f'<{full}>; rel="owl:sameAs"' in response.headers["Link"]
    linkset = client.get(compressed[len(BASE):] + "?linkType=linkset")
    assert linkset.status_code == 200 and linkset.get_json()["linkset"][0]["anchor"] == BASE + path


def test_products_without_gtin_use_the_registry_address(client, producer):
    product = factories.make_product(producer, name_vi="Vú sữa bơ hồng")
    batch = factories.make_batch(product, "VB01")
    paths = print_labels(batch, 1)
    assert paths[0].startswith(f"/p/{product.public_token}/10/VB01/21/")
    page = scan(client, paths[0])
    assert page.status_code == 200
    assert "Tem thật do sổ đăng ký cấp" in visible_text(page.get_data(as_text=True))


def test_the_verification_service_is_json_and_never_counted(app, client, labelled):
    _, _, paths = labelled
    label = paths[0].split("?")[0]
    for _ in range(7):
        response = client.get("/verify" + label, headers=PHONE)
    body = response.get_json()
    assert response.status_code == 200 and body["genuine"] is True
    assert body["checks"] == 0 and body["distinctClients"] == 0
    assert body["findings"] == ["genuine"] and body["lot"] == "NR2611"
    with app.app_context():
        rows = db.session.scalars(sa.select(Scan.client_class)).all()
    assert len(rows) == 7 and {r.value for r in rows} == {"api"}


def test_the_epcis_document_of_a_batch(client, labelled):
    response = client.get(f"/epcis/01/{GTIN}/10/NR2611")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.get_json()["type"] == "EPCISDocument"


def test_the_resolver_describes_itself(client):
    body = client.get("/.well-known/gs1resolver").get_json()
    assert body["resolverRoot"] == BASE and body["supportedPrimaryKeys"] == ["01"]
