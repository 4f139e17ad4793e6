"""A check is one client's look at a label: reloads count once, the warning is about
distinct clients, and API, linkset, verification, HEAD and bot requests never count."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from registry.extensions import db
from registry.models import LabelCheck, LabelClient, Scan
from registry.ocop.rules import today_vn

from ... import factories
from .support import BOT, PHONE, page_of, print_labels, scan, visible_text


@pytest.fixture
def labels(producer):
    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát",
                                     gtin="8939999000017")
    factories.make_decision(product, today_vn() - timedelta(days=100), stars=4)
    batch = factories.make_batch(product, "LC2611A")
    return print_labels(batch, 4)


def _client(n: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"10.0.0.{n}"}}


def _totals(app):
    with app.app_context():
        row = db.session.execute(sa.select(LabelCheck.checks, LabelCheck.clients)).first()
        scans = db.session.scalar(sa.select(sa.func.count(Scan.id)))
    return (tuple(row) if row else (0, 0)), scans


def test_eight_reloads_by_one_phone_are_one_check_and_no_warning(app, client, labels):
    for _ in range(8):
        page = scan(client, labels[0], **_client(1))
    text = visible_text(page.get_data(as_text=True))
    assert "Đây là lần kiểm tra đầu tiên của tem này." in text
    assert "sao chép" not in text and "Cảnh báo" not in text
    assert "Tem thật do sổ đăng ký cấp" in text
    assert _totals(app) == ((1, 1), 8)  # every load logged, one check counted


def test_six_distinct_phones_trigger_the_warning_with_its_reason(app, client, labels):
    for n in range(1, 6):
        text = visible_text(scan(client, labels[1], **_client(n)).get_data(as_text=True))
        assert "sao chép" not in text
    assert "Đã kiểm tra 5 lần bởi 5 thiết bị, lần đầu lúc" in text
    sixth = visible_text(scan(client, labels[1], **_client(6)).get_data(as_text=True))
    assert "Cảnh báo: tem này có thể đã bị sao chép" in sixth
    assert "Tem đã được kiểm tra bởi 6 thiết bị khác nhau, lần đầu lúc " in sixth
    assert "Tem thật do sổ đăng ký cấp" not in sixth
    with app.app_context():
        first = db.session.scalar(sa.select(LabelCheck.first_checked_at))
    from registry.templating import vn_when
    with app.test_request_context():
        assert vn_when(first) in sixth  # "lúc HH:MM ngày DD/MM/YYYY"
    other = visible_text(scan(client, labels[2], **_client(6)).get_data(as_text=True))
    assert "Đây là lần kiểm tra đầu tiên của tem này." in other  # each label its own count


def test_the_same_phone_counts_again_after_the_window(app, client, labels):
    scan(client, labels[0], **_client(1))
    with app.app_context():  # the window has passed for that phone
        for one in db.session.scalars(sa.select(LabelClient)):
            one.last_counted_at -= timedelta(minutes=31)
        db.session.commit()
    text = visible_text(scan(client, labels[0], **_client(1)).get_data(as_text=True))
    assert "Đã kiểm tra 2 lần bởi 1 thiết bị" in text
    assert _totals(app) == ((2, 1), 2)


def test_a_shorter_window_is_a_setting(app, client, labels):
    app.config["CHECK_WINDOW_MINUTES"] = 0
    app.extensions.pop("registry.scan", None)
    for _ in range(3):
        scan(client, labels[0], **_client(1))
    assert _totals(app)[0] == (3, 1)


def test_bots_head_linkset_and_verification_are_never_counted(app, client, labels):
    label = labels[0].split("?")[0]
    client.get(page_of(labels[0]), headers=BOT)
    client.head(page_of(labels[0]), headers=PHONE)
    client.get(label + "?linkType=linkset", headers=PHONE)
    client.get(label + "?linkType=gs1:verificationService", headers=PHONE)
    for _ in range(6):
        client.get("/verify" + label, headers=PHONE, **_client(7))
    client.get(page_of(labels[0]), headers={"Accept": "application/json",
                                            "User-Agent": PHONE["User-Agent"]})
    assert _totals(app)[0] == (0, 0)
    text = visible_text(scan(client, labels[0], **_client(1)).get_data(as_text=True))
    assert "Đây là lần kiểm tra đầu tiên của tem này." in text
    with app.app_context():
        classes = sorted(c.value for c in db.session.scalars(sa.select(Scan.client_class)))
    # logged: the bot, 6 verification calls, the JSON client and the phone (not HEAD)
    assert classes == ["api"] * 7 + ["bot", "phone"]


def test_a_bot_sees_the_page_but_its_look_is_not_a_check(app, client, labels):
    response = client.get(page_of(labels[0]), headers=BOT)
    text = visible_text(response.get_data(as_text=True))
    assert response.status_code == 200 and "Tem thật do sổ đăng ký cấp" in text
    assert "lần kiểm tra đầu tiên" not in text


def test_concurrent_scans_are_each_recorded_and_counted_exactly(app, labels):
    """12 threads: 4 phones × 3 loads each, at once. 12 scan rows, 4 checks, 4 clients."""
    errors, barrier = [], threading.Barrier(12)

    def one(n: int) -> None:
        try:
            with app.test_client() as c:
                barrier.wait(10)
                response = c.get(page_of(labels[3]), headers=PHONE, **_client(n % 4))
                assert response.status_code == 200, response.status_code
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert _totals(app) == ((4, 4), 12)
    with app.app_context():
        hits = db.session.scalars(sa.select(LabelClient.hits)).all()
    assert sorted(hits) == [3, 3, 3, 3]


def test_no_raw_address_is_stored(app, client, labels):
    scan(client, labels[0], **_client(42))
    with app.app_context():
        hashes = db.session.scalars(sa.select(Scan.client_hash)).all()
        stored = " ".join(str(v) for row in db.session.execute(sa.select(Scan)).all()
                          for v in row[0].__dict__.values())
    assert len(hashes[0]) == 16 and "10.0.0.42" not in stored


def test_trusted_proxies_is_opt_in(producer):
    from registry import create_app

    plain = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": "sqlite://"})
    proxied = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": "sqlite://",
                          "TRUSTED_PROXIES": 1})
    seen = []
    for app in (plain, proxied):
        @app.get("/_addr")
        def _addr():
            from flask import request
            seen.append(request.remote_addr)
            return ""
        app.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.9"},
                              environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == ["127.0.0.1", "203.0.113.9"]
