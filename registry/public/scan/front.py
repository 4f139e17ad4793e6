"""The resolver's plain redirect, answered before Flask's request cycle.

A phone scanning a label sends ``GET /01/{GTIN}/10/{lot}/21/{serial}?17=…``; the resolver
answers 307 to the page people read (``/page/…``, its default link). That answer needs no
database read (the serial is verified by its HMAC, the item is known to this process),
yet through Flask it paid the whole request cycle of the registry (request context,
session, locale, CSRF and input hooks, eight after-request hooks): about four times a
hello app's cost. This WSGI layer answers that one case itself, with the resolver's own
functions (:func:`.resolver.default_link`, :func:`.resolver.link_header`, the CORS,
security and ``Vary`` headers of the hooks), and hands every other request to Flask
unchanged: any method but GET and HEAD, a ``linkType``, a linkset ``Accept``, a
``lang`` (which sets a cookie), a session cookie (Flask may refresh it), a query or
path outside plain ASCII, an expiry that does not parse, a serial that does not verify
(the not-issued page), an item this process has not looked up yet. The page itself is
never answered here: it has one implementation, in Flask (:mod:`.landing`).

``tests/public/scan/test_front.py`` compares the front's answers with Flask's, header by
header, for every case either may answer.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ...i18n import VARY
from ...labels.links import LabelAddressError, parse_label_path
from ...security import headers_for
from .answers import CORS
from .resolver import REDIRECT_HEADERS, default_link, known_without_reading, link_header
from .rules import parse_yymmdd

#: Addresses the front may answer: the resolver's, in plain ASCII.
_PATH = re.compile(r"/(?:01|p)/[A-Za-z0-9!\"%&'()*+,\-./:;<=>?_]+\Z")
#: Queries it may pass on as they are: GS1 data attributes and the like, nothing escaped.
_QUERY = re.compile(r"[A-Za-z0-9=&._\-]*\Z")
_VARY = ", ".join(dict.fromkeys(("Accept", "Accept-Language", *VARY)))
_STATUS = "307 TEMPORARY REDIRECT"


class ResolverFront:
    """WSGI middleware in front of ``app.wsgi_app`` (inside ProxyFix, when configured)."""

    def __init__(self, app, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME", "session") + "="

    def __call__(self, environ, start_response):
        headers = self.answer(environ)
        if headers is None:
            return self.wsgi_app(environ, start_response)
        start_response(_STATUS, headers)
        return [b""]

    def answer(self, environ) -> list[tuple[str, str]] | None:
        """The 307's headers, or None when Flask must answer."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("SCRIPT_NAME"):
            return None
        path = environ.get("PATH_INFO", "")
        if not _PATH.match(path) or "//" in path or path.endswith("/"):
            return None
        query = environ.get("QUERY_STRING", "")
        if query and (not _QUERY.match(query) or _asks_more(query)):
            return None
        if "linkset" in environ.get("HTTP_ACCEPT", ""):
            return None
        if self.session_cookie in environ.get("HTTP_COOKIE", ""):
            return None
        svc = self.app.extensions.get("registry.scan")
        if svc is None:
            return None  # the first request builds the service, through Flask
        try:
            key = parse_label_path(quote(path, safe="/"))
        except LabelAddressError:
            return None
        if key.serial is not None and svc.signer.verify(key.item_key, key.lot,
                                                        key.serial) is None:
            return None
        if not known_without_reading(svc, key):
            return None
        expiry = _value(query, "17")
        if expiry is not None and parse_yymmdd(expiry) is None:
            return None
        passed_on = "&".join(p for p in query.split("&") if p)
        secure = environ.get("wsgi.url_scheme") == "https"
        return [("Content-Type", "text/html; charset=utf-8"),
                ("Location", default_link(svc, key, passed_on)),
                *REDIRECT_HEADERS,
                *CORS,
                ("Link", link_header(svc, key)),
                ("Vary", _VARY),
                *headers_for(True, secure),
                ("Content-Length", "0")]


def _asks_more(query: str) -> bool:
    """A link type (another answer than the default link) or a language (a cookie)."""
    return any(part.partition("=")[0] in ("linkType", "lang")
               for part in query.split("&"))


def _value(query: str, name: str) -> str | None:
    """The first value of ``name``, as Flask's ``request.args.get`` reads it."""
    for part in query.split("&"):
        key, eq, value = part.partition("=")
        if key == name:
            return value
    return None
