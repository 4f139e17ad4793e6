"""A refused operation speaks the user's language: English when it was chosen (``?lang=en``
remembered in a cookie, or Accept-Language), Vietnamese by default and in commands; the
status code does not depend on the language."""
from __future__ import annotations

import html
import io
from datetime import date
from decimal import Decimal

import pytest

from registry.extensions import db
from registry.models import RatingApplication, RatingDecision, StoredFile
from registry.ocop.rules import today_vn
from registry.ratings import operations as ops

from .. import factories
from ..conftest import csrf_token
from ..helpers import post_form

PASSWORD = factories.PASSWORD


def choose_english(client, how: str) -> None:
    """The two ways a user ends up with English pages."""
    if how == "cookie":
        client.get("/?lang=en")  # remembered in the ``lang`` cookie for later requests
    else:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --------------------------------------------------------------------------- office


@pytest.fixture
def submitted(producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     gtin="8939999000055")
    cs = ops.current_criteria_set()
    app = ops.create_application(
        product, product_set=1, requested_stars=4,
        self_assessment={c.code: c.max_points * Decimal("0.7") for c in cs.criteria})
    return factories.submit_and_propose(app)  # the commune proposes it


def _score(app: RatingApplication, reviewer, fraction: str) -> None:
    """The council's quorum of sheets, ``reviewer`` (the chair) among them."""
    factories.score_by_council(app, fraction, first=reviewer)


def _approve(client, app_id: int, stars: str):
    return post_form(client, f"/office/applications/{app_id}/approve",
                 f"/office/applications/{app_id}", stars=stars,
                 decision_number="999/QĐ-UBND", decided_on=today_vn().isoformat(),
                 issuing_body="UBND tỉnh Sóc Trăng")


@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_approving_4_stars_with_68_points_is_refused_in_english_for_an_english_user(
        client, auth, submitted, reviewer_user, how):
    _score(submitted, reviewer_user, "0.68")
    choose_english(client, how)
    auth.login("reviewer")
    response = _approve(client, submitted.id, "4")
    text = page_text(response)
    assert response.status_code == 400
    assert ("68.00 points only reach 3 stars; 4 stars cannot be recognised "
            "(70 points or more needed).") in text
    assert "điểm chỉ đạt hạng" not in text
    assert db.session.scalar(db.select(db.func.count(RatingDecision.id))) == 0


def test_the_same_refusal_is_in_vietnamese_by_default(client, auth, submitted, reviewer_user):
    _score(submitted, reviewer_user, "0.68")
    auth.login("reviewer")
    response = _approve(client, submitted.id, "4")
    text = page_text(response)
    assert response.status_code == 400
    assert ("68.00 điểm chỉ đạt hạng 3 sao; không thể công nhận 4 sao "
            "(cần từ 70 điểm).") in text
    assert "points only reach" not in text


def test_switching_back_to_vietnamese_brings_the_vietnamese_message_back(
        client, auth, submitted, reviewer_user):
    _score(submitted, reviewer_user, "0.68")
    choose_english(client, "cookie")
    client.get("/?lang=vi")
    auth.login("reviewer")
    response = _approve(client, submitted.id, "4")
    assert response.status_code == 400
    assert "68.00 điểm chỉ đạt hạng 3 sao" in page_text(response)


@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_5_stars_at_provincial_level_is_refused_in_english_with_the_council_levels(
        client, auth, submitted, reviewer_user, how):
    _score(submitted, reviewer_user, "0.95")
    choose_english(client, how)
    auth.login("reviewer")
    response = _approve(client, submitted.id, "5")
    text = page_text(response)
    assert response.status_code == 403
    assert ("5 stars are recognised by the national council, not the province council."
            in text)
    assert "cấp trung ương" not in text and "công nhận, không phải" not in text
    assert db.session.scalar(db.select(db.func.count(RatingDecision.id))) == 0


