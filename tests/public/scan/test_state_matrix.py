"""Every page that shows a rating says exactly one rating statement, the true one.

The matrix: rating state (valid, expiring within 90 days, expired, revoked, pending,
rejected, never rated, re-rated with history) × page (scan page, product page, batch
page, catalogue card) × language (vi, en) × path (caches cold, caches warm). Each page
is read as a whole, from its visible text: the complete set of rating statements on it,
what must be there and what must not.
"""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from registry.extensions import db
from registry.labels.gs1 import gtin_check_digit
from registry.models import ApplicationState, Certification, CertificationKind
from registry.ocop.rules import add_months, today_vn
from registry.ratings import decisions
from registry.ratings import operations as ops

from ... import factories
from .support import CLAIMS, PHONE, STATEMENTS, print_labels, rating_statements, scan, visible_text

STATES = ["valid", "expiring", "expired", "revoked", "pending", "rejected", "none",
          "rerated"]
PAGES = ["scan", "product", "batch", "catalogue"]


def _application(product, state: ApplicationState):
    cs = ops.current_criteria_set()
    app = ops.create_application(product, requested_stars=4, product_set=1, self_assessment={
        c.code: c.max_points * Decimal("0.7") for c in cs.criteria})
    app.state = state
    db.session.commit()


def _make(producer, state: str, n: int):
    today = today_vn()
    body = f"89399990{n:04d}"
    product = factories.make_product(producer, name_vi=f"Sản phẩm {state}",
                                     name_en=f"Product {state}",
                                     gtin=body + str(gtin_check_digit(body)))
    if state in ("valid", "rerated"):
        if state == "rerated":
            factories.make_decision(product, add_months(today, -40), stars=3, points="60")
        factories.make_decision(product, today - timedelta(days=100), stars=4)
    elif state == "expiring":
        factories.make_decision(product, add_months(today, -36) + timedelta(days=30), stars=4)
    elif state == "expired":
        factories.make_decision(product, add_months(today, -40), stars=4)
    elif state == "revoked":
        decision = factories.make_decision(product, today - timedelta(days=100), stars=4)
        decisions.revoke_decision(decision, reason="Vi phạm an toàn thực phẩm", on=today,
                            actor_label="test")
        db.session.commit()
    elif state == "pending":
        _application(product, ApplicationState.SUBMITTED)
    elif state == "rejected":
        _application(product, ApplicationState.REJECTED)
    db.session.add(Certification(producer=producer, product=product,
                                 kind=CertificationKind.VIETGAP, issuer="Trung tâm chứng nhận",
                                 issued_on=today - timedelta(days=30),
                                 expires_on=today + timedelta(days=300)))
    db.session.commit()
    batch = factories.make_batch(product, f"L{n:02d}")
    return product, batch, print_labels(batch, 1)[0]


@pytest.fixture
def catalogue(producer):
    return {state: _make(producer, state, n) for n, state in enumerate(STATES, start=1)}


def _page(client, kind: str, product, batch, label, lang: str):
    query = {"en": "lang=en", "vi": "lang=vi"}[lang]
    if kind == "scan":
        response = scan(client, label + f"&{query}" if "?" in label else label + f"?{query}")
    elif kind == "product":
        response = client.get(f"/page/01/{product.gtin}?{query}", headers=PHONE)
    elif kind == "batch":
        response = client.get(f"/page/01/{product.gtin}/10/{batch.lot_code}?{query}",
                              headers=PHONE)
    else:
        response = client.get(f"/?q={product.name_vi.split()[-1]}&{query}", headers=PHONE)
    assert response.status_code == 200, (kind, response.status_code)
    return response.get_data(as_text=True)


def _cold(app):
    app.extensions.pop("registry.scan", None)
    app.extensions.pop("registry.catalogue", None)


EXPECTED = {"rerated": "valid"}


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_page_says_one_true_rating_statement(app, client, catalogue, lang, warm):
    for state, (product, batch, label) in catalogue.items():
        expected = EXPECTED.get(state, state)
        for kind in PAGES:
            _cold(app)
            html = _page(client, kind, product, batch, label, lang)
            if warm:  # the same page again, from this process's caches
                html = _page(client, kind, product, batch, label, lang)
            text = visible_text(html)
            where = f"{state} / {kind} / {lang} / {'warm' if warm else 'cold'}"
            assert rating_statements(text, lang) == [expected], where
            other = "en" if lang == "vi" else "vi"
            assert rating_statements(text, other) == [], where
            assert len(re.findall(r'data-rating-statement="', html)) == 1, where
            # no other wording of a rating anywhere else on the page
            rest = re.sub(STATEMENTS[lang][expected], " ", text)
            for pattern, allowed in CLAIMS[lang].items():
                if expected not in allowed:
                    assert not re.search(pattern, rest, flags=re.I), (where, pattern)
            stars = re.findall(r"[★☆]{5}", text)
            assert stars == (["★★★★☆"] if expected in ("valid", "expiring") else []), where
            if kind == "scan":
                assert ("Tem thật do sổ đăng ký cấp" if lang == "vi"
                        else "Genuine label issued by the registry") in text, where
            if state == "rerated" and kind in ("product", "batch", "scan"):
                assert ("Các quyết định trước" if lang == "vi"
                        else "Earlier decisions") in text, where
