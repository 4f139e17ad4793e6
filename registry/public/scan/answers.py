"""What every scan address answers in common: its parsing (GS1 Digital Link path, the
expiry date attribute), CORS, problem details and the error pages.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _

from ...errors import problem
from ...labels.links import LabelAddressError, LabelKey, parse_label_path
from .addresses import key_path, with_query
from .rules import (
    parse_yymmdd,
)
from .service import service

LINKSET = "application/linkset+json"


CORS = (("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
        ("Access-Control-Allow-Headers", "Accept, Accept-Language"),
        ("Access-Control-Expose-Headers", "Link, Location, Vary"))


LINKSET_CONTEXT = ('<https://ref.gs1.org/standards/resolver/linkset-context>; '
                   'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"')


METHODS = ["GET", "HEAD", "OPTIONS"]


class BadAddress(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def raw_path() -> str:
    """The path as sent, still percent-encoded (``parse_label_path`` decodes it once;
    werkzeug's ``request.path`` is decoded already)."""
    return quote(request.path, safe="/")


def facts_key(key: LabelKey) -> tuple[str, str, str | None]:
    """What the caches know an address by: its form (GTIN or registry code: a code may
    look like a GTIN), its item key and its lot."""
    return ("01" if key.gtin14 is not None else "p", key.item_key, key.lot)


def parse_key(path: str) -> LabelKey:
    try:
        return parse_label_path(path)
    except LabelAddressError as error:
        raise BadAddress(str(error)) from error


def parse_address(prefix: str = "") -> tuple[LabelKey, str | None, date | None]:
    """(key, expiry as written, expiry date) of this request's address, after ``prefix``
    (``/page``, ``/verify``). Raises BadAddress."""
    key = parse_key(raw_path()[len(prefix):])
    expiry_text = request.args.get("17")
    return key, expiry_text, parse_expiry(expiry_text)


def parse_expiry(text: str | None) -> date | None:
    if text is None:
        return None
    value = parse_yymmdd(text)
    if value is None:
        raise BadAddress(f"the expiry date (17) must be YYMMDD, got {text!r}")
    return value


def cors(response):
    for name, value in CORS:
        response.headers[name] = value
    return response


def wants_json() -> bool:
    accept = request.headers.get("Accept", "")
    return bool(accept) and "text/html" not in accept and request.accept_mimetypes.best_match(
        ["text/html", "application/json", LINKSET]) in ("application/json", LINKSET)


def error_answer(status: int, message: str, detail: str | None = None):
    if wants_json():
        return cors(problem(status, message, detail))
    html = render_template("public/scan_error.html", status=status, message=message,
                           detail=detail)
    return current_app.make_response((html, status))


def not_issued(key: LabelKey):
    """A forged or never-issued serial: 404, and nothing from the address is trusted."""
    if wants_json():
        response = jsonify({"genuine": False, "issuedByRegistry": False,
                            "message": _("Mã này không do sổ đăng ký OCOP cấp")})
        response.status_code = 404
        return cors(response)
    address = with_query(service().base + key_path(key), request.query_string.decode("latin-1"))
    html = render_template("public/not_issued.html", address=address)
    response = current_app.make_response((html, 404))
    response.headers["Cache-Control"] = "no-store"
    return response
