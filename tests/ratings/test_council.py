"""Councils score together: a quorum of independent sheets, the average with its spread,
the chair (or an administrator) records the decision."""
from __future__ import annotations

from decimal import Decimal

import pytest

from registry.exceptions import OperationRefused
from registry.extensions import db
from registry.models import ApplicationState, RatingApplication, RatingDecision
from registry.ocop.criteria import CouncilLevel
from registry.ocop.rules import today_vn
from registry.ratings import operations as ops
from registry.ratings import scoring

from .. import factories
from ..helpers import post_form


@pytest.fixture
def submitted(producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     gtin="8939999000055")
    cs = ops.current_criteria_set()
    app = ops.create_application(product, product_set=1, requested_stars=4,
                                 self_assessment={c.code: c.max_points * Decimal("0.7")
                                                  for c in cs.criteria},
                                 self_notes={"A1": "Vùng bưởi 20 ha của 30 thành viên"})
    return factories.submit_and_propose(app)


@pytest.fixture
def council(app_ctx, reviewer_user):
    """The chair (``reviewer``) and two members of the province council."""
    return [reviewer_user] + [factories.make_user(f"member{i}", role="reviewer",
                                                  council_level="province")
                              for i in (1, 2)]


def _lines(app, fraction):
    return {c.id: ((c.max_points * Decimal(fraction)).quantize(Decimal("0.01")), True, None)
            for c in app.criteria_set.criteria}


def _approve(client, app_id):
    return post_form(client, f"/office/applications/{app_id}/approve",
                 f"/office/applications/{app_id}", stars="4", decision_number="77/QĐ-UBND",
                 decided_on=today_vn().isoformat(), issuing_body="UBND thành phố Cần Thơ")


def test_the_quorum_defaults_to_three_sheets_per_council_level(app_ctx):
    assert {level: scoring.quorum(level) for level in CouncilLevel} == {
        level: 3 for level in CouncilLevel}


def test_a_decision_is_refused_until_the_quorum_of_sheets_is_in(client, auth, submitted,
                                                                council):
    for member, fraction in zip(council[1:], ("0.8", "0.7")):
        scoring.score_application(submitted, member, _lines(submitted, fraction))
    db.session.commit()
    assert submitted.state is ApplicationState.SUBMITTED
    auth.login("reviewer")
    page = client.get(f"/office/applications/{submitted.id}").get_data(as_text=True)
    assert "Chưa thể quyết định: hội đồng cần 3 phiếu chấm, mới có 2." in page
    assert 'action="/office/applications/%d/approve"' % submitted.id not in page
    response = _approve(client, submitted.id)
    assert response.status_code == 409
    assert ("Hội đồng cần 3 phiếu chấm độc lập trước khi quyết định; mới có 2 phiếu "
            "(còn thiếu 1).") in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(RatingDecision.id))) == 0
    scoring.score_application(submitted, council[0], _lines(submitted, "0.75"))
    db.session.commit()
    assert submitted.state is ApplicationState.SCORED
    assert _approve(client, submitted.id).status_code == 302
    decision = db.session.scalar(db.select(RatingDecision))
    assert decision.points == Decimal("75.00") and decision.product_set == 1


def test_reviewers_do_not_see_the_other_sheets_before_sending_their_own(
        client, auth, submitted, council):
    scoring.score_application(submitted, council[1], _lines(submitted, "0.8"))
    db.session.commit()
    auth.login("member2")
    page = client.get(f"/office/applications/{submitted.id}").get_data(as_text=True)
    assert "Đã nộp 1/3 phiếu chấm độc lập." in page
    assert "Member1" not in page and "Điểm trung bình" not in page
    assert "các phiếu đã nộp hiện ra sau khi bạn nộp phiếu của mình" in page
    score = client.get(f"/office/applications/{submitted.id}/score").get_data(as_text=True)
    assert "Member1" not in score and "Điểm trung bình" not in score
    scoring.score_application(submitted, council[2], _lines(submitted, "0.6"))
    db.session.commit()
    page = client.get(f"/office/applications/{submitted.id}").get_data(as_text=True)
    assert "Member1" in page and "Điểm trung bình: 70" in page
    assert "thấp nhất 60, cao nhất 80 (chênh 20 điểm)" in page


def test_a_sent_sheet_is_final(client, auth, submitted, council):
    scoring.score_application(submitted, council[1], _lines(submitted, "0.8"))
    db.session.commit()
    with pytest.raises(OperationRefused, match="phiếu đã nộp không sửa được") as refused:
        scoring.score_application(submitted, council[1], _lines(submitted, "0.9"))
    assert refused.value.status == 409
    db.session.rollback()
    auth.login("member1")
    response = client.get(f"/office/applications/{submitted.id}/score")
    assert response.status_code == 303


def test_only_the_chair_or_an_administrator_records_the_decision(
        client, auth, submitted, council, admin_user):
    factories.score_by_council(submitted, "0.75", first=council[0])
    auth.login("member1")
    page = client.get(f"/office/applications/{submitted.id}").get_data(as_text=True)
    assert "Công nhận</button>" not in page
    assert _approve(client, submitted.id).status_code == 403
    auth.logout()
    auth.login("admin")
    assert _approve(client, submitted.id).status_code == 302


def test_the_score_form_shows_the_self_assessment_beside_each_input(
        client, auth, submitted, council):
    auth.login("member1")
    html = client.get(f"/office/applications/{submitted.id}/score").get_data(as_text=True)
    for c in submitted.criteria_set.criteria:
        legend = html.split(f"{c.code}. {c.title_vi}")[1].split("</fieldset>")[0]
        own = c.max_points * Decimal("0.7")
        from registry.templating import vn_decimal

        assert f"Chủ thể tự chấm: <strong>{vn_decimal(own)}</strong>" in legend, c.code
        assert f'name="points_{c.id}"' in legend
    assert "Vùng bưởi 20 ha của 30 thành viên" in html
    assert "bộ sản phẩm 1. Rau, củ, quả, hạt tươi" in html


def test_a_member_of_the_producer_is_not_on_its_council(client, auth, submitted, producer):
    conflicted = factories.make_user("member.conflict", role="reviewer",
                                     council_level="province")
    conflicted.producer_id = producer.id
    db.session.commit()
    auth.login("member.conflict")
    assert client.get(f"/office/applications/{submitted.id}").status_code == 403
    assert client.get(f"/office/applications/{submitted.id}/score").status_code == 403
    fresh = db.session.get(RatingApplication, submitted.id)
    assert fresh.state is ApplicationState.SUBMITTED
