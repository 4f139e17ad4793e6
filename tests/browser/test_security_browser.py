"""The Content-Security-Policy breaks nothing a user sees: no violation on the pages."""
from __future__ import annotations


def test_no_page_violates_the_content_security_policy(live_server, phone):
    messages = []
    phone.on("console", lambda m: messages.append(m.text))
    for path in ("/", "/page/01/08939999000017", "/login", "/report"):
        phone.goto(live_server + path)
        # the stylesheet applied: the header is the registry's green, not the default
        colour = phone.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), path
    phone.goto(live_server + "/login")
    phone.fill("input[name=login]", "hoidong.tinh")
    phone.fill("input[name=password]", "ocop-demo-2026")
    phone.click("button[type=submit]")
    for path in ("/office/", "/office/report?year=2026", "/inbox/"):
        phone.goto(live_server + path)
    assert not [m for m in messages if "Content Security Policy" in m], messages
