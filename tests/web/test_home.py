"""The home page a new user sees first."""
from datetime import date, timedelta

from registry.ocop.rules import today_vn

from .. import factories


def test_home_lists_products_with_stars_and_producer(client, producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành")
    factories.make_decision(product, today_vn() - timedelta(days=10), stars=4, points="80")
    html = client.get("/").get_data(as_text=True)
    assert "Bưởi Năm Roi Kế Thành" in html
    assert "★★★★☆" in html
    assert "HTX Bưởi A" in html
    assert '<html lang="vi">' in html


def test_home_shows_an_expired_rating_as_expired(client, producer):
    product = factories.make_product(producer, name_vi="Cam sành")
    factories.make_decision(product, date(2020, 1, 2), stars=4, points="80")
    html = client.get("/").get_data(as_text=True)
    assert "Hạng OCOP 4 sao đã hết hiệu lực (hiệu lực đến 02/01/2023)" in html
    assert "Đạt OCOP" not in html and "★★★★☆" not in html


def test_home_paginates(app, client, producer):
    app.config["PRODUCTS_PER_PAGE"] = 2
    for i in range(5):
        factories.make_product(producer, name_vi=f"Sản phẩm {i}")
    first = client.get("/").get_data(as_text=True)
    third = client.get("/?page=3").get_data(as_text=True)
    assert "Sản phẩm 0" in first and "Sản phẩm 4" not in first
    assert "Sản phẩm 4" in third and "Trang 3 / 3" in third


def test_english_is_a_switch_away(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>OCOP products</h1>" in html and "Tiếng Việt" in html
    # the choice is remembered
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_accept_language_picks_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html
