"""The label resolver: what a phone gets when it opens the address in a QR code.

Addresses follow GS1 Digital Link (``/01/{GTIN}[/10/{lot}[/21/{serial}]]``) or the
registry's own form for products without a GTIN (``/p/{code}/...``). The product page
is served at the scanned address itself (200), not through a redirect: on a slow mobile
connection every round trip costs a second. GS1-aware clients ask for the links with
``?linkType=linkset`` or ``Accept: application/linkset+json`` (RFC 9264), or for one
link type (``?linkType=gs1:epcis``).
"""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..labels.links import LabelAddressError, LabelKey, parse_label_path
from ..models import ClientClass
from ..models.base import utcnow
from ..labels.serials import display, normalize_serial
from ..printing.operations import verify_label
from . import bp, fast
from .clients import classify
from .epcis import epcis_document
from .pages import find_batch, find_product, load_page
from .paths import batch_path, product_path
from .scans import session_record

LINKSET_TYPE = "application/linkset+json"
GS1 = "https://gs1.org/voc/"
LINK_TYPES = ("gs1:pip", "gs1:certificationInfo", "gs1:traceability", "gs1:epcis",
              "gs1:verificationService")


@bp.route("/01/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/p/<path:rest>", methods=["GET", "HEAD"])
def resolve(rest: str):
    try:
        key = parse_label_path(request.path)
    except LabelAddressError as error:
        return _error_page(400, _("Địa chỉ trên tem không đúng định dạng."), str(error))
    if fast.eligible(key):
        response = fast.scan_page(key)
        if response is not None:
            return response
    product = find_product(key)
    if product is None:
        return _error_page(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    batch = None
    if key.lot is not None:
        batch = find_batch(product, key.lot)
        if batch is None:
            if key.serial is not None:
                return _not_issued()
            return _error_page(404, _("Sản phẩm này không có lô hàng mang mã lô trên tem."))
    link_type = request.args.get("linkType")
    if link_type == "linkset" or _wants_linkset():
        return _linkset(key, product, batch)
    if link_type in ("gs1:epcis", "gs1:traceability") and batch is not None:
        return _json(epcis_document(batch, _address(key)), "application/ld+json")
    if link_type is not None and link_type not in LINK_TYPES + ("all",):
        return _error_page(404, _("Không có liên kết loại này cho mã đã quét."))

    verdict = None
    if key.serial is not None:
        check = verify_label(product, key.lot, key.serial)
        if check is None:
            return _not_issued()
        verdict = _check_label(check, key.serial)
        verdict["seq"] = check.seq
        if link_type == "gs1:verificationService":
            return _verification_json(verdict, product, batch)
    page = load_page(product, batch)
    html = render_template("public/product.html", page=page, verdict=verdict,
                           address=_address(key), canonical=_canonical(product))
    response = current_app.make_response(html)
    response.headers["Link"] = f'<{_address(key)}?linkType=linkset>; rel="linkset"; ' \
                               f'type="{LINKSET_TYPE}"'
    response.headers["Cache-Control"] = "no-store" if verdict else "public, max-age=60"
    response.vary.add("Accept")
    return response


def _check_label(check, serial: str):
    """Record this scan (people, bots and API calls alike) and read the label's history."""
    client = classify(request.user_agent.string, accept=request.headers.get("Accept", ""),
                      purpose=request.headers.get("Sec-Purpose")
                      or request.headers.get("Purpose", ""))
    history, _version = session_record(check.batch.id, check.run.id, normalize_serial(serial),
                                       check.seq, client, utcnow(),
                                       record=request.method != "HEAD")
    db.session.commit()
    return {"check": check, "history": history, "client": client, "serial": display(serial),
            "counted": client in (ClientClass.PHONE, ClientClass.BROWSER)}


def _wants_linkset() -> bool:
    return request.accept_mimetypes.best_match([LINKSET_TYPE, "text/html"]) == LINKSET_TYPE \
        and LINKSET_TYPE in request.headers.get("Accept", "")


def _address(key: LabelKey) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + request.path.rstrip("/")


def _canonical(product) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + product_path(product)


def _linkset(key: LabelKey, product, batch):
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    anchor = _address(key)
    title = product.name_vi
    links = {
        GS1 + "pip": [{"href": anchor, "title": title, "type": "text/html",
                       "hreflang": ["vi", "en"]}],
        GS1 + "certificationInfo": [{"href": base + product_path(product) + "#chung-nhan",
                                     "title": "Chứng nhận và hạng sao OCOP",
                                     "type": "text/html", "hreflang": ["vi", "en"]}],
    }
    if batch is not None:
        epcis = {"href": base + batch_path(batch) + "?linkType=gs1:epcis",
                 "title": f"Truy xuất lô {batch.lot_code}", "type": "application/ld+json"}
        links[GS1 + "traceability"] = [epcis]
        links[GS1 + "epcis"] = [epcis]
    if key.serial is not None:
        links[GS1 + "verificationService"] = [{
            "href": anchor + "?linkType=gs1:verificationService",
            "title": "Kiểm tra tem thật", "type": "application/json"}]
    body = {"linkset": [{"anchor": anchor, **links}]}
    return _json(body, LINKSET_TYPE)


def _verification_json(verdict, product, batch):
    history = verdict["history"]
    return _json({
        "genuine": True, "product": product.name_vi, "lot": batch.lot_code,
        "checks": history.checks,
        "firstChecked": history.first_checked_at.isoformat() if history.first_checked_at
        else None,
        "suspicious": history.suspicious(),
    }, "application/json")


def _json(body, mimetype: str):
    response = jsonify(body)
    response.mimetype = mimetype
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _error_page(status: int, message: str, detail: str | None = None):
    if request.accept_mimetypes.best_match(["text/html", "application/json",
                                            LINKSET_TYPE]) != "text/html":
        response = _json({"error": message, "detail": detail, "status": status},
                         "application/json")
        response.status_code = status
        return response
    return render_template("public/scan_error.html", status=status, message=message,
                           detail=detail), status


def _not_issued():
    """A forged or never-issued serial: 404 and nothing from the address is trusted."""
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) != "text/html":
        response = _json({"genuine": False, "error": "not issued by the registry"},
                         "application/json")
        response.status_code = 404
        return response
    return render_template("public/not_issued.html"), 404


@bp.route("/.well-known/gs1resolver")
def resolver_description():
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return _json({
        "name": "Sổ đăng ký sản phẩm OCOP — OCOP product registry resolver",
        "resolverRoot": base,
        "supportedLinkType": [{"namespace": GS1, "prefix": "gs1:"}],
        "supportedPrimaryKeys": ["01"],
        "linkTypeDefaultCanBeLinkset": False,
        "linkTypeDefaultCanBeAll": False,
        "supportedContextValuesEnumerated": [],
        "contact": {"productPages": base + url_for("main.index")},
        "notes": ("The default link (gs1:pip) is served at the scanned address itself "
                  "(200), not redirected. Products without a GTIN use /p/{code}/10/{lot}"
                  "/21/{serial}, which is not a GS1 key."),
    }, "application/json")
