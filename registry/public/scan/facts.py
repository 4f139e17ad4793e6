"""An address's facts for the scan path: from this process's cache while the public
version has not moved, else reloaded (:mod:`.snapshot`).
"""

from __future__ import annotations

from datetime import date

from ... import web
from ...labels.links import LabelKey
from ...ocop.rules import today_vn
from . import service as service_connections
from . import snapshot
from .answers import facts_key
from .checks import LabelHistory
from .rules import (
    LabelFacts,
)
from .service import ScanService


def reload_facts(svc: ScanService, key: LabelKey, today: date):
    loaded = snapshot.load(key, today)
    web.end_reads()  # before any write of this request
    if loaded is None:
        svc.facts.pop(facts_key(key))
        return None, None
    facts, bundle = loaded
    svc.saw_version(facts.version)
    svc.facts.put(facts_key(key), facts)
    svc.known_items.add(facts_key(key)[:2])
    return facts, bundle


def current_facts(svc: ScanService, key: LabelKey) -> snapshot.Facts | None:
    """The address's facts at the current version (for the resolver's JSON answers)."""
    facts = svc.facts.peek(facts_key(key))
    today = today_vn()
    if facts is not None and facts.today == today:
        if service_connections.public_version(svc) == facts.version:
            return facts
    return reload_facts(svc, key, today)[0]


def label_facts(svc: ScanService, facts, run, history: LabelHistory,
                 address_expiry: date | None, expiry_text: str | None) -> LabelFacts:
    """What the verdict rules decide with, for one scanned label (page and /verify)."""
    return LabelFacts(printed_stars=run.printed_stars, rating=facts.rating,
                      recalled=facts.recall is not None, batch_expiry=facts.batch_expiry,
                      address_expiry=address_expiry,
                      address_expiry_given=expiry_text is not None,
                      clients=history.clients, warning_threshold=svc.threshold)
