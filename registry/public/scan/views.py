"""The scan path's routes: the resolver, the pages people read, and the JSON answers.

    phone ──GET /01/{GTIN}/10/{lot}/21/{serial}?17=…──▶ resolve()   (no database read)
          ◀─307 Location: /page/01/…/21/{serial}?17=… ─┘
          ──GET /page/01/…──────────────────────────────▶ page()
               verify the serial (HMAC, no database), record the scan and read the
               label's totals and the public version (one transaction), take the
               address's facts and rendered fragments from this process's caches
               (rebuilt when the version moved), decide the verdict, render page.html
          ◀─200 the page ──────────────────────────────┘

So a scan costs two round trips: the resolver's redirect (a GS1-conformant resolver
SHALL redirect a plain request to its default link) and the page. GS1-aware clients
get the linkset from the resolver address itself (``?linkType=linkset`` or
``Accept: application/linkset+json``), and a 307 to any link type they ask for.
Every request for a public page, in any language, with or without ``Accept``, signed
in or not, goes through :func:`page` and the one template ``public/page.html``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import NamedTuple
from urllib.parse import quote

from flask import current_app, g, jsonify, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ... import db_setup, web
from ...db_setup import writer_lock
from ...extensions import db
from ...labels.links import LabelAddressError, LabelKey, parse_label_path
from ...labels.serials import display, normalize_serial
from ...models import Batch, ClientClass, Product
from ...ocop.rules import today_vn
from ...templating import render_blocks
from .. import bp
from ..clients import classify
from ..epcis import epcis_document
from . import service as service_connections
from . import snapshot
from .addresses import EPCIS, PAGE, VERIFY, cut, key_path, with_query
from .checks import COUNTED, LabelHistory, client_hash, record_scan
from .linkset import entries, find_link, linkset_document
from .rules import (
    DecisionFacts,
    Finding,
    LabelFacts,
    RatingFacts,
    parse_yymmdd,
    stars_void,
    verdict_findings,
    void_reason,
)
from .service import ScanService, service

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


# ---------------------------------------------------------------- the resolver


@bp.route("/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@bp.route("/p/<path:rest>", methods=METHODS, provide_automatic_options=False)
def resolve(rest: str):
    try:
        key = _key(_raw_path())
        _address_expiry(request.args.get("17"))
    except BadAddress as error:
        response = _cors(_error(400, _("Địa chỉ trên tem không đúng định dạng."),
                                error.detail))
        response.vary.update(("Accept", "Accept-Language"))
        return response
    return resolver_answer(key)


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
        return _resolver_headers(_not_issued(key), key, same_as)
    if not _known_item(svc, key):
        response = _error(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
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
    if _cache_key(key)[:2] in svc.known_items:
        return True
    column = Product.gtin if key.gtin14 is not None else Product.public_token
    found = db.session.scalar(db.select(Product.id).where(column == key.item_key))
    if found is not None:
        svc.known_items.add(_cache_key(key)[:2])
    return found is not None


def _linkset(svc: ScanService, key: LabelKey):
    facts = _current_facts(svc, key)
    if facts is None:
        return _problem(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    issued = True
    if key.serial is not None:
        issued = _issued_run(svc, key, facts) is not None
        if not issued:
            return _problem(404, _("Mã này không do sổ đăng ký OCOP cấp"))
    body = linkset_document(entries(svc.base, key, facts, label_issued=issued))
    response = jsonify(body)
    response.mimetype = LINKSET
    return response


def _link_redirect(svc: ScanService, key: LabelKey, link_type: str):
    facts = _current_facts(svc, key)
    if facts is None:
        return _error(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    issued = key.serial is None or _issued_run(svc, key, facts) is not None
    if not issued:
        return _not_issued(key)
    link = find_link(entries(svc.base, key, facts, label_issued=issued), link_type)
    if link is None:
        return _error(404, _("Không có liên kết loại này cho mã đã quét."))
    return _redirect(with_query(link.href, _passed_on_query(drop=("linkType",))))


def _issued_run(svc: ScanService, key: LabelKey, facts: snapshot.Facts):
    seq = svc.signer.verify(key.item_key, key.lot, key.serial)
    return facts.run_for(seq) if seq is not None else None


# ---------------------------------------------------------------- the page people read


@dataclass(frozen=True)
class Verdict:
    findings: list[Finding]
    history: LabelHistory
    rating: RatingFacts
    printed_stars: int | None
    recall: snapshot.RecallFacts | None
    lot: str
    batch_expiry: date | None
    address_expiry: date | None
    address_expiry_text: str | None
    serial: str
    seq: int
    counted_client: bool
    printed_decision: DecisionFacts | None = None

    @property
    def finding_values(self) -> list[str]:
        return [f.value for f in self.findings]

    @property
    def void_reason(self) -> str:
        return void_reason(self.printed_decision, self.rating)


class Fragments(NamedTuple):
    head: Markup
    body: Markup
    title: str


@bp.route("/page/01/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/page/p/<path:rest>", methods=["GET", "HEAD"])
def page(rest: str):
    try:
        key = _key(_raw_path()[len(PAGE):])
        expiry_text = request.args.get("17")
        address_expiry = _address_expiry(expiry_text)
    except BadAddress as error:
        return _error(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail)
    svc, today = service(), today_vn()
    seq = None
    if key.serial is not None:
        seq = svc.signer.verify(key.item_key, key.lot, key.serial)
        if seq is None:
            return _not_issued(key)  # forged or mistyped: nothing from the address is trusted
    facts = svc.facts.peek(_cache_key(key))
    bundle = None
    if facts is None or facts.today != today:
        facts, bundle = _reload(svc, key, today)
        if facts is None:
            return _error(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    verdict = None
    if seq is not None:
        outcome = _record_label(svc, key, seq, facts, bundle, today)
        if outcome is None:
            return _not_issued(key)
        facts, bundle, run, history, client = outcome
        if facts is None:
            return _error(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
        label = _label_facts(svc, facts, run, history, address_expiry, expiry_text)
        verdict = Verdict(verdict_findings(label), history, facts.rating,
                          run.printed_stars if stars_void(label) else None, facts.recall,
                          key.lot, facts.batch_expiry, address_expiry, expiry_text,
                          display(key.serial), seq, client in COUNTED, run.printed_decision)
    elif bundle is None:  # facts from this process's cache: still current?
        version = service_connections.public_version(svc)
        if version != facts.version:
            facts, bundle = _reload(svc, key, today)
            if facts is None:
                return _error(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    fragments = _fragments(svc, key, facts, bundle)
    if fragments is None:  # deleted between two reads
        return _error(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    address = svc.base + key_path(key)
    context = dict(facts=facts, verdict=verdict, head=fragments.head, body=fragments.body,
                   title=fragments.title,
                   address=with_query(address, request.query_string.decode("latin-1")))
    response = current_app.make_response(_render_page(svc, key, facts, context))
    response.headers["Link"] = (f'<{address}?linkType=linkset>; rel="linkset"; '
                                f'type="{LINKSET}"')
    response.headers["Cache-Control"] = "no-store" if verdict else "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, no credentials
    return response


PAGE_TEMPLATE, PAGE_PARENTS = "public/page.html", ("base.html",)


def _render_page(svc: ScanService, key: LabelKey, facts, context) -> str:
    """``public/page.html``. The page's top and bottom (head, header, footer: the same
    for every label of a batch, for one visitor, in one language) are rendered once per
    process and public version, and only the content block per request; a page with
    messages to flash, or whose visitor has no CSRF token yet, is rendered whole."""
    who = _visitor()
    if who is None:
        return render_template(PAGE_TEMPLATE, **context)
    shell_key = (*_cache_key(key), g.get("lang", "vi"), facts.version, facts.today,
                 request.query_string, who)
    shell = svc.shells.peek(shell_key)
    if shell is None:
        shell = tuple(render_blocks(PAGE_TEMPLATE, ("document_top", "document_bottom"),
                                    PAGE_PARENTS, **context))
        svc.shells.put(shell_key, shell)
    (content,) = render_blocks(PAGE_TEMPLATE, ("content",), PAGE_PARENTS, **context)
    return shell[0] + content + shell[1]


def _visitor():
    """What the page's header depends on besides the language and query: nothing for
    anonymous visitors; for a signed-in user, who they are, what they may do (their
    role) and the session's CSRF token (the header's sign-out form carries it). None
    when the page must be rendered whole."""
    if "_flashes" in session:
        return None
    if not current_user.is_authenticated:
        return ()
    token = session.get("csrf_token")
    if not token:
        return None
    user = current_user
    return (user.id, user.role.value, user.name, user.producer_id, user.is_manager,
            user.council_level, token)


def _label_facts(svc: ScanService, facts, run, history: LabelHistory,
                 address_expiry: date | None, expiry_text: str | None) -> LabelFacts:
    """What the verdict rules decide with, for one scanned label (page and /verify)."""
    return LabelFacts(printed_stars=run.printed_stars, rating=facts.rating,
                      recalled=facts.recall is not None, batch_expiry=facts.batch_expiry,
                      address_expiry=address_expiry,
                      address_expiry_given=expiry_text is not None,
                      clients=history.clients, warning_threshold=svc.threshold)


def _reload(svc: ScanService, key: LabelKey, today: date):
    loaded = snapshot.load(key, today)
    web.end_reads()  # before any write of this request
    if loaded is None:
        svc.facts.pop(_cache_key(key))
        return None, None
    facts, bundle = loaded
    svc.saw_version(facts.version)
    svc.facts.put(_cache_key(key), facts)
    svc.known_items.add(_cache_key(key)[:2])
    return facts, bundle


def _current_facts(svc: ScanService, key: LabelKey) -> snapshot.Facts | None:
    """The address's facts at the current version (for the resolver's JSON answers)."""
    facts = svc.facts.peek(_cache_key(key))
    today = today_vn()
    if facts is not None and facts.today == today:
        if service_connections.public_version(svc) == facts.version:
            return facts
    return _reload(svc, key, today)[0]


def _client() -> tuple[ClientClass, str]:
    ua = request.user_agent.string
    kind = classify(ua, accept=request.headers.get("Accept", ""),
                    purpose=request.headers.get("Sec-Purpose")
                    or request.headers.get("Purpose", ""))
    return kind, client_hash(service().client_key, request.remote_addr, ua)


def _record_label(svc: ScanService, key: LabelKey, seq: int, facts, bundle, today,
                  client: ClientClass | None = None):
    """Record the scan against the cached facts. When the public version moved since
    they were read, undo, reload them once and record against the reloaded facts,
    whatever the version is by then: an edit elsewhere (another product, a busy office)
    must never make a scan fail, and facts read in this request are current enough for
    the ids a scan row needs. None: the serial was never printed."""
    kind, client_id = _client()
    if client is not None:
        kind = ClientClass.BOT if kind is ClientClass.BOT else client
    fresh = bundle is not None
    while True:
        run = facts.run_for(seq)
        if run is None:
            if fresh:
                return None  # signed, but never printed: not issued by the registry
        else:
            history = _write_scan(svc, facts, run, key, seq, kind, client_id,
                                  check_version=not fresh)
            if history is not None:
                return facts, bundle, run, history, kind
        facts, bundle = _reload(svc, key, today)
        if facts is None:
            return facts, bundle, None, None, kind
        fresh = True


def _write_scan(svc, facts, run, key, seq, kind, client_id,
                check_version: bool = True) -> LabelHistory | None:
    """One transaction: the scan, the counts, the version. None (rolled back) when
    ``check_version`` and the version differs from the facts'.

    On SQLite the writers of this host queue on a file lock first (``db_setup``), which
    wakes the next one at once instead of after SQLite's busy-handler sleep; a scan that
    waited there gets only what is left of the busy timeout, so scans queued behind a
    long-locked database give up together within one timeout (503, retry)."""
    engine = db.engine
    if svc.writer_lock is None:
        svc.writer_lock = writer_lock(engine)
    dialect = engine.dialect.name
    driver = service_connections.take(svc, engine)
    try:
        with svc.writer_lock as lock:
            waited = getattr(lock, "waited", 0.0) if dialect == "sqlite" else 0.0
            if waited > BUDGET_SLACK:
                _busy_timeout(driver, db_setup.SQLITE_BUSY_TIMEOUT_MS - waited * 1000)
            try:
                history, version = record_scan(
                    driver, dialect, batch_id=facts.batch_id, run_id=run.run_id,
                    serial=normalize_serial(key.serial), seq=seq, client=kind,
                    client_id=client_id, at=datetime.now(timezone.utc), window=svc.window,
                    record=request.method != "HEAD",
                    expected_version=facts.version if check_version else None)
                if check_version and version != facts.version:
                    driver.rollback()
                    history = None
                else:
                    driver.commit()
            except BaseException:
                driver.rollback()
                raise
            finally:
                if waited > BUDGET_SLACK:
                    _busy_timeout(driver, db_setup.SQLITE_BUSY_TIMEOUT_MS)
    except BaseException:
        service_connections.drop(driver)  # broken, or interrupted mid-way: not reused
        raise
    service_connections.give(svc, driver)
    return history


#: A scan that waited longer than this (seconds) for the writer lock gets only what is
#: left of the busy timeout.
BUDGET_SLACK = 0.05


def _busy_timeout(driver, milliseconds: float) -> None:
    try:
        driver.execute(f"PRAGMA busy_timeout={max(0, int(milliseconds))}")
    except Exception:  # noqa: BLE001 - a dead connection: the pool replaces it
        pass


def _fragments(svc: ScanService, key: LabelKey, facts, bundle) -> Fragments | None:
    lang = g.get("lang", "vi")
    cache_key = (*_cache_key(key), lang, facts.version, facts.today)
    cached = svc.fragments.peek(cache_key)
    if cached is not None:
        return cached
    loaded_here = bundle is None
    if loaded_here:
        bundle = snapshot.bundle_for(facts)
        if bundle is None:
            web.end_reads()
            return None
    product = bundle.product
    canonical = svc.base + PAGE + key_path(cut(key, "batch" if bundle.batch else "product"))
    current = product.current_decision(facts.today)
    context = dict(bundle=bundle, rating=facts.rating, today=facts.today,
                   canonical=canonical, bundle_decision=current,
                   history=[d for d in product.decisions
                            if current is None or d.id != current.id])
    name = product.name_en if lang == "en" and product.name_en else product.name_vi
    made = Fragments(Markup(render_template("public/_page_head.html", **context)),
                     Markup(render_template("public/_page_body.html", **context)), name)
    # Rows loaded apart from the facts may be newer than them: keep the sections only
    # if nothing changed in between (else the next request renders them again).
    if not loaded_here or snapshot.current_version() == facts.version:
        svc.fragments.put(cache_key, made)
    if loaded_here:
        web.end_reads()
    return made


# ---------------------------------------------------------------- JSON answers


@bp.route("/verify/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@bp.route("/verify/p/<path:rest>", methods=METHODS, provide_automatic_options=False)
def verify(rest: str):
    """The verification service: the verdict as JSON. Logged, never counted as a check."""
    try:
        key = _key(_raw_path()[len(VERIFY):])
        expiry_text = request.args.get("17")
        address_expiry = _address_expiry(expiry_text)
    except BadAddress as error:
        return _cors(_problem(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail))
    if request.method == "OPTIONS":
        return _cors(current_app.response_class(status=204))
    svc, today = service(), today_vn()
    if key.serial is None:
        return _cors(_problem(404, _("Dịch vụ kiểm tra chỉ dành cho mã có số sê-ri.")))
    seq = svc.signer.verify(key.item_key, key.lot, key.serial)
    facts = svc.facts.peek(_cache_key(key))
    bundle = None
    if seq is not None and (facts is None or facts.today != today):
        facts, bundle = _reload(svc, key, today)
    outcome = None
    if seq is not None and facts is not None:
        outcome = _record_label(svc, key, seq, facts, bundle, today, client=ClientClass.API)
    if outcome is None or outcome[0] is None:
        response = jsonify({"genuine": False, "issuedByRegistry": False,
                            "message": _("Mã này không do sổ đăng ký OCOP cấp")})
        response.status_code = 404
        return _cors(response)
    facts, _bundle, run, history, _kind = outcome
    label = _label_facts(svc, facts, run, history, address_expiry, expiry_text)
    findings = verdict_findings(label)
    decision = facts.rating.decision
    body = {
        "genuine": True, "issuedByRegistry": True,
        "findings": [f.value for f in findings],
        "product": facts.product_name_vi, "gtin": facts.gtin, "lot": key.lot,
        "serial": display(key.serial), "labelNumber": seq + 1,
        "recalled": facts.recall is not None,
        "recall": ({"reason": facts.recall.reason, "advice": facts.recall.advice,
                    "since": facts.recall.recalled_on.isoformat()} if facts.recall else None),
        "rating": {"state": facts.rating.state.value,
                   "stars": decision.stars if decision else None,
                   "validUntil": decision.valid_until.isoformat() if decision else None},
        "printedStars": run.printed_stars, "printedStarsVoid": stars_void(label),
        "batchExpiry": facts.batch_expiry.isoformat() if facts.batch_expiry else None,
        "checks": history.checks, "distinctClients": history.clients,
        "firstChecked": history.first_checked_at.isoformat() if history.first_checked_at
        else None,
        "possibleCopy": Finding.MANY_CLIENTS in findings,
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return _cors(response)


@bp.route("/epcis/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@bp.route("/epcis/p/<path:rest>", methods=METHODS, provide_automatic_options=False)
def epcis(rest: str):
    """The batch's trace events as an EPCIS 2.0 document."""
    try:
        key = _key(_raw_path()[len(EPCIS):])
    except BadAddress as error:
        return _cors(_problem(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail))
    if request.method == "OPTIONS":
        return _cors(current_app.response_class(status=204))
    svc = service()
    facts = _current_facts(svc, cut(key, "batch")) if key.lot is not None else None
    if facts is None or facts.batch_id is None:
        return _cors(_problem(404, _("Sản phẩm này không có lô hàng mang mã lô trên tem.")))
    batch = db.session.get(Batch, facts.batch_id)
    response = jsonify(epcis_document(batch, svc.base + key_path(cut(key, "batch"))))
    response.mimetype = "application/ld+json"
    return _cors(response)