def test_5_stars_at_provincial_level_is_refused_in_vietnamese_by_default(
        client, auth, submitted, reviewer_user):
    _score(submitted, reviewer_user, "0.95")
    auth.login("reviewer")
    response = _approve(client, submitted.id, "5")
    assert response.status_code == 403
    assert ("hạng 5 sao do hội đồng cấp trung ương công nhận, không phải cấp tỉnh."
            in page_text(response))


# --------------------------------------------------------------------------- portal


def _new_batch(client, product_id: int, lot_code: str):
    url = f"/portal/products/{product_id}/batches/new"
    return post_form(client, url, url, lot_code=lot_code, origin="Vườn bưởi ông Ba",
                 quantity="10", unit="kg", origin_commune="0")


def test_a_taken_lot_code_is_refused_in_english_for_an_english_member(
        client, auth, product, producer_user):
    factories.make_batch(product, "NR2611", harvest_date=date(2026, 11, 10))
    choose_english(client, "cookie")
    auth.login("member.a")
    response = _new_batch(client, product.id, "NR2611")
    text = page_text(response)
    assert response.status_code == 409
    assert "This product already has a batch with lot code “NR2611”." in text
    assert "đã có lô mã" not in text


def test_a_taken_lot_code_is_refused_in_vietnamese_by_default(client, auth, product,
                                                             producer_user):
    factories.make_batch(product, "NR2611", harvest_date=date(2026, 11, 10))
    auth.login("member.a")
    response = _new_batch(client, product.id, "NR2611")
    assert response.status_code == 409
    assert "Sản phẩm này đã có lô mã “NR2611”." in page_text(response)


# --------------------------------------------------------------------------- uploads


def _application_form(client, product_id: int, files):
    url = f"/portal/products/{product_id}/application"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "requested_stars": "4", "product_set": "1",
            "evidence": files}
    for c in ops.current_criteria_set().criteria:
        data[f"self_{c.code}"] = str(c.max_points * 3 / 4)
    return client.post(url, data=data, content_type="multipart/form-data")


DISGUISED = b"<html><script>x</script></html>"


@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_a_disguised_upload_is_refused_in_english_for_an_english_member(
        client, auth, product, producer_user, how):
    choose_english(client, how)
    auth.login("member.a")
    response = _application_form(client, product.id, [(io.BytesIO(DISGUISED), "anh.jpg")])
    text = page_text(response)
    assert response.status_code == 400
    assert ("The file does not contain a PDF, JPEG, PNG or WebP "
            "(its name does not decide its type).") in text
    assert "không phải PDF" not in text
    assert db.session.scalar(db.select(db.func.count(RatingApplication.id))) == 0
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0


def test_a_disguised_upload_is_refused_in_vietnamese_by_default(client, auth, product,
                                                                producer_user):
    auth.login("member.a")
    response = _application_form(client, product.id, [(io.BytesIO(DISGUISED), "anh.jpg")])
    assert response.status_code == 400
    assert ("Nội dung tệp không phải PDF, JPEG, PNG hoặc WebP "
            "(tên tệp không quyết định loại tệp).") in page_text(response)


def test_an_oversized_upload_keeps_its_413_and_speaks_english(client, auth, product,
                                                              producer_user):
    from registry.ratings import evidence as portal_ops

    choose_english(client, "cookie")
    auth.login("member.a")
    # within the request limit (12 MiB), above the evidence limit (10 MB)
    big = b"%PDF-1.4\n" + b"0" * (portal_ops.MAX_EVIDENCE_BYTES + 1024) + b"\n%%EOF\n"
    response = _application_form(client, product.id, [(io.BytesIO(big), "ho-so.pdf")])
    assert response.status_code == 413
    assert "The file is too large (10.0 MB); the limit is 10 MB." in page_text(response)


# --------------------------------------------------------------------------- commands


def test_a_command_outside_any_request_prints_the_vietnamese_refusal(runner, admin_user):
    result = runner.invoke(args=["create-user", "--login", "admin", "--role", "admin",
                                 "--password", PASSWORD])
    assert result.exit_code != 0
    assert "Tên đăng nhập “admin” đã có người dùng." in result.output
