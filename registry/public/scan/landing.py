"""The page people read when they scan a label (or open a product or batch address):
one template, ``public/page.html``, for every language, with or without ``Accept``,
signed in or not; its parts cached per process and public version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from flask import current_app, g, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ... import web
from ...labels.links import LabelKey
from ...labels.serials import display
from ...ocop.rules import today_vn
from ...templating import render_blocks
from ..clients import COUNTED
from . import service as service_connections
from . import snapshot
from .addresses import PAGE, cut, key_path, with_query
from .answers import LINKSET, error_answer, facts_key, not_issued
from .checks import LabelHistory
from .facts import label_facts, reload_facts
from .recording import record_label
from .rules import (
    DecisionFacts,
    Finding,
    RatingFacts,
    stars_void,
    verdict_findings,
    void_reason,
)
from .service import ScanService, service


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


def landing_answer(key: LabelKey, expiry_text: str | None, address_expiry: date | None):
    """The page people read for ``key``: the serial verified (HMAC, no database), the
    scan recorded and the label's totals read (one transaction), the address's facts and
    rendered fragments from this process's caches (rebuilt when the version moved), the
    verdict decided, ``public/page.html`` rendered."""
    svc, today = service(), today_vn()
    seq = None
    if key.serial is not None:
        seq = svc.signer.verify(key.item_key, key.lot, key.serial)
        if seq is None:
            return not_issued(key)  # forged or mistyped: nothing from the address is trusted
    facts = svc.facts.peek(facts_key(key))
    bundle = None
    if facts is None or facts.today != today:
        facts, bundle = reload_facts(svc, key, today)
        if facts is None:
            return error_answer(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    verdict = None
    if seq is not None:
        # Recorded already by the front (public/scan/front.py), which found no content
        # block rendered for this verdict yet: not recorded twice.
        outcome = request.environ.pop(RECORDED, None)
        if outcome is None:
            outcome = record_label(svc, key, seq, facts, bundle, today)
        if outcome is None:
            return not_issued(key)
        facts, bundle, run, history, client = outcome
        if facts is None:
            return error_answer(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
        verdict = make_verdict(svc, key, seq, facts, run, history, client, address_expiry,
                               expiry_text)
    elif bundle is None:  # facts from this process's cache: still current?
        version = service_connections.public_version(svc)
        if version != facts.version:
            facts, bundle = reload_facts(svc, key, today)
            if facts is None:
                return error_answer(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    fragments = _fragments(svc, key, facts, bundle)
    if fragments is None:  # deleted between two reads
        return error_answer(404, _("Không tìm thấy sản phẩm có mã này trong sổ đăng ký."))
    address = svc.base + key_path(key)
    context = dict(facts=facts, verdict=verdict, head=fragments.head, body=fragments.body,
                   title=fragments.title,
                   address=with_query(address, request.query_string.decode("latin-1")))
    response = current_app.make_response(_render_page(svc, key, facts, context))
    for name, value in page_headers(svc, key, verdict):
        response.headers[name] = value
    return response


PAGE_TEMPLATE, PAGE_PARENTS = "public/page.html", ("base.html",)
#: The environ key under which the front hands Flask a scan it recorded.
RECORDED = "registry.scan.recorded"


def make_verdict(svc: ScanService, key: LabelKey, seq: int, facts, run, history, client,
                 address_expiry: date | None, expiry_text: str | None) -> Verdict:
    """The verdict on one scanned label, from its facts and its recorded history."""
    label = label_facts(svc, facts, run, history, address_expiry, expiry_text)
    return Verdict(verdict_findings(label), history, facts.rating,
                   run.printed_stars if stars_void(label) else None, facts.recall,
                   key.lot, facts.batch_expiry, address_expiry, expiry_text,
                   display(key.serial), seq, client in COUNTED, run.printed_decision)


def page_headers(svc: ScanService, key: LabelKey, verdict) -> list[tuple[str, str]]:
    """The page's own headers, after ``Content-Type`` and ``Content-Length``."""
    return [("Link", f'<{svc.base}{key_path(key)}?linkType=linkset>; rel="linkset"; '
                     f'type="{LINKSET}"'),
            ("Cache-Control", "no-store" if verdict else "no-cache"),
            ("Access-Control-Allow-Origin", "*")]  # public data, no credentials


def shell_key(key: LabelKey, lang: str, facts, query_string: bytes, who) -> tuple:
    """What the page's top and bottom are kept by."""
    return (*facts_key(key), lang, facts.version, facts.today, query_string, who)


def content_key(shell: tuple, key: LabelKey, verdict) -> tuple:
    """What the page's content block is kept by."""
    return (shell, key.serial, _verdict_key(verdict))


def _render_page(svc: ScanService, key: LabelKey, facts, context) -> str:
    """``public/page.html``. The page's top and bottom (head, header, footer: the same
    for every label of a batch, for one visitor, in one language) are rendered once per
    process and public version, and only the content block per request; a page with
    messages to flash, or whose visitor has no CSRF token yet, is rendered whole."""
    who = _visitor()
    if who is None:
        return render_template(PAGE_TEMPLATE, **context)
    top_key = shell_key(key, g.get("lang", "vi"), facts, request.query_string, who)
    shell = svc.shells.peek(top_key)
    if shell is None:
        shell = tuple(render_blocks(PAGE_TEMPLATE, ("document_top", "document_bottom"),
                                    PAGE_PARENTS, **context))
        svc.shells.put(top_key, shell)
    block_key = content_key(top_key, key, context["verdict"])
    content = svc.contents.peek(block_key)
    if content is None:
        (content,) = render_blocks(PAGE_TEMPLATE, ("content",), PAGE_PARENTS, **context)
        svc.contents.put(block_key, content)
    return shell[0] + content + shell[1]


def _verdict_key(verdict: Verdict | None):
    """Everything of ``verdict`` the content block reads that the facts (the address,
    its version and day, the query) do not already fix: a reload by a client already
    counted reads the same verdict, and gets the content block rendered for it before."""
    if verdict is None:
        return None
    h = verdict.history
    return (tuple(verdict.finding_values), h.checks, h.clients, h.first_checked_at,
            h.counted, verdict.printed_stars, verdict.seq, verdict.serial,
            verdict.counted_client, verdict.address_expiry, verdict.address_expiry_text)


def _visitor():
    """What the page's header depends on besides the language and query: nothing for
    anonymous visitors; for a signed-in user, who they are, what they may do (their
    role) and the session's CSRF token (the header's sign-out form carries it). None
    when the page must be rendered whole."""
    config = current_app.config
    cookies = request.cookies
    if (config["SESSION_COOKIE_NAME"] not in cookies
            and config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies):
        return ()  # no session, no remembered login: anonymous, nothing to flash
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


def _fragments(svc: ScanService, key: LabelKey, facts, bundle) -> Fragments | None:
    lang = g.get("lang", "vi")
    cache_key = (*facts_key(key), lang, facts.version, facts.today)
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
