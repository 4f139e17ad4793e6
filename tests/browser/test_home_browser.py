"""A new user opens the registry on a phone and logs in."""
from .conftest import no_horizontal_scroll


def test_home_on_a_phone_shows_demo_products_with_stars(live_server, phone):
    phone.goto(live_server + "/")
    assert phone.locator("h1").inner_text() == "Sản phẩm OCOP"
    card = phone.locator(".product-card", has_text="Nấm linh chi thái lát")
    assert "★★★★☆" in card.inner_text()
    assert "Công ty Thiên Vạn Tường" in card.inner_text()
    revoked = phone.locator(".product-card", has_text="Xoài cát chu An Lạc Tây")
    assert "đã bị thu hồi" in revoked.inner_text()
    assert no_horizontal_scroll(phone)


def test_member_logs_in_and_out_through_the_form(live_server, phone):
    phone.goto(live_server + "/login")
    phone.fill("input[name=login]", "htx.kethanh")
    phone.fill("input[name=password]", "ocop-demo-2026")
    phone.click("button[type=submit]")
    assert "Đăng nhập thành công" in phone.locator(".flash").inner_text()
    assert no_horizontal_scroll(phone)
    phone.click("text=Đăng xuất")
    assert "Bạn đã đăng xuất" in phone.locator(".flash").inner_text()


def test_home_in_english_sets_the_lang_attribute(live_server, phone):
    phone.goto(live_server + "/?lang=en")
    assert phone.locator("html").get_attribute("lang") == "en"