# ---------------------------------------------------------------- shared pieces


def _raw_path() -> str:
    """The path as sent, still percent-encoded (``parse_label_path`` decodes it once;
    werkzeug's ``request.path`` is decoded already)."""
    return quote(request.path, safe="/")


def _cache_key(key: LabelKey) -> tuple[str, str, str | None]:
    """What the caches know an address by: its form (GTIN or registry code: a code may
    look like a GTIN), its item key and its lot."""
    return ("01" if key.gtin14 is not None else "p", key.item_key, key.lot)


def _key(path: str) -> LabelKey:
    try:
        return parse_label_path(path)
    except LabelAddressError as error:
        raise BadAddress(str(error)) from error


def _address_expiry(text: str | None) -> date | None:
    if text is None:
        return None
    value = parse_yymmdd(text)
    if value is None:
        raise BadAddress(f"the expiry date (17) must be YYMMDD, got {text!r}")
    return value


def _cors(response):
    for name, value in CORS:
        response.headers[name] = value
    return response


def _problem(status: int, title: str, detail: str | None = None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    response = jsonify(body)
    response.mimetype = "application/problem+json"
    response.status_code = status
    return response


def _wants_json() -> bool:
    accept = request.headers.get("Accept", "")
    return bool(accept) and "text/html" not in accept and request.accept_mimetypes.best_match(
        ["text/html", "application/json", LINKSET]) in ("application/json", LINKSET)


def _error(status: int, message: str, detail: str | None = None):
    if _wants_json():
        return _cors(_problem(status, message, detail))
    html = render_template("public/scan_error.html", status=status, message=message,
                           detail=detail)
    return current_app.make_response((html, status))


def _not_issued(key: LabelKey):
    """A forged or never-issued serial: 404, and nothing from the address is trusted."""
    if _wants_json():
        response = jsonify({"genuine": False, "issuedByRegistry": False,
                            "message": _("Mã này không do sổ đăng ký OCOP cấp")})
        response.status_code = 404
        return _cors(response)
    address = with_query(service().base + key_path(key), request.query_string.decode("latin-1"))
    html = render_template("public/not_issued.html", address=address)
    response = current_app.make_response((html, 404))
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- compressed addresses


@bp.route("/<gs1compressed:blob>", methods=METHODS, provide_automatic_options=False)
def compressed(blob: str):
    """A GS1 Digital Link compressed URI: expanded, then answered as the uncompressed
    address would be, with ``Link: <uncompressed>; rel="owl:sameAs"``."""
    from gs1 import decompress_gs1_digital_link

    svc = service()
    try:
        expanded = decompress_gs1_digital_link(f"{svc.base}/{blob}", False)
        key = _key(expanded)
    except BadAddress as error:
        return _error(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail)
    except Exception:  # noqa: BLE001 - the library raises bare errors on garbage
        return _error(404, _("Không tìm thấy trang này."))
    query = expanded.partition("?")[2]
    try:
        _address_expiry(dict(p.partition("=")[::2] for p in query.split("&") if p).get("17"))
    except BadAddress as error:
        return _error(400, _("Địa chỉ trên tem không đúng định dạng."), error.detail)
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
    return _cors(response)
