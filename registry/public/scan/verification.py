"""The verification service: what the page says about a scanned label, as JSON for
shops' and apps' checks.
"""

from __future__ import annotations

from datetime import date

from flask import jsonify
from flask_babel import gettext as _

from ...labels.links import LabelKey
from ...labels.serials import display
from ...models import ClientClass
from ...ocop.rules import today_vn
from .answers import cors, facts_key, problem
from .facts import label_facts, reload_facts
from .recording import record_label
from .rules import (
    Finding,
    stars_void,
    verdict_findings,
)
from .service import service


def verification(key: LabelKey, expiry_text: str | None, address_expiry: date | None):
    """The verification service's answer for ``key``: the verdict as JSON. Logged as an
    API client's check, never counted as a person's."""
    svc, today = service(), today_vn()
    if key.serial is None:
        return cors(problem(404, _("Dịch vụ kiểm tra chỉ dành cho mã có số sê-ri.")))
    seq = svc.signer.verify(key.item_key, key.lot, key.serial)
    facts = svc.facts.peek(facts_key(key))
    bundle = None
    if seq is not None and (facts is None or facts.today != today):
        facts, bundle = reload_facts(svc, key, today)
    outcome = None
    if seq is not None and facts is not None:
        outcome = record_label(svc, key, seq, facts, bundle, today, client=ClientClass.API)
    if outcome is None or outcome[0] is None:
        response = jsonify({"genuine": False, "issuedByRegistry": False,
                            "message": _("Mã này không do sổ đăng ký OCOP cấp")})
        response.status_code = 404
        return cors(response)
    facts, _bundle, run, history, _kind = outcome
    label = label_facts(svc, facts, run, history, address_expiry, expiry_text)
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
    return cors(response)
