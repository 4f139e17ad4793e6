"""The scan path's routes: the resolver, the pages people read, and the JSON answers.

    phone ──GET /01/{GTIN}/10/{lot}/21/{serial}?17=…──▶ resolve()   (no database read)
          ◀─307 Location: /page/01/…/21/{serial}?17=… ─┘
          ──GET /page/01/…──────────────────────────────▶ page()
               verify the serial (HMAC, no database), record the scan and read the
               label's totals and the public version (one transaction), take the
               address's facts and rendered fragments from this process's caches
               (rebuilt when the version moved), decide the verdict, render page.html
          ◀─200 the page ──────────────────────────────┘

In front of Flask, :mod:`.front` answers the two requests a phone repeats most with these
same functions, without Flask's request cycle: the plain 307, and a reload of a label's
page whose parts this process already rendered (it records the scan first, like
:func:`page`; anything else, or anything not rendered yet, goes on to Flask).

So a scan costs two round trips: the resolver's redirect (a GS1-conformant resolver
SHALL redirect a plain request to its default link) and the page. GS1-aware clients
get the linkset from the resolver address itself (``?linkType=linkset`` or
``Accept: application/linkset+json``), and a 307 to any link type they ask for.
Every request for a public page, in any language, with or without ``Accept``, signed
in or not, goes through :func:`page` and the one template ``public/page.html``.

The views only parse the address; the answers are made in :mod:`.resolver` (the
resolver), :mod:`.landing` (the page), :mod:`.verification` (``/verify``), with
:mod:`.facts` (cached facts), :mod:`.recording` (the scan's transaction) and
:mod:`.answers` (what every address answers in common: parsing, CORS, errors).
"""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from ...extensions import db
from ...models import Batch
from .. import bp
from ..epcis import epcis_document
from .addresses import EPCIS, PAGE, VERIFY, cut, key_path
from .answers import (
    METHODS,
    BadAddress,
    cors,
    error_answer,
    parse_address,
    parse_expiry,
    parse_key,
    problem,
    raw_path,
)
from .facts import current_facts
from .landing import landing_answer
from .resolver import resolver_answer
from .service import service
from .verification import verification


@bp.route("/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@bp.route("/p/<path:rest>", methods=METHODS, provide_automatic_options=False)
def resolve(rest: str):
    try:
        key = parse_key(raw_path())
        parse_expiry(request.args.get("17"))
    except BadAddress as error:
        response = cors(error_answer(400, _("Địa chỉ trên tem không đúng định dạng."),
                                error.detail))
        response.vary.update(("Accept", "Accept-Language"))
        return response
    return resolver_answer(key)


@bp.route("/page/01/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/page/p/<path:rest>", methods=["GET", "HEAD"])
def page(rest: str):
    try:
        address = parse_address(PAGE)
    except BadAddress as error:
        return error_answer(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail)
    return landing_answer(*address)


@bp.route("/verify/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@bp.route("/verify/p/<path:rest>", methods=METHODS, provide_automatic_options=False)
def verify(rest: str):
    """The verification service: the verdict as JSON. Logged, never counted as a check."""
    try:
        address = parse_address(VERIFY)
    except BadAddress as error:
        return cors(problem(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail))
    if request.method == "OPTIONS":
        return cors(current_app.response_class(status=204))
    return verification(*address)


@bp.route("/epcis/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@bp.route("/epcis/p/<path:rest>", methods=METHODS, provide_automatic_options=False)
def epcis(rest: str):
    """The batch's trace events as an EPCIS 2.0 document."""
    try:
        key = parse_key(raw_path()[len(EPCIS):])
    except BadAddress as error:
        return cors(problem(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail))
    if request.method == "OPTIONS":
        return cors(current_app.response_class(status=204))
    svc = service()
    facts = current_facts(svc, cut(key, "batch")) if key.lot is not None else None
    if facts is None or facts.batch_id is None:
        return cors(problem(404, _("Sản phẩm này không có lô hàng mang mã lô trên tem.")))
    batch = db.session.get(Batch, facts.batch_id)
    response = jsonify(epcis_document(batch, svc.base + key_path(cut(key, "batch"))))
    response.mimetype = "application/ld+json"
    return cors(response)


@bp.route("/<gs1compressed:blob>", methods=METHODS, provide_automatic_options=False)
def compressed(blob: str):
    """A GS1 Digital Link compressed URI: expanded, then answered as the uncompressed
    address would be, with ``Link: <uncompressed>; rel="owl:sameAs"``."""
    from gs1 import decompress_gs1_digital_link

    svc = service()
    try:
        expanded = decompress_gs1_digital_link(f"{svc.base}/{blob}", False)
        key = parse_key(expanded)
    except BadAddress as error:
        return error_answer(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail)
    except Exception:  # noqa: BLE001 - the library raises bare errors on garbage
        return error_answer(404, _("Không tìm thấy trang này."))
    query = expanded.partition("?")[2]
    try:
        parse_expiry(dict(p.partition("=")[::2] for p in query.split("&") if p).get("17"))
    except BadAddress as error:
        return error_answer(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail)
    return resolver_answer(key, extra_query=query, same_as=expanded)


@bp.route("/.well-known/gs1resolver")
def resolver_description():
    base = service().base
    response = jsonify({
        "name": "Sổ đăng ký sản phẩm OCOP — OCOP product registry resolver",
        "resolverRoot": base,
        "supportedLinkType": [{"namespace": "https://gs1.org/voc/", "prefix": "gs1:"}],
        "supportedPrimaryKeys": ["01"],
        "linkTypeDefaultCanBeLinkset": False,
        "linkTypeDefaultCanBeAll": False,
        "supportedContextValuesEnumerated": [],
        "contact": {"productPages": base + "/"},
        "notes": ("A plain request is redirected (307) to the default link, the page "
                  "people read at /page/{same path}. Products without a GTIN use "
                  "/p/{code}/10/{lot}/21/{serial}, which is not a GS1 key."),
    })
    return cors(response)
