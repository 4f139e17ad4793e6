"""Cases a review found: edits elsewhere never make a scan fail, a downgrade voids the
printed stars, the two address forms never share a cache entry, in-app browsers are
people, the resolver's errors carry CORS, and paths are decoded once."""
from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from registry.extensions import db
from registry.models import ClientClass, Product, Scan
from registry.ocop.rules import today_vn
from registry.public.clients import classify

from ... import factories
from .support import PHONE, page_of, print_labels, scan, visible_text


def _rated(producer, gtin="8939999000017", stars=4):
    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát", gtin=gtin)
    factories.make_decision(product, today_vn() - timedelta(days=200), stars=stars,
                            points="75" if stars == 4 else "60", number="2585/QĐ-UBND")
    return product


def test_scans_never_fail_while_other_public_data_changes(app, producer):
    product = _rated(producer)
    other = factories.make_product(producer, name_vi="Bưởi", gtin="8939999000055")
    labels = print_labels(factories.make_batch(product, "LC2611A"), 4)
    statuses, stop = [], threading.Event()

    def edit() -> None:
        with app.app_context():
            n = 0
            while not stop.is_set() and n < 60:
                row = db.session.get(Product, other.id)
                row.name_en = f"Pomelo {n}"
                db.session.commit()
                n += 1

    def scans(i: int) -> None:
        with app.test_client() as c:
            for _ in range(6):
                statuses.append(c.get(page_of(labels[i]), headers=PHONE,
                                      environ_base={"REMOTE_ADDR": f"10.1.0.{i}"}).status_code)

    editor = threading.Thread(target=edit)
    editor.start()
    threads = [threading.Thread(target=scans, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    editor.join(60)
    assert statuses == [200] * 24
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Scan.id))) == 24


def test_a_downgrade_voids_the_stars_printed_on_the_label(client, producer):
    product = _rated(producer)
    label = print_labels(factories.make_batch(product, "LC2611A"), 1)[0]  # OCOP ★★★★
    factories.make_decision(product, today_vn() - timedelta(days=1), stars=3, points="60",
                            number="3001/QĐ-UBND")
    text = visible_text(scan(client, label).get_data(as_text=True))
    assert "⚠ Hạng sao in trên tem này không còn giá trị" in text
    assert ("Tem được in khi sản phẩm còn hạng OCOP 4 sao; nay sản phẩm đạt OCOP 3 sao "
            "theo quyết định 3001/QĐ-UBND.") in text
    assert "Tem thật do sổ đăng ký cấp" not in text
    body = client.get("/verify" + label.split("?")[0]).get_json()
    assert body["printedStarsVoid"] is True and body["findings"][0] == "stars_void"


def test_the_void_stars_are_blamed_on_the_decision_that_printed_them(client, producer):

    from registry.ratings import decisions
    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát",
                                     gtin="8939999000017")
    first = factories.make_decision(product, today_vn() - timedelta(days=1000), stars=4)
    label = print_labels(factories.make_batch(product, "LC2611A"), 1)[0]
    # the 4★ decision then expires; a later 3★ one is revoked
    first.valid_until = today_vn() - timedelta(days=20)
    db.session.commit()
    later = factories.make_decision(product, today_vn() - timedelta(days=10), stars=3,
                                    points="60")
    decisions.revoke_decision(later, reason="Vi phạm", on=today_vn(), actor_label="test")
    db.session.commit()
    text = visible_text(scan(client, label).get_data(as_text=True))
    expected = (f"Tem được in khi sản phẩm còn hạng OCOP 4 sao; hạng sao đó đã hết hiệu "
                f"lực sau ngày {first.valid_until:%d/%m/%Y}.")
    assert expected in text
    assert "Hạng OCOP 3 sao đã bị thu hồi ngày" in text  # the rating statement


def test_the_p_form_of_a_gtin_is_not_the_gtin(client, producer):
    product = _rated(producer)
    label = print_labels(factories.make_batch(product, "LC2611A"), 1)[0]
    assert scan(client, label).status_code == 200  # the /01/ form is now cached
    as_code = label.replace("/01/08939999000017", "/p/08939999000017").split("?")[0]
    assert client.get("/page" + as_code, headers=PHONE).status_code == 404
    assert client.get("/page/p/08939999000017", headers=PHONE).status_code == 404
    assert client.get("/p/08939999000017").status_code == 404


def test_in_app_browsers_are_people_and_preview_fetchers_are_bots():
    telegram = ("Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like "
                "Gecko) Chrome/120.0 Mobile Safari/537.36 Telegram-Android/10.5.0")
    linkedin = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
                "(KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.8960")
    assert classify(telegram, accept="text/html") is ClientClass.PHONE
    assert classify(linkedin, accept="text/html") is ClientClass.PHONE
    for bot in ("TelegramBot (like TwitterBot)", "LinkedInBot/1.0 (compatible; Mozilla/5.0)",
                "Pinterestbot/1.0", "facebookexternalhit/1.1", "WhatsApp/2.23.20.0 A"):
        assert classify(bot, accept="text/html") is ClientClass.BOT, bot


def test_resolver_errors_carry_cors_and_vary(client, producer):
    _rated(producer)
    for path in ("/01/08939999000017/foo", "/01/08939999000017?17=991399"):
        response = client.get(path)
        assert response.status_code == 400
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept" in response.headers["Vary"]
    page = client.get("/page/01/08939999000017", headers=PHONE)
    assert page.headers["Access-Control-Allow-Origin"] == "*"


def test_paths_are_percent_decoded_once(client, producer):
    product = _rated(producer)
    factories.make_batch(product, "LC2611A")
    assert client.get("/page/01/08939999000017/10/LC2611A", headers=PHONE).status_code == 200
    # %2541 is an encoded "%41": a lot "LC2611%41" (not in the registry), never "LC2611A"
    response = client.get("/page/01/08939999000017/10/LC2611%2541", headers=PHONE)
    text = visible_text(response.get_data(as_text=True))
    assert "Lô LC2611%41 không có trong sổ đăng ký." in text
    assert "Lô hàng LC2611A" not in text


def test_batch_pages_name_the_recall_status_and_history_says_superseded(client, producer):
    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát",
                                     name_en="Sliced Lingzhi", gtin="8939999000017")
    factories.make_decision(product, today_vn() - timedelta(days=400), stars=4,
                            number="1/QĐ-UBND")
    factories.make_decision(product, today_vn() - timedelta(days=10), stars=3, points="60",
                            number="2/QĐ-UBND")
    factories.make_batch(product, "LC2611A")
    vi = visible_text(client.get("/page/01/08939999000017/10/LC2611A?lang=vi",
                                 headers=PHONE).get_data(as_text=True))
    assert "Tình trạng thu hồi Không bị thu hồi" in vi
    assert "đã được thay bằng quyết định 2/QĐ-UBND" in vi
    en = visible_text(client.get("/page/01/08939999000017/10/LC2611A?lang=en",
                                 headers=PHONE).get_data(as_text=True))
    assert "Recall status Not recalled" in en and "Revoke" not in en
    assert "superseded by decision 2/QĐ-UBND" in en
