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


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", CSP)
        if request.is_secure:  # https here, or from the proxy (TRUSTED_PROXIES)
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
