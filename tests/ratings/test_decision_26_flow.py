"""A dossier submitted today is scored under Decision 26/2026 and its product set, which
its score form, its decision and the public page all show."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from registry.extensions import db
from registry.models import RatingApplication, RatingDecision
from registry.ocop.rules import today_vn

from .. import factories
from ..helpers import post_form

SET_LINE = "1. Rau, củ, quả, hạt tươi"


def test_a_dossier_of_today_is_scored_and_decided_in_its_product_set(
        client, auth, producer, producer_user, reviewer_user):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     gtin="8939999000055")
    auth.login("member.a")
    url = f"/portal/products/{product.id}/application"
    form = client.get(url).get_data(as_text=True)
    assert "Bộ sản phẩm (Phụ lục I, Quyết định 26/2026/QĐ-TTg)" in form
    select = form.split('name="product_set"')[1].split("</select>")[0]
    assert select.count("<option") == 1 + 26  # "choose", then the 26 product sets
    assert '<option value="1">1. Rau, củ, quả, hạt tươi (Thực phẩm)</option>' in select
    app_cs = db.session.scalar(db.select(RatingApplication.id))
    assert app_cs is None
    from registry.ratings.operations import current_criteria_set

    cs = current_criteria_set()
    data = {f"self_{c.code}": str(c.max_points * Decimal("0.8")) for c in cs.criteria}
    missing = post_form(client, url, url, requested_stars="4", **data)
    assert missing.status_code == 400 and "Chọn bộ sản phẩm." in missing.get_data(as_text=True)
    response = post_form(client, url, url, requested_stars="4", product_set="1",
                     note_A1="Vùng trồng 20 ha", **data)
    assert response.status_code == 302
    app = db.session.scalar(db.select(RatingApplication))
    assert app.criteria_set.code == "26/2026/QĐ-TTg" and app.product_set == 1
    assert app.self_notes == {"A1": "Vùng trồng 20 ha"}
    auth.logout()
    factories.submit_and_propose(app)

    auth.login("reviewer")
    score = client.get(f"/office/applications/{app.id}/score").get_data(as_text=True)
    assert "26/2026/QĐ-TTg (2026)" in score and f"bộ sản phẩm {SET_LINE}" in score
    assert "bản rút gọn" in score  # the condensed lines say what they are
    dossier = client.get(f"/office/applications/{app.id}").get_data(as_text=True)
    assert SET_LINE in dossier and "Thực phẩm · Thực phẩm tươi sống" in dossier
    assert "Quyết định 26/2026/QĐ-TTg ngày 22/5/2026" in dossier
    factories.score_by_council(app, "0.8", first=reviewer_user)
    decided = post_form(client, f"/office/applications/{app.id}/approve",
                    f"/office/applications/{app.id}", stars="4", decision_number="26/QĐ-UBND",
                    decided_on=today_vn().isoformat(), issuing_body="UBND thành phố Cần Thơ")
    assert decided.status_code == 302
    decision = db.session.scalar(db.select(RatingDecision))
    assert decision.product_set == 1 and decision.criteria_set.code == "26/2026/QĐ-TTg"
    page = client.get(f"/office/decisions/{decision.id}").get_data(as_text=True)
    assert SET_LINE in page and "26/2026/QĐ-TTg (2026)" in page
    auth.logout()
    public = client.get("/page/01/08939999000055").get_data(as_text=True)
    assert f"Bộ tiêu chí 26/2026/QĐ-TTg (2026) · bộ sản phẩm {SET_LINE}" in public


def test_decisions_under_earlier_sets_keep_them(client, producer):
    product = factories.make_product(producer, name_vi="Nấm linh chi", gtin="8939999000017")
    old = factories.make_decision(product, date(2024, 1, 2))
    assert old.criteria_set.code == "148/QĐ-TTg" and old.product_set is None
    public = client.get("/page/01/08939999000017").get_data(as_text=True)
    assert f"Bộ tiêu chí {old.criteria_set.label}" in public and "bộ sản phẩm" not in public
