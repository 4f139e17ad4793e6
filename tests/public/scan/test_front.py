"""The resolver's front (``registry/public/scan/front.py``) answers a plain scan's 307
before Flask's request cycle: exactly what Flask would have answered, header by header,
and nothing else (every other request is left to Flask)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from werkzeug.test import EnvironBuilder

from registry.ocop.rules import today_vn
from registry.public.scan.front import ResolverFront

from ... import factories
from .support import PHONE, print_labels

GTIN = "08939999000062"


@pytest.fixture
def labelled(producer):
    product = factories.make_product(producer, name_vi="Mật ong bạc hà", gtin=GTIN)
    factories.make_decision(product, today_vn() - timedelta(days=30), stars=4, points="80",
                            number="101/QĐ-UBND")
    batch = factories.make_batch(product, "MO2611", harvest_date=date(2026, 11, 10),
                                 expiry_date=today_vn() + timedelta(days=300))
    coded = factories.make_product(producer, name_vi="Khô cá lóc")
    coded_batch = factories.make_batch(coded, "KC01", harvest_date=date(2026, 11, 1))
    return print_labels(batch, 2), print_labels(coded_batch, 1)


def _environ(path: str, method: str = "GET", headers=None, https: bool = False):
    target, _, query = path.partition("?")
    environ = EnvironBuilder(path=target, query_string=query, method=method,
                             headers=headers if headers is not None else PHONE,
                             base_url=("https" if https else "http") + "://ocop.test",
                             environ_base={"REMOTE_ADDR": "10.9.8.7"}).get_environ()
    if not environ.get("HTTP_COOKIE"):
        environ.pop("HTTP_COOKIE", None)  # as a server sends it: no empty header
    return environ


def _through_flask(front: ResolverFront, environ):
    seen = {}

    def start_response(status, headers, exc_info=None):  # noqa: ARG001
        seen["status"], seen["headers"] = status, list(headers)
    body = front.wsgi_app(dict(environ), start_response)
    data = b"".join(body)
    getattr(body, "close", lambda: None)()
    return seen["status"], seen["headers"], data


@pytest.fixture
def front(app, client, labelled):
    front = app.wsgi_app
    assert isinstance(front, ResolverFront)
    (label, _), (coded,) = labelled
    for path in (label, coded):  # the first request of a process goes through Flask
        assert client.get(path, headers=PHONE).status_code == 307
    return front


def _cases(labelled):
    (label, second), (coded,) = labelled
    path, _, query = label.partition("?")
    batch = path.rsplit("/21/", 1)[0]
    product = batch.rsplit("/10/", 1)[0]
    return {
        "label": (label, {}),
        "label HEAD": (label, {"method": "HEAD"}),
        "another label": (second, {}),
        "label over https": (label, {"https": True}),
        "label, extra query passed on": (f"{label}&foo=bar&&x=1", {}),
        "label without expiry": (path, {}),
        "label, no Accept": (label, {"headers": {"User-Agent": PHONE["User-Agent"]}}),
        "label, no headers at all": (label, {"headers": {}}),
        "label, language cookie": (label, {"headers": {**PHONE, "Cookie": "lang=en"}}),
        "label, English Accept-Language": (label, {"headers": {
            **PHONE, "Accept-Language": "en-GB,en;q=0.8"}}),
        "batch": (batch + "?" + query, {}),
        # the page walks up to the product and says the lot is not in the registry
        "an unknown lot": (product + "/10/ZZ99", {}),
        "product": (product, {}),
        "product with a registry code": (coded.partition("?")[0], {}),
        "coded label": (coded, {}),
    }


def test_the_front_answers_exactly_what_flask_answers(front, labelled):
    for name, (path, options) in _cases(labelled).items():
        environ = _environ(path, **options)
        answered = front.answer(dict(environ))
        assert answered is not None, name
        status, headers, body = _through_flask(front, environ)
        assert status == "307 TEMPORARY REDIRECT", (name, status)
        assert body == b""
        assert answered == headers, name  # same headers, same values, same order


def test_the_front_is_what_a_client_gets(client, front, labelled):
    (label, _), _ = labelled
    response = client.get(label + "&foo=bar", headers=PHONE)
    assert response.status_code == 307
    path, _, query = label.partition("?")
    assert response.headers["Location"] == f"https://ocop.test/page{path}?{query}&foo=bar"
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_everything_else_is_left_to_flask(app, front, labelled):
    (label, _), _ = labelled
    path, _, query = label.partition("?")
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    declined = {
        "OPTIONS": (label, {"method": "OPTIONS"}),
        "POST": (label, {"method": "POST"}),
        "a link type": (label + "&linkType=gs1:pip", {}),
        "the default link type named": (label + "&linkType=gs1:defaultLink", {}),
        "a linkset by query": (label + "&linkType=linkset", {}),
        "a linkset by Accept": (label, {"headers": {"Accept": "application/linkset+json"}}),
        "a language (sets a cookie)": (label + "&lang=en", {}),
        "a session cookie": (label, {"headers": {**PHONE, "Cookie": "session=abc"}}),
        "an escaped query": (label + "&q=a%20b", {}),
        "a plus in the query": (label + "&q=a+b", {}),
        "a bad expiry": (path + "?17=291399", {}),
        "an empty expiry": (path + "?17", {}),
        "a forged serial": (forged + "?" + query, {}),
        "an unknown product": ("/01/08939999000079", {}),
        "a bad GTIN": ("/01/08939999000063", {}),
        "a trailing slash": (path + "/", {}),
        "a double slash": (path.replace("/10/", "//10/"), {}),
        "the page": ("/page" + label, {}),
        "another address": ("/san-pham", {}),
    }
    for name, (address, options) in declined.items():
        assert front.answer(_environ(address, **options)) is None, name


def test_switched_off_every_request_goes_through_flask(tmp_path):
    from registry import create_app

    app = create_app({"TESTING": True, "SCAN_FRONT": False, "SECRET_KEY": "x" * 40,
                      "LABEL_SIGNING_KEY": "y" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'off.db'}"})
    assert not isinstance(app.wsgi_app, ResolverFront)


# ------------------------------------------------------------------ the label's page

def _page(label: str) -> str:
    return "/page" + label


def _scans() -> int:
    from registry.models import Scan

    from ...helpers import count
    return count(Scan)


def _same_cookie(headers):
    """Set-Cookie's Expires is the second it was made: compare the rest."""
    return [(n, re.sub(r"Expires=[^;]+; ", "", v) if n == "Set-Cookie" else v)
            for n, v in headers]


