"""Security headers on every answer.

The pages have no script and take their styles from the registry's own CSS, so the
Content-Security-Policy allows nothing inline and nothing from another host. Inline SVG
charts use presentation attributes, which a CSP does not govern. Downloads (PDF, CSV,
label files) get no CSP: browsers' PDF viewers must be free to render them.
"""
from __future__ import annotations

from flask import Flask, request

CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HSTS = "max-age=31536000"

#: On every answer.
ALWAYS = (("X-Content-Type-Options", "nosniff"),
          ("Referrer-Policy", "strict-origin-when-cross-origin"),
          ("X-Frame-Options", "DENY"))


def headers_for(html: bool, secure: bool) -> list[tuple[str, str]]:
    """The security headers of an answer (HTML or not, over https or not), in order.
    Used by the hook below and by the resolver's front (``public/scan/front.py``), which
    answers plain redirects before Flask's request cycle."""
    pairs = list(ALWAYS)
    if html:
        pairs.append(("Content-Security-Policy", CSP))
    if secure:
        pairs.append(("Strict-Transport-Security", HSTS))
    return pairs


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        have = {name.lower() for name in headers.keys()}  # one pass, not one per header
        # https here, or from the proxy (TRUSTED_PROXIES)
        for name, value in headers_for(response.mimetype == "text/html", request.is_secure):
            if name.lower() not in have:
                headers.add(name, value)
        return response
