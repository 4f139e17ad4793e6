"""Security headers on every answer: pages, the scan page, the portal, errors."""
from __future__ import annotations

import pytest

from registry.security import CSP

from .. import factories

PAGE_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "strict-origin-when-cross-origin", "X-Frame-Options": "DENY"}


@pytest.fixture
def labelled(producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi", gtin="8939999000055")
    factories.make_batch(product, "L1")
    return product


def _check(response, *, html=True):
    for name, value in PAGE_HEADERS.items():
        if name == "Content-Security-Policy" and not html:
            assert name not in response.headers
            continue
        assert response.headers.get(name) == value, name
    assert "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP


def test_home_scan_portal_and_error_pages_carry_the_headers(client, auth, labelled,
                                                            producer_user):
    _check(client.get("/"))
    scan = client.get("/page/01/08939999000055/10/L1")
    assert scan.status_code == 200
    _check(scan)
    _check(client.get("/no-such-page"))
    auth.login("member.a")
    _check(client.get("/portal/"))


def test_the_resolver_keeps_its_cors_answers(client, labelled):
    response = client.get("/01/08939999000055?linkType=linkset")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_https_answers_ask_for_hsts_and_plain_http_does_not(client, labelled):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://ocop.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_pages_need_nothing_the_policy_forbids(client, labelled):
    """No script runs (the JSON-LD block is data, which script-src does not govern), no
    inline style."""
    import re

    html = client.get("/page/01/08939999000055/10/L1").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts == [' type="application/ld+json"']
    assert " style=" not in html and "<style" not in html
