"""The resolver's plain redirect, and a reload of a label's page, answered before
Flask's request cycle.

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
not rendered here: it has one implementation, in Flask (:mod:`.landing`).

A label's page (``/page/01/…/21/{serial}``) is answered here only from what Flask
rendered before: the front verifies the serial, takes the address's facts from this
process's cache, records the scan with :func:`.recording.record_label` (the one
transaction, which writes nothing if the public version moved), decides the verdict
with :func:`.landing.make_verdict` and, when this process already holds the page's top
and bottom and the content block rendered for exactly that verdict (a client reloading
a label it already checked, as phones do), sends them. When the content block is not
held, the recorded scan is handed to Flask in the environ and the page is rendered
there, without recording it twice. A signed-in visitor (a session or remembered-login
cookie), a HEAD, a product or batch page, facts from another day or version, or an
outage go to Flask before anything is written.

``tests/public/scan/test_front.py`` compares the front's answers with Flask's, header by
header and byte by byte, for every case either may answer.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import dump_cookie, parse_accept_header, parse_cookie

from ...errors import outage
from ...i18n import (
    LANG_COOKIE,
    LANG_COOKIE_AGE,
    VARY,
    choose_language,
    remembers_language,
)
from ...labels.links import LabelAddressError, parse_label_path
from ...ocop.rules import today_vn
from ...security import headers_for
from .addresses import PAGE
from .answers import CORS, facts_key
from .landing import RECORDED, content_key, make_verdict, page_headers, shell_key
from .recording import STALE, record_label, visit_of
from .resolver import REDIRECT_HEADERS, default_link, known_without_reading, link_header
from .rules import parse_yymmdd

#: Addresses the front may answer: the resolver's, in plain ASCII.
_PATH = re.compile(r"/(?:01|p)/[A-Za-z0-9!\"%&'()*+,\-./:;<=>?_]+\Z")
#: Queries it may pass on as they are: GS1 data attributes and the like, nothing escaped.
_QUERY = re.compile(r"[A-Za-z0-9=&._\-]*\Z")
_VARY = ", ".join(dict.fromkeys(("Accept", "Accept-Language", *VARY)))
_STATUS = "307 TEMPORARY REDIRECT"
_PAGE_PATH = re.compile(PAGE + r"/(?:01|p)/[A-Za-z0-9!\"%&'()*+,\-./:;<=>?_]+\Z")


class ResolverFront:
    """WSGI middleware in front of ``app.wsgi_app`` (inside ProxyFix, when configured)."""

    def __init__(self, app, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME", "session") + "="
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token") + "="
        self.languages = tuple(app.config["LANGUAGES"])

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PAGE):
            answered = self.page(environ)
            if answered is None:
                return self.wsgi_app(environ, start_response)
            headers, body = answered
            start_response("200 OK", headers)
            return [body]
        headers = self.answer(environ)
        if headers is None:
            return self.wsgi_app(environ, start_response)
        start_response(_STATUS, headers)
        return [b""]

    def page(self, environ) -> tuple[list[tuple[str, str]], bytes] | None:
        """A label page's headers and body, or None when Flask must answer (after the
        scan was recorded, when it is handed over in ``environ[RECORDED]``)."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("SCRIPT_NAME"):
            return None
        path = environ.get("PATH_INFO", "")
        if not _PAGE_PATH.match(path) or "//" in path or path.endswith("/"):
            return None
        query = environ.get("QUERY_STRING", "")
        if query and (not _QUERY.match(query) or _value(query, "linkType") is not None):
            return None
        cookie_header = environ.get("HTTP_COOKIE", "")
        if self.session_cookie in cookie_header or self.remember_cookie in cookie_header:
            return None  # signed in, or may be: Flask knows who
        svc = self.app.extensions.get("registry.scan")
        if svc is None or svc.engine is None or outage.since is not None:
            return None
        try:
            key = parse_label_path(quote(path[len(PAGE):], safe="/"))
        except LabelAddressError:
            return None
        if key.serial is None:
            return None
        seq = svc.signer.verify(key.item_key, key.lot, key.serial)
        if seq is None:
            return None  # the not-issued page
        expiry_text = _value(query, "17")
        address_expiry = None
        if expiry_text is not None:
            address_expiry = parse_yymmdd(expiry_text)
            if address_expiry is None:
                return None
        today = today_vn()
        facts = svc.facts.peek(facts_key(key))
        if facts is None or facts.today != today:
            return None
        cookies = parse_cookie(cookie_header) if cookie_header else {}
        lang, set_lang = self._language(environ, query, cookies)
        top_key = shell_key(key, lang, facts, query.encode("latin-1"), ())
        shell = svc.shells.peek(top_key)
        if shell is None:
            return None
        visit = visit_of(svc, environ.get("REMOTE_ADDR"), environ.get("HTTP_USER_AGENT", ""),
                         environ.get("HTTP_ACCEPT", ""),
                         environ.get("HTTP_SEC_PURPOSE") or environ.get("HTTP_PURPOSE", ""))
        try:
            outcome = record_label(svc, key, seq, facts, None, today, visit=visit,
                                   record=True, reload=False)
        except Exception:  # noqa: BLE001 - rolled back: Flask answers it (503 and all)
            return None
        if outcome is None or outcome == STALE:
            return None  # nothing written: never printed, or the facts moved
        try:
            answered = self._recorded_page(environ, svc, key, seq, outcome, top_key, shell,
                                           lang, set_lang, address_expiry, expiry_text)
        except Exception:  # noqa: BLE001 - Flask answers it, without recording it again
            answered = None
        if answered is None:
            environ[RECORDED] = outcome
        return answered

    def _recorded_page(self, environ, svc, key, seq, outcome, top_key, shell, lang,
                       set_lang, address_expiry, expiry_text):
        facts, _, run, history, client = outcome
        verdict = make_verdict(svc, key, seq, facts, run, history, client, address_expiry,
                               expiry_text)
        content = svc.contents.peek(content_key(top_key, key, verdict))
        if content is None:
            return None
        body = (shell[0] + content + shell[1]).encode("utf-8")
        headers = [("Content-Type", "text/html; charset=utf-8"),
                   ("Content-Length", str(len(body))),
                   *page_headers(svc, key, verdict),
                   *headers_for(True, environ.get("wsgi.url_scheme") == "https")]
        if set_lang:
            headers.append(("Set-Cookie", dump_cookie(
                LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE, httponly=True, samesite="Lax",
                max_size=self.app.config["MAX_COOKIE_SIZE"])))
        headers.append(("Vary", ", ".join(VARY)))
        return headers, body

    def _language(self, environ, query: str, cookies) -> tuple[str, bool]:
        """The language Flask's request would get, and whether its answer would set the
        language cookie (the rules of ``registry/i18n.py``)."""
        asked = _value(query, "lang")
        cookie = cookies.get(LANG_COOKIE)
        lang = choose_language(asked, cookie, lambda: parse_accept_header(
            environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept), self.languages)
        return lang, remembers_language(asked, cookie, self.languages)

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
