"""What a buyer's phone gets when it opens a label address."""
from __future__ import annotations

import threading
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from registry.extensions import db
from registry.models import ClientClass, Scan
from registry.ocop.rules import today_vn
from registry.printing.operations import order_label_run, print_job, signer
from registry.ratings.operations import revoke_decision

from .. import factories

PHONE = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 "
                       "Mobile Safari/537.36", "Accept": "text/html"}
BOT = {"User-Agent": "facebookexternalhit/1.1", "Accept": "text/html"}


@pytest.fixture
def labelled(producer):
    """A rated product with a batch and 5 printed labels; returns (product, batch, paths)."""
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     name_en="Kế Thành Năm Roi pomelo", gtin="8939999000055")
    factories.make_decision(product, today_vn() - timedelta(days=400), stars=4, points="80",
                            number="2585/QĐ-UBND")
    batch = factories.make_batch(product, "NR2611", harvest_date=date(2026, 11, 10),
                                 expiry_date=date(2026, 12, 20))
    run = order_label_run(batch, count=5, layout="a4-3x8")
    db.session.commit()
    paths = [urlsplit(c.url) for c in print_job(run).contents(signer())]
    return product, batch, [p.path + "?" + p.query for p in paths]


def test_a_genuine_label_opens_the_product_page_with_its_verdict(client, labelled):
    product, batch, paths = labelled
    response = client.get(paths[0], headers=PHONE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bưởi Năm Roi Kế Thành" in html and "HTX Bưởi A" in html
    assert "Tem thật do sổ đăng ký cấp" in html
    assert "Đây là lần kiểm tra đầu tiên" in html
    assert "quyết định 2585/QĐ-UBND ngày" in html and "còn hiệu lực đến" in html
    assert "Lô hàng NR2611" in html and "10/11/2026" in html
    assert '<html lang="vi">' in html


def test_checks_are_counted_and_a_warning_appears_above_the_threshold(app, client, labelled):
    app.config["SCAN_WARNING_THRESHOLD"] = 3
    _, _, paths = labelled
    for _ in range(3):
        client.get(paths[1], headers=PHONE)
    third = client.get(paths[1], headers=PHONE).get_data(as_text=True)
    assert "Cảnh báo: mã này đã được kiểm tra 4 lần" in third
    other = client.get(paths[2], headers=PHONE).get_data(as_text=True)
    assert "lần kiểm tra đầu tiên" in other  # each label has its own count


def test_link_previews_are_recorded_but_not_counted(client, labelled):
    _, _, paths = labelled
    client.get(paths[0], headers=BOT)
    client.get(paths[0], headers=BOT)
    html = client.get(paths[0], headers=PHONE).get_data(as_text=True)
    assert "lần kiểm tra đầu tiên" in html
    classes = db.session.scalars(db.select(Scan.client_class)).all()
    assert sorted(c.value for c in classes) == ["bot", "bot", "phone"]


def test_head_requests_record_nothing(client, labelled):
    _, _, paths = labelled
    assert client.head(paths[0], headers=PHONE).status_code == 200
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == 0


def test_a_forged_serial_gets_404_and_no_product_data(client, labelled):
    _, _, paths = labelled
    path, query = paths[0].split("?")
    serial = path.rsplit("/", 1)[1]
    forged = path[: -len(serial)] + serial[:-1] + ("2" if serial[-1] != "2" else "3")
    response = client.get(forged + "?" + query, headers=PHONE)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "không do sổ đăng ký OCOP cấp" in html
    assert "Bưởi Năm Roi" not in html and "HTX Bưởi A" not in html
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == 0


def test_a_serial_on_an_unknown_lot_is_not_issued(client, labelled):
    _, _, paths = labelled
    response = client.get(paths[0].replace("/10/NR2611/", "/10/XX999/"), headers=PHONE)
    assert response.status_code == 404
    assert "Bưởi Năm Roi" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/01/08939999000056",             # wrong check digit
    "/01/08939999000055/21/X/10/Y",   # qualifiers out of order
    "/01/08939999000055/99/X",        # unknown qualifier
    "/01/08939999000055/10",          # missing value
])
def test_malformed_addresses_get_400(client, labelled, path):
    response = client.get(path, headers=PHONE)
    assert response.status_code == 400
    assert "không đúng định dạng" in response.get_data(as_text=True)


def test_unknown_product_gets_404(client, labelled):
    assert client.get("/01/08939999000086", headers=PHONE).status_code == 404
    assert client.get("/p/ZZZZZZZZZZ", headers=PHONE).status_code == 404


def test_product_and_batch_addresses_and_trailing_slash(client, labelled):
    product, batch, _ = labelled
    assert client.get("/01/08939999000055/", headers=PHONE).status_code == 200
    assert client.get("/01/8939999000055", headers=PHONE).status_code == 200  # GTIN-13
    page = client.get("/01/08939999000055/10/NR2611/", headers=PHONE)
    assert page.status_code == 200 and "Lô hàng NR2611" in page.get_data(as_text=True)
    assert "Tem thật" not in page.get_data(as_text=True)


