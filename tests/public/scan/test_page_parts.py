"""The scan page rendered in parts (cached top and bottom, content per request) is the
same page, byte for byte, as the template rendered whole."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template

from registry.ocop.rules import today_vn
from registry.public.scan import landing

from ... import factories
from .support import BOT, page_of, print_labels


def test_parts_and_whole_give_the_same_page(app, client, producer, monkeypatch):
    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát",
                                     name_en="Sliced Lingzhi mushroom", gtin="8939999000017")
    factories.make_decision(product, today_vn() - timedelta(days=30), stars=4)
    label = print_labels(factories.make_batch(product, "LC2611A"), 1)[0]
    pages = {}
    for lang in ("vi", "en"):
        path = page_of(label) + ("&" if "?" in label else "?") + f"lang={lang}"
        client.get(path, headers=BOT)  # caches warm
        response = client.get(path, headers=BOT)
        assert response.status_code == 200
        parts = response.get_data(as_text=True)
        monkeypatch.setattr(landing, "_render_page",
                            lambda svc, key, facts, context: render_template(
                                landing.PAGE_TEMPLATE, **context))
        whole = client.get(path, headers=BOT).get_data(as_text=True)
        monkeypatch.undo()
        import difflib
        assert parts == whole, "\n".join(difflib.unified_diff(
            whole.splitlines(), parts.splitlines(), lineterm="", n=1))
        pages[lang] = parts
    assert pages["vi"] != pages["en"]
    assert "Tem thật do sổ đăng ký cấp" in pages["vi"] and "Sliced Lingzhi" in pages["en"]


def test_a_signed_in_header_never_reaches_another_visitor(app, client, auth, producer,
                                                          producer_user):
    from .support import visible_text

    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát",
                                     gtin="8939999000017")
    label = print_labels(factories.make_batch(product, "LC2611A"), 1)[0]
    path = page_of(label)
    auth.login("member.a")
    for _ in range(2):  # the second from the cached shell
        signed = visible_text(client.get(path, headers=BOT).get_data(as_text=True))
        assert "Member.A" in signed and "Đăng xuất" in signed
    # The test's app context is shared by its requests, and Flask-Login keeps the user
    # on ``g``; a real request starts with a fresh one.
    from flask import g
    g.pop("_login_user", None)
    other = app.test_client()
    anonymous = visible_text(other.get(path, headers=BOT).get_data(as_text=True))
    assert "Member.A" not in anonymous and "Đăng xuất" not in anonymous
    assert "Đăng nhập" in anonymous
    g.pop("_login_user", None)
    auth.logout()
    g.pop("_login_user", None)
    after = visible_text(client.get(path, headers=BOT).get_data(as_text=True))
    assert "Member.A" not in after and "Đăng nhập" in after