def test_a_reload_is_answered_by_the_front_exactly_as_flask_answers_it(
        app, client, front, labelled):
    (label, _), _ = labelled
    page = _page(label)
    cases = {
        "phone": {},
        "no Accept": {"headers": {"User-Agent": PHONE["User-Agent"]}},
        "English by query (sets the cookie)": {"query": "&lang=en"},
        "English by query, cookie set": {"query": "&lang=en",
                                         "headers": {**PHONE, "Cookie": "lang=en"}},
        "English by cookie": {"headers": {**PHONE, "Cookie": "lang=en; other=1"}},
        "English by Accept-Language": {"headers": {**PHONE, "Accept-Language": "en,vi;q=0.5"}},
        "Vietnamese asked, English cookie": {"query": "&lang=vi",
                                             "headers": {**PHONE, "Cookie": "lang=en"}},
        "an unknown language asked": {"query": "&lang=fr"},
        "over https": {"https": True},
        "extra query": {"query": "&utm_source=zalo"},
    }
    for name, options in cases.items():
        address = page + options.pop("query", "")
        for _ in range(2):  # the check, then a reload: rendered by Flask, kept
            first = client.get(address, headers=options.get("headers", PHONE),
                               base_url=("https" if options.get("https") else "http")
                               + "://ocop.test", environ_base={"REMOTE_ADDR": "10.9.8.7"})
            assert first.status_code == 200, name
        before = _scans()
        answered = front.page(_environ(address, **options))
        assert answered is not None, name
        assert _scans() == before + 1, name  # the reload is logged
        headers, body = answered
        status, flask_headers, flask_body = _through_flask(front, _environ(address, **options))
        assert status == "200 OK", name
        assert _same_cookie(headers) == _same_cookie(flask_headers), name
        assert body == flask_body, name
        assert _scans() == before + 2, name


def test_eight_reloads_through_the_front_count_once_and_log_eight(app, client, front,
                                                                 labelled):
    from registry.models import LabelCheck

    (_, label), _ = labelled
    page = _page(label)
    before = _scans()
    for _ in range(8):
        response = client.get(page, headers=PHONE, environ_base={"REMOTE_ADDR": "10.0.0.8"})
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "có thể đã bị sao chép" not in text
    assert _scans() == before + 8
    from registry.extensions import db
    totals = db.session.execute(db.select(LabelCheck.checks, LabelCheck.clients)).all()
    assert [tuple(t) for t in totals] == [(1, 1)]  # the only label scanned in this test
    # a new client: its verdict was never rendered, so Flask renders it, and the scan
    # the front recorded is not recorded again
    before = _scans()
    response = client.get(page, headers=PHONE, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 200
    assert _scans() == before + 1
    assert "Đã kiểm tra 2 lần" in response.get_data(as_text=True)
    db.session.expire_all()
    totals = db.session.execute(db.select(LabelCheck.checks, LabelCheck.clients)).all()
    assert [tuple(t) for t in totals] == [(2, 2)]


def test_what_the_front_leaves_to_flask_before_writing(app, client, front, labelled):
    from registry.extensions import db
    from registry.public.cache import bump

    (label, _), _ = labelled
    page = _page(label)
    path, _, query = label.partition("?")
    assert client.get(page, headers=PHONE, environ_base={"REMOTE_ADDR": "10.9.8.7"}
                      ).status_code == 200
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    declined = {
        "HEAD": (page, {"method": "HEAD"}),
        "a session cookie": (page, {"headers": {**PHONE, "Cookie": "session=abc"}}),
        "a remembered login": (page, {"headers": {**PHONE, "Cookie": "remember_token=1"}}),
        "the batch page": ("/page" + path.rsplit("/21/", 1)[0], {}),
        "the product page": ("/page" + path.rsplit("/10/", 1)[0], {}),
        "a forged serial": ("/page" + forged + "?" + query, {}),
        "a bad expiry": ("/page" + path + "?17=291399", {}),
        "an escaped query": (page + "&q=a%20b", {}),
        "a query never rendered": (page + "&x=never", {}),
        "a link type": (page + "&linkType=gs1:pip", {}),
    }
    before = _scans()
    for name, (address, options) in declined.items():
        assert front.page(_environ(address, **options)) is None, name
        assert _scans() == before, name  # nothing written
    # the public version moved: the scan's transaction writes nothing, Flask reloads
    bump(db.session)
    db.session.commit()
    assert front.page(_environ(page)) is None
    assert _scans() == before
    response = client.get(page, headers=PHONE, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 200
    assert _scans() == before + 1