def test_products_without_gtin_answer_at_their_registry_address(client, producer):
    product = factories.make_product(producer, name_vi="Vú sữa bơ hồng")
    batch = factories.make_batch(product, "VS1")
    run = order_label_run(batch, count=1, layout="roll-50x30")
    db.session.commit()
    url = next(print_job(run).contents(signer())).url
    assert f"/p/{product.public_token}/10/VS1/21/" in url
    response = client.get(urlsplit(url).path, headers=PHONE)
    assert response.status_code == 200 and "Tem thật" in response.get_data(as_text=True)


def test_expired_and_revoked_ratings_read_plainly(client, producer):
    expired = factories.make_product(producer, name_vi="Cam sành", gtin="8939999000079")
    factories.make_decision(expired, date(2020, 3, 10), stars=4, points="75")
    html = client.get("/01/08939999000079", headers=PHONE).get_data(as_text=True)
    assert "Đã hết hiệu lực: 4★" in html and "còn hiệu lực đến" not in html
    revoked = factories.make_product(producer, name_vi="Xoài", gtin="8939999000086")
    decision = factories.make_decision(revoked, today_vn() - timedelta(days=100), stars=3,
                                       points="60")
    revoke_decision(decision, reason="Vi phạm tiêu chí bắt buộc", on=today_vn())
    db.session.commit()
    html = client.get("/01/08939999000086", headers=PHONE).get_data(as_text=True)
    assert "Đã bị thu hồi ngày" in html and "Vi phạm tiêu chí bắt buộc" in html


def test_linkset_by_query_and_by_accept_header(client, labelled):
    _, _, paths = labelled
    path = paths[0].split("?")[0]
    for response in (client.get(path + "?linkType=linkset"),
                     client.get(path, headers={"Accept": "application/linkset+json"})):
        assert response.status_code == 200
        assert response.mimetype == "application/linkset+json"
        entry = response.json["linkset"][0]
        assert entry["anchor"].endswith(path)
        for link_type in ("pip", "certificationInfo", "traceability", "verificationService"):
            assert entry[f"https://gs1.org/voc/{link_type}"][0]["href"].startswith("https://")
    # a linkset request is an API call: it never counts as a person's check
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == 0


def test_epcis_document_of_a_batch(client, labelled):
    from registry.models import BizStep, TraceEvent

    _, batch, _ = labelled
    from datetime import datetime

    from registry.ocop.rules import VN_TZ

    db.session.add(TraceEvent(batch_id=batch.id, biz_step=BizStep.HARVESTING,
                              event_time=datetime(2026, 11, 10, 6, 30, tzinfo=VN_TZ)))
    db.session.commit()
    doc = client.get("/01/08939999000055/10/NR2611?linkType=gs1:epcis").json
    assert doc["type"] == "EPCISDocument" and doc["schemaVersion"] == "2.0"
    event = doc["epcisBody"]["eventList"][0]
    assert event["eventTime"] == "2026-11-09T23:30:00.000Z"
    assert event["eventTimeZoneOffset"] == "+07:00" and event["bizStep"] == "harvesting"


def test_verification_service_json(client, labelled):
    _, _, paths = labelled
    path = paths[3].split("?")[0]
    client.get(path, headers=PHONE)
    data = client.get(path + "?linkType=gs1:verificationService",
                      headers={"Accept": "application/json", "User-Agent": "app"}).json
    assert data["genuine"] is True and data["checks"] == 1


def test_the_resolver_describes_itself(client):
    data = client.get("/.well-known/gs1resolver").json
    assert data["resolverRoot"] == "https://ocop.test"
    assert "01" in data["supportedPrimaryKeys"]


def test_english_product_page(client, labelled):
    _, _, paths = labelled
    html = client.get(paths[0] .split("?")[0] + "?lang=en", headers=PHONE).get_data(as_text=True)
    assert '<html lang="en">' in html and "<h1>Kế Thành Năm Roi pomelo</h1>" in html
    assert "Cooperative" in html and "Hợp tác xã" not in html  # labels follow the language


def test_page_carries_json_ld_and_open_graph(client, labelled):
    import json
    import re

    _, _, paths = labelled
    html = client.get("/01/08939999000055", headers=PHONE).get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["@type"] == "Product" and data["gtin14"] == "08939999000055"
    assert "OCOP 4 sao" in data["award"]
    assert '<meta property="og:title" content="Bưởi Năm Roi Kế Thành · OCOP 4★">' in html


def test_page_and_css_together_stay_under_30_kb(client, labelled):
    _, _, paths = labelled
    html = client.get(paths[0], headers=PHONE).get_data()
    css = client.get("/static/css/site.css").get_data()
    assert len(html) + len(css) < 30 * 1024
    assert b"<script src=" not in html  # nothing render-blocking from elsewhere


def test_concurrent_scans_are_all_counted(app, labelled):
    _, _, paths = labelled
    statuses = []

    def scan():
        with app.test_client() as c:
            for _ in range(5):
                statuses.append(c.get(paths[4], headers=PHONE).status_code)

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 20
    with app.app_context():
        from registry.models import LabelCheck

        counted = db.session.scalar(db.select(db.func.count(Scan.id)).where(
            Scan.client_class == ClientClass.PHONE))
        total = db.session.scalar(db.select(LabelCheck.checks))
    assert counted == 20
    assert total == 20  # the running total the page shows lost no update either
