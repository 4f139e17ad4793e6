"""The GS1 Digital Link resolver's answers: a 307 to the page people read, the linkset, a
redirect to any link type asked for; never a database read for a plain request of a
known item.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from ...extensions import db
from ...labels.links import LabelKey
from ...models import Product
from . import snapshot
from .addresses import PAGE, key_path, with_query
from .answers import CORS, LINKSET, LINKSET_CONTEXT, error_answer, facts_key, not_issued, problem
from .facts import current_facts
from .linkset import entries, find_link, linkset_document
from .service import ScanService, service


def resolver_answer(key: LabelKey, *, extra_query: str = "", same_as: str | None = None):
    """What the resolver answers for ``key`` (also for decompressed addresses)."""
    svc = service()
    if request.method == "OPTIONS":
        response = current_app.response_class(status=204)
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return _resolver_headers(response, key, same_as)
    link_type = request.args.get("linkType")
    if link_type in ("linkset", "all") or _wants_linkset():
        return _resolver_headers(_linkset(svc, key), key, same_as)
    if link_type is not None and link_type not in ("gs1:defaultLink", "gs1:defaultLinkMulti"):
        return _resolver_headers(_link_redirect(svc, key, link_type), key, same_as)
    if key.serial is not None and svc.signer.verify(key.item_key, key.lot, key.serial) is None:
        return _resolver_headers(not_issued(key), key, same_as)
    if not _known_item(svc, key):
        response = error_answer(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
        return _resolver_headers(response, key, same_as)
    query = _passed_on_query(drop=("linkType",), extra=extra_query)
    return _resolver_headers(_redirect(with_query(svc.base + PAGE + key_path(key), query)),
                             key, same_as)


def _resolver_headers(response, key: LabelKey, same_as: str | None):
    for name, value in CORS:
        response.headers[name] = value
    links = [f'<{service().base}{key_path(key)}?linkType=linkset>; rel="linkset"; '
             f'type="{LINKSET}"']
    if same_as:
        links.append(f'<{same_as}>; rel="owl:sameAs"')
    if response.mimetype == LINKSET:
        links.append(LINKSET_CONTEXT)
    response.headers["Link"] = ", ".join(links)
    response.vary.update(("Accept", "Accept-Language"))
    return response


def _redirect(location: str):
    response = current_app.response_class(status=307)
    response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    return response


def _passed_on_query(drop=(), extra: str = "") -> str:
    raw = request.query_string.decode("latin-1")
    parts = [p for p in raw.split("&") if p and p.split("=", 1)[0] not in drop]
    if extra:
        parts = [p for p in extra.split("&") if p] + parts
    return "&".join(parts)


def _wants_linkset() -> bool:
    accept = request.headers.get("Accept", "")
    return LINKSET in accept and request.accept_mimetypes.best_match(
        [LINKSET, "text/html"]) == LINKSET


def _known_item(svc: ScanService, key: LabelKey) -> bool:
    if facts_key(key)[:2] in svc.known_items:
        return True
    column = Product.gtin if key.gtin14 is not None else Product.public_token
    found = db.session.scalar(db.select(Product.id).where(column == key.item_key))
    if found is not None:
        svc.known_items.add(facts_key(key)[:2])
    return found is not None


def _linkset(svc: ScanService, key: LabelKey):
    facts = current_facts(svc, key)
    if facts is None:
        return problem(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    issued = True
    if key.serial is not None:
        issued = _issued_run(svc, key, facts) is not None
        if not issued:
            return problem(404, _("Mã này không do sổ đăng ký OCOP cấp"))
    body = linkset_document(entries(svc.base, key, facts, label_issued=issued))
    response = jsonify(body)
    response.mimetype = LINKSET
    return response


def _link_redirect(svc: ScanService, key: LabelKey, link_type: str):
    facts = current_facts(svc, key)
    if facts is None:
        return error_answer(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    issued = key.serial is None or _issued_run(svc, key, facts) is not None
    if not issued:
        return not_issued(key)
    link = find_link(entries(svc.base, key, facts, label_issued=issued), link_type)
    if link is None:
        return error_answer(404, _("Không có liên kết loại này cho mã đã quét."))
    return _redirect(with_query(link.href, _passed_on_query(drop=("linkType",))))


def _issued_run(svc: ScanService, key: LabelKey, facts: snapshot.Facts):
    seq = svc.signer.verify(key.item_key, key.lot, key.serial)
    return facts.run_for(seq) if seq is not None else None
