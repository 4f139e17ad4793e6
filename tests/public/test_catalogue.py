"""The public catalogue on the home page: search, filters, pages, what a buyer sees."""
from __future__ import annotations

import html as htmllib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from registry.extensions import db
from registry.labels.links import product_path
from registry.models import AdminUnit, ProductStatus, UnitLevel
from registry.ocop.criteria import CouncilLevel
from registry.ocop.rules import add_months, today_vn, valid_until
from registry.ratings.decisions import revoke_decision

from .. import factories

NAME = re.compile(r'<h2 class="product-name"><a href="([^"]*)">([^<]*)</a>')


def listed(client, query: str = "") -> list[str]:
    response = client.get("/" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [htmllib.unescape(name) for _href, name in NAME.findall(html)]


def page_html(client, query: str = "") -> str:
    response = client.get("/" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def stars(product, n: int, decided_on: date):
    points = {3: "60", 4: "80", 5: "92"}[n]
    level = CouncilLevel.NATIONAL if n == 5 else CouncilLevel.PROVINCE
    return factories.make_decision(product, decided_on, stars=n, points=points, level=level)


def revoke(decision, on: date) -> None:
    revoke_decision(decision, reason="Vi phạm an toàn thực phẩm", on=on, actor_label="test")
    db.session.commit()


# --- search ---------------------------------------------------------------------------

@pytest.fixture
def fruit(producer, other_producer):
    factories.make_product(producer, name_vi="Bưởi Năm Roi", name_en="Nam Roi pomelo",
                           subgroup="Trái cây tươi")
    factories.make_product(producer, name_vi="Bưởi da xanh")
    factories.make_product(other_producer, name_vi="Cam sành")
    factories.make_product(other_producer, name_vi="Đậu phộng rang muối")


@pytest.mark.parametrize("q", ["buoi nam roi", "Bưởi Năm Roi", "BƯỞI NĂM ROI", "BUOI NAM ROI",
                               "bưởi năm roi", "  buoi   NAM roi "])
def test_search_ignores_case_and_diacritics(client, fruit, q):
    assert listed(client, f"?q={q}") == ["Bưởi Năm Roi"]


def test_search_turns_d_with_stroke_into_d(client, fruit):
    assert listed(client, "?q=dau phong") == ["Đậu phộng rang muối"]
    assert listed(client, "?q=ĐẬU") == ["Đậu phộng rang muối"]


def test_every_word_must_match_in_any_order(client, fruit):
    assert listed(client, "?q=roi buoi") == ["Bưởi Năm Roi"]
    assert listed(client, "?q=buoi xanh") == ["Bưởi da xanh"]
    assert listed(client, "?q=buoi cam") == []


def test_search_finds_english_name_and_subgroup(client, fruit):
    assert listed(client, "?q=pomelo") == ["Bưởi Năm Roi"]
    assert listed(client, "?q=trai cay") == ["Bưởi Năm Roi"]


def test_search_finds_products_by_producer_name(client, producer, other_producer):
    factories.make_product(producer, name_vi="Mứt vỏ bưởi")
    factories.make_product(producer, name_vi="Mứt gừng")
    factories.make_product(other_producer, name_vi="Mứt cam")
    # "HTX Bưởi A" typed without accents; words may mix producer and product.
    assert listed(client, "?q=htx buoi") == ["Mứt gừng", "Mứt vỏ bưởi"]
    assert listed(client, "?q=mut gung htx buoi") == ["Mứt gừng"]
    assert listed(client, "?q=Cam B") == ["Mứt cam"]
    assert listed(client, "?q=htx") == ["Mứt cam", "Mứt gừng", "Mứt vỏ bưởi"]
    company = factories.make_producer(code="tvt", name="Công ty Thiên Vạn Tường")
    factories.make_product(company, name_vi="Nấm linh chi thái lát")
    assert listed(client, "?q=htx") == ["Mứt cam", "Mứt gừng", "Mứt vỏ bưởi"]
    assert listed(client, "?q=thien van tuong") == ["Nấm linh chi thái lát"]
    assert listed(client, "?q=t") == ["Mứt cam", "Mứt gừng", "Mứt vỏ bưởi",
                                      "Nấm linh chi thái lát"]


def test_percent_and_underscore_are_plain_characters(client, producer):
    factories.make_product(producer, name_vi="Nước mắm 40% đạm")
    factories.make_product(producer, name_vi="Nước mắm 40 độ đạm")
    factories.make_product(producer, name_vi="Trà a_b")
    factories.make_product(producer, name_vi="Trà axb")
    assert listed(client, "?q=40%25") == ["Nước mắm 40% đạm"]
    assert listed(client, "?q=%25") == ["Nước mắm 40% đạm"]
    assert listed(client, "?q=a_b") == ["Trà a_b"]


def test_results_are_sorted_with_d_stroke_among_d(client, producer):
    for name in ("Ếch đồng", "Đậu phộng", "Dừa sáp", "Cam sành", "Dưa lưới"):
        factories.make_product(producer, name_vi=name)
    assert listed(client) == ["Cam sành", "Đậu phộng", "Dưa lưới", "Dừa sáp", "Ếch đồng"]


def test_search_keeps_what_was_typed_in_the_box(client, fruit):
    html = page_html(client, "?q=Bưởi Năm")
    assert 'name="q" value="Bưởi Năm"' in html


# --- stars ---------------------------------------------------------------------------

def test_stars_filter_counts_only_the_current_valid_decision(client, producer):
    today = today_vn()
    valid4 = factories.make_product(producer, name_vi="A hợp lệ 4 sao")
    stars(valid4, 4, today - timedelta(days=30))
    expired = factories.make_product(producer, name_vi="B hết hạn 4 sao")
    stars(expired, 4, date(2020, 1, 2))
    revoked = factories.make_product(producer, name_vi="C thu hồi 4 sao")
    revoke(stars(revoked, 4, today - timedelta(days=200)), today - timedelta(days=1))
    revoked_later = factories.make_product(producer, name_vi="D thu hồi từ mai 4 sao")
    revoke(stars(revoked_later, 4, today - timedelta(days=200)), today + timedelta(days=1))
    rerated = factories.make_product(producer, name_vi="E xếp lại 4 xuống 3 sao")
    stars(rerated, 4, today - timedelta(days=400))
    stars(rerated, 3, today - timedelta(days=10))
    upgraded_tomorrow = factories.make_product(producer,
                                               name_vi="F 4 sao, quyết định 5 sao ngày mai")
    stars(upgraded_tomorrow, 4, today - timedelta(days=100))
    stars(upgraded_tomorrow, 5, today + timedelta(days=1))
    five = factories.make_product(producer, name_vi="G 5 sao")
    stars(five, 5, today - timedelta(days=5))
    factories.make_product(producer, name_vi="H chưa phân hạng")

    assert listed(client, "?stars=4") == ["A hợp lệ 4 sao", "D thu hồi từ mai 4 sao",
                                          "F 4 sao, quyết định 5 sao ngày mai"]
    assert listed(client, "?stars=3") == ["E xếp lại 4 xuống 3 sao"]
    assert listed(client, "?stars=5") == ["G 5 sao"]
    html = page_html(client, "?stars=4")
    assert "3 sản phẩm" in html
    assert '<option value="4" selected>' in html


def test_a_decision_counts_on_its_last_day_and_not_after(client, producer):
    today = today_vn()
    decided = add_months(today, -36)
    if valid_until(decided) != today:  # month-end clamping on a few days a year
        pytest.skip("no decision date ends exactly today")
    last_day = factories.make_product(producer, name_vi="Hết hạn cuối ngày hôm nay")
    stars(last_day, 4, decided)
    gone = factories.make_product(producer, name_vi="Hết hạn hôm qua")
    stars(gone, 4, decided - timedelta(days=1))
    assert listed(client, "?stars=4") == ["Hết hạn cuối ngày hôm nay"]


def test_same_day_decisions_the_later_recorded_wins(client, producer):
    day = today_vn() - timedelta(days=3)
    product = factories.make_product(producer, name_vi="Hai quyết định cùng ngày")
    stars(product, 4, day)
    stars(product, 3, day)
    assert listed(client, "?stars=3") == ["Hai quyết định cùng ngày"]
    assert listed(client, "?stars=4") == []


# --- group and commune ---------------------------------------------------------------

def test_group_filter(client, producer):
    factories.make_product(producer, name_vi="Bưởi Năm Roi", group_code=1)
    factories.make_product(producer, name_vi="Rượu nếp", group_code=2)
    factories.make_product(producer, name_vi="Nấm linh chi thái lát", group_code=3)
    assert listed(client, "?group=3") == ["Nấm linh chi thái lát"]
    assert listed(client, "?group=2") == ["Rượu nếp"]
    assert listed(client, "?group=5") == []
    html = page_html(client, "?group=3")
    assert '<option value="3" selected>Dược liệu và sản phẩm từ dược liệu</option>' in html


@pytest.fixture
def places(producer, other_producer):
    ke_thanh = factories.make_commune("Kế Thành")
    trinh_phu = factories.make_commune("Trinh Phú")
    empty = factories.make_commune("An Mỹ")
    archived_only = factories.make_commune("Phong Nẫm")
    producer.commune = ke_thanh
    other_producer.commune = trinh_phu
    third = factories.make_producer(code="htx-c", name="HTX Xoài C", commune=archived_only)
    db.session.commit()
    factories.make_product(producer, name_vi="Bưởi Năm Roi")
    factories.make_product(producer, name_vi="Khóm Cầu Đúc", group_code=1)
    factories.make_product(other_producer, name_vi="Cam sành", group_code=1)
    factories.make_product(other_producer, name_vi="Rượu nếp", group_code=2)
    factories.make_product(third, name_vi="Xoài cát chu", status=ProductStatus.ARCHIVED)
    return {"ke_thanh": ke_thanh.id, "trinh_phu": trinh_phu.id, "empty": empty.id,
            "archived_only": archived_only.id}


def test_commune_filter_offers_communes_with_listed_products(client, places):
    html = page_html(client)
    assert f'<option value="{places["ke_thanh"]}">xã Kế Thành</option>' in html
    assert f'<option value="{places["trinh_phu"]}">xã Trinh Phú</option>' in html
    assert "An Mỹ" not in html and "Phong Nẫm" not in html
    assert listed(client, f"?commune={places['ke_thanh']}") == ["Bưởi Năm Roi", "Khóm Cầu Đúc"]
    assert listed(client, f"?commune={places['trinh_phu']}") == ["Cam sành", "Rượu nếp"]


def test_communes_of_the_same_name_say_their_district(client, producer, other_producer):
    province = AdminUnit(level=UnitLevel.PROVINCE, kind="tỉnh", name="Sóc Trăng")
    for prod, district in ((producer, "Kế Sách"), (other_producer, "Mỹ Tú")):
        parent = AdminUnit(level=UnitLevel.DISTRICT, kind="huyện", name=district,
                           parent=province)
        prod.commune = AdminUnit(level=UnitLevel.COMMUNE, kind="xã", name="An Hiệp",
                                 parent=parent)
        factories.make_product(prod, name_vi=f"Sản phẩm {district}")
    db.session.commit()
    html = page_html(client)
    assert ">xã An Hiệp, huyện Kế Sách</option>" in html
    assert ">xã An Hiệp, huyện Mỹ Tú</option>" in html


def test_filters_combine(client, places, producer, other_producer):
    today = today_vn()
    cam = next(p for p in other_producer.products if p.name_vi == "Cam sành")
    stars(cam, 4, today - timedelta(days=20))
    ruou = next(p for p in other_producer.products if p.name_vi == "Rượu nếp")
    stars(ruou, 4, today - timedelta(days=20))
    khom = next(p for p in producer.products if p.name_vi == "Khóm Cầu Đúc")
    stars(khom, 4, today - timedelta(days=20))
    tp = places["trinh_phu"]
    assert listed(client, f"?stars=4&group=1&commune={tp}") == ["Cam sành"]
    assert listed(client, f"?stars=4&commune={tp}") == ["Cam sành", "Rượu nếp"]
    assert listed(client, "?stars=4&group=1") == ["Cam sành", "Khóm Cầu Đúc"]
    assert listed(client, f"?q=ruou&stars=4&group=2&commune={tp}") == ["Rượu nếp"]
    assert listed(client, f"?q=ruou&stars=3&group=2&commune={tp}") == []


# --- pages, count, empty result ------------------------------------------------------

def test_pages_keep_the_filters(app, client, producer, other_producer):
    app.config["PRODUCTS_PER_PAGE"] = 2
    for i in range(5):
        factories.make_product(producer, name_vi=f"Bưởi {i}", group_code=1)
    factories.make_product(producer, name_vi="Bưởi rượu", group_code=2)
    factories.make_product(other_producer, name_vi="Cam 9", group_code=1)

    html = page_html(client, "?q=buoi&group=1&stars=&commune=")
    assert "5 sản phẩm" in html and "Trang 1 / 3" in html
    assert re.findall(r"Bưởi \d", html) == ["Bưởi 0", "Bưởi 1"]
    next_link = htmllib.unescape(re.search(r'<a href="([^"]+)" rel="next">', html).group(1))
    assert "q=buoi" in next_link and "group=1" in next_link
    assert "stars=" not in next_link and "commune=" not in next_link

    second = page_html(client, next_link.removeprefix("/"))
    assert "Trang 2 / 3" in second and re.findall(r"Bưởi \d", second) == ["Bưởi 2", "Bưởi 3"]
    prev_link = htmllib.unescape(re.search(r'<a href="([^"]+)" rel="prev">', second).group(1))
    assert "q=buoi" in prev_link and "group=1" in prev_link
    last = page_html(client, htmllib.unescape(
        re.search(r'<a href="([^"]+)" rel="next">', second).group(1)).removeprefix("/"))
    assert [name for _href, name in NAME.findall(last)] == ["Bưởi 4"]


def test_count_and_links_to_product_pages(client, producer):
    with_gtin = factories.make_product(producer, name_vi="Bưởi Năm Roi", gtin="8939999000017")
    without = factories.make_product(producer, name_vi="Cam sành")
    html = page_html(client)
    assert "2 sản phẩm" in html
    links = dict((name, href) for href, name in NAME.findall(html))
    assert links["Bưởi Năm Roi"] == product_path(with_gtin) == "/page/01/08939999000017"
    assert links["Cam sành"] == product_path(without)


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client, fruit):
    html = page_html(client, "?q=sầu riêng&group=1")
    assert "0 sản phẩm" in html
    assert "Không có sản phẩm nào phù hợp với tìm kiếm và bộ lọc đã chọn." in html
    assert '<a href="/">Xoá bộ lọc để xem tất cả sản phẩm</a>' in html
    assert 'class="product-card"' not in html


def test_no_clear_link_without_filters(client, fruit):
    assert "Xoá bộ lọc" not in page_html(client)
    assert "Xoá bộ lọc" in page_html(client, "?q=cam")


def test_empty_registry_still_explains_how_to_load_the_demo(client):
    html = page_html(client)
    assert "Chưa có sản phẩm nào" in html and "Xoá bộ lọc" not in html


# --- bad input -----------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "?stars=abc", "?stars=0", "?stars=2", "?stars=6", "?stars=-4", "?stars=4.5",
    "?group=99", "?group=0", "?group=abc", "?group=",
    "?commune=999999", "?commune=abc", "?commune=-1",
    "?page=-1", "?page=0", "?page=abc", "?page=99999999999999999999999999999",
    "?page=" + "9" * 5000, "?page=2.5",
    "?q=" + "bưởi " * 400, "?q=%25%25%25_", "?q=%00", "?q=%F0%9F%8D%8A",
    "?stars=abc&group=99&page=-1&commune=999999",
])
def test_invalid_filter_values_are_ignored(client, producer, other_producer, query):
    factories.make_product(producer, name_vi="Bưởi Năm Roi")
    factories.make_product(other_producer, name_vi="Cam sành")
    response = client.get("/" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    names = NAME.findall(html)
    if "q=" in query and "bưởi" in query:
        assert [n for _h, n in names] == ["Bưởi Năm Roi"]
    elif "q=%25" in query or "q=%F0" in query:
        assert names == []
    else:
        assert [n for _h, n in names] == ["Bưởi Năm Roi", "Cam sành"]
        assert " selected>" not in html  # the form says "all" for the ignored filter


def test_a_page_past_the_end_shows_the_last_page(app, client, producer):
    app.config["PRODUCTS_PER_PAGE"] = 2
    for i in range(3):
        factories.make_product(producer, name_vi=f"Sản phẩm {i}")
    html = page_html(client, "?page=40")
    assert "Trang 2 / 2" in html and "Sản phẩm 2" in html


# --- archived products ---------------------------------------------------------------

def test_archived_products_are_never_listed(client, producer):
    kept = factories.make_product(producer, name_vi="Bưởi Năm Roi")
    gone = factories.make_product(producer, name_vi="Bưởi cũ đã lưu trữ",
                                  status=ProductStatus.ARCHIVED)
    stars(kept, 4, today_vn() - timedelta(days=3))
    stars(gone, 4, today_vn() - timedelta(days=3))
    for query in ("", "?q=buoi", "?q=luu tru", "?stars=4", "?group=1", "?q=htx"):
        assert "Bưởi cũ đã lưu trữ" not in page_html(client, query)
    assert "1 sản phẩm" in page_html(client, "?stars=4")
    assert listed(client, "?q=luu tru") == []


# --- other ways in, languages, efficiency --------------------------------------------

def test_san_pham_is_the_catalogue_too(client):
    response = client.get("/san-pham?q=buoi&stars=4")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?q=buoi&stars=4"


def test_english_page_shows_english_group_names(client, producer):
    factories.make_product(producer, name_vi="Bưởi Năm Roi", group_code=1)
    html = page_html(client, "?lang=en")
    assert '<p class="group">Food</p>' in html
    assert ">Herbal materials and products</option>" in html


def test_language_switch_keeps_the_filters(client, fruit):
    html = page_html(client, "?q=buoi&group=1")
    switch = htmllib.unescape(re.search(r'<a href="([^"]+)" hreflang="en"', html).group(1))
    assert "q=buoi" in switch and "group=1" in switch and "lang=en" in switch


def test_query_count_does_not_grow_with_the_products(app, client, producer, other_producer):
    commune = factories.make_commune("Kế Thành")
    producer.commune = commune
    db.session.commit()

    def make(n):
        for i in range(n):
            p = factories.make_product(producer if i % 2 else other_producer,
                                       name_vi=f"Bưởi {len(producer.products)}-{i}")
            stars(p, 4, today_vn() - timedelta(days=5 + i))

    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    def queries(query):
        app.extensions.pop("registry.catalogue", None)  # a listing rendered afresh
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            client.get(query)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    make(2)
    client.get("/")
    few = {q: queries(q) for q in ("/", "/?q=buoi&stars=4&group=1")}
    make(12)
    many = {q: queries(q) for q in ("/", "/?q=buoi&stars=4&group=1")}
    assert many == few
    assert max(many.values()) <= 8
    client.get("/")
    statements.clear()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/")  # the same listing again, at the same public version
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # Only the version check, which runs on the scan path's own connection (outside the
    # engine's events): the listing comes from this process's cache …
    assert len(statements) == 0
    # … and is never older than the last committed change.
    factories.make_product(producer, name_vi="Bưởi mới thêm")
    assert "Bưởi mới thêm" in client.get("/").get_data(as_text=True)
