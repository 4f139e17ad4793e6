"""The agriculture office's workflow: score, decide, revoke, re-rate, export."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from registry.exceptions import OperationRefused
from registry.extensions import db
from registry.models import ApplicationState, AuditEntry, RatingApplication, RatingDecision
from registry.ocop.criteria import CouncilLevel
from registry.ocop.rules import today_vn
from registry.ratings import decisions, scoring
from registry.ratings import operations as ops

from .. import factories
from ..conftest import csrf_token
from ..helpers import post_form


def _full_marks(app: RatingApplication, fraction: Decimal) -> dict:
    """Points for every criterion at ``fraction`` of its maximum, all mandatory met."""
    return {c.id: ((c.max_points * fraction).quantize(Decimal("0.01")), True, None)
            for c in app.criteria_set.criteria}


def _self_assessment() -> dict:
    cs = ops.current_criteria_set()
    return {c.code: c.max_points * Decimal("0.7") for c in cs.criteria}


@pytest.fixture
def submitted(producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     gtin="8939999000055")
    app = ops.create_application(product, requested_stars=4, product_set=1,
                                 self_assessment=_self_assessment())
    return factories.submit_and_propose(app)  # the commune proposes it


@pytest.fixture
def national_user(app_ctx):
    return factories.make_user("trunguong", role="reviewer", council_level="national",
                               is_chair=True)


def _score(app, reviewer, fraction):
    """The council's quorum of sheets, ``reviewer`` (the chair) among them."""
    factories.score_by_council(app, fraction, first=reviewer)


def test_a_proposed_application_waits_in_the_province_queue(client, auth, submitted,
                                                            reviewer_user):
    assert submitted.state is ApplicationState.SUBMITTED
    assert submitted.council_level is CouncilLevel.PROVINCE  # 4★ under 1489/2025
    auth.login("reviewer")
    html = client.get("/office/").get_data(as_text=True)
    assert "Bưởi Năm Roi Kế Thành" in html and "Hồ sơ chờ xử lý (1)" in html


def test_a_reviewer_scores_through_the_form_and_the_sheet_shows_the_average(
        client, auth, submitted, reviewer_user):
    other = factories.make_user("reviewer2", role="reviewer", council_level="province")
    scoring.score_application(submitted, other, _full_marks(submitted, Decimal("0.8")))
    db.session.commit()  # 80 points
    auth.login("reviewer")
    url = f"/office/applications/{submitted.id}/score"
    data = {}
    for c in submitted.criteria_set.criteria:
        data[f"points_{c.id}"] = str(c.max_points * Decimal("0.7"))  # 70 points
        if c.mandatory_from_stars:
            data[f"met_{c.id}"] = "y"
    response = post_form(client, url, url, **data)
    assert response.status_code == 302
    page = client.get(f"/office/applications/{submitted.id}").get_data(as_text=True)
    assert "Điểm trung bình: 75" in page and "Đã nộp 2/3 phiếu chấm độc lập." in page
    db.session.expire_all()
    assert db.session.get(RatingApplication, submitted.id).state is ApplicationState.SUBMITTED
    third = factories.make_user("reviewer3", role="reviewer", council_level="province")
    scoring.score_application(db.session.get(RatingApplication, submitted.id), third,
                          _full_marks(submitted, Decimal("0.75")))
    db.session.commit()
    page = client.get(f"/office/applications/{submitted.id}").get_data(as_text=True)
    assert "Điểm trung bình: 75" in page and "Đã nộp 3/3 phiếu chấm độc lập." in page
    assert "thấp nhất 70, cao nhất 80 (chênh 10 điểm)" in page
    assert db.session.get(RatingApplication, submitted.id).state is ApplicationState.SCORED
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="application.score",
                                                             actor_id=reviewer_user.id))


def test_a_score_above_the_criterion_maximum_is_refused_and_nothing_is_saved(
        client, auth, submitted, reviewer_user):
    auth.login("reviewer")
    url = f"/office/applications/{submitted.id}/score"
    data = {f"points_{c.id}": "99" for c in submitted.criteria_set.criteria}
    response = post_form(client, url, url, **data)
    assert response.status_code == 400
    assert "Điểm phải từ 0 đến" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(
        db.metadata.tables["score_sheets"])) == 0


def _approve(client, app_id, **data):
    form = {"stars": "4", "decision_number": "999/QĐ-UBND",
            "decided_on": today_vn().isoformat(), "issuing_body": "UBND tỉnh Sóc Trăng"}
    form.update(data)
    return post_form(client, f"/office/applications/{app_id}/approve",
                 f"/office/applications/{app_id}", **form)


def test_approving_4_stars_with_68_points_is_refused_with_the_reason(
        client, auth, submitted, reviewer_user):
    _score(submitted, reviewer_user, "0.68")
    auth.login("reviewer")
    response = _approve(client, submitted.id, stars="4")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "68.00 điểm chỉ đạt hạng 3 sao; không thể công nhận 4 sao" in html
    assert db.session.scalar(db.select(db.func.count(RatingDecision.id))) == 0


def test_approving_5_stars_at_provincial_level_is_refused_with_the_reason(
        client, auth, submitted, reviewer_user):
    _score(submitted, reviewer_user, "0.95")
    auth.login("reviewer")
    response = _approve(client, submitted.id, stars="5")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "hạng 5 sao do hội đồng cấp trung ương công nhận, không phải cấp tỉnh" in html
    assert db.session.scalar(db.select(db.func.count(RatingDecision.id))) == 0


def test_a_failed_mandatory_criterion_blocks_that_level(app_ctx, submitted, reviewer_user):
    lines = _full_marks(submitted, Decimal("0.85"))
    c1 = next(c for c in submitted.criteria_set.criteria if c.code == "C1")
    lines[c1.id] = (lines[c1.id][0], False, "Chưa công bố tiêu chuẩn")
    scoring.score_application(submitted, reviewer_user, lines)
    factories.score_by_council(submitted, "0.85", count=2)  # the two other members
    with pytest.raises(OperationRefused, match="C1 Tiêu chuẩn sản phẩm đã công bố"):
        decisions.approve_application(submitted, actor=reviewer_user, level=CouncilLevel.PROVINCE,
                                stars=4, decision_number="1/QĐ", decided_on=today_vn(),
                                issuing_body="UBND tỉnh")


def test_approval_records_a_decision_valid_36_months_shown_on_the_public_page(
        client, auth, submitted, reviewer_user):
    _score(submitted, reviewer_user, "0.8")
    auth.login("reviewer")
    decided = date(2026, 11, 20)
    response = _approve(client, submitted.id, decided_on=decided.isoformat())
    assert response.status_code == 302
    decision = db.session.scalar(db.select(RatingDecision))
    assert decision.valid_until == date(2029, 11, 20) and decision.points == Decimal("80.00")
    assert decision.decided_by_id == reviewer_user.id
    page = client.get("/page/01/08939999000055").get_data(as_text=True)
    if today_vn() >= decided:
        assert "còn hiệu lực đến 20/11/2029" in page
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="decision.approve"))


def test_rejection_needs_a_reason(client, auth, submitted, reviewer_user):
    _score(submitted, reviewer_user, "0.4")
    auth.login("reviewer")
    url = f"/office/applications/{submitted.id}/reject"
    response = post_form(client, url, f"/office/applications/{submitted.id}", reason="")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(RatingApplication, submitted.id).state is ApplicationState.SCORED
    post_form(client, url, f"/office/applications/{submitted.id}", reason="Chỉ đạt 40 điểm")
    db.session.expire_all()
    app = db.session.get(RatingApplication, submitted.id)
    assert app.state is ApplicationState.REJECTED and app.rejection_reason == "Chỉ đạt 40 điểm"
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="application.reject"))


def test_potential_5_star_goes_to_the_national_council_which_awards_5_stars(
        client, auth, submitted, reviewer_user, national_user):
    _score(submitted, reviewer_user, "0.92")
    decisions.forward_potential_5star(submitted, actor=reviewer_user, level=CouncilLevel.PROVINCE)
    db.session.commit()
    assert submitted.state is ApplicationState.POTENTIAL_5STAR
    assert submitted.council_level is CouncilLevel.NATIONAL
    auth.login("trunguong")
    response = _approve(client, submitted.id, stars="5", issuing_body="Bộ NN&MT")
    assert response.status_code == 302
    assert db.session.scalar(db.select(RatingDecision.stars)) == 5


def test_potential_5_star_needs_90_points(app_ctx, submitted, reviewer_user):
    _score(submitted, reviewer_user, "0.85")
    with pytest.raises(OperationRefused, match="từ 90 điểm"):
        decisions.forward_potential_5star(submitted, actor=reviewer_user,
                                    level=CouncilLevel.PROVINCE)


def test_producers_cannot_reach_any_office_page(client, auth, submitted, producer_user):
    auth.login("member.a")
    decision = factories.make_decision(submitted.product, date(2024, 1, 2))
    for url in ["/office/", f"/office/applications/{submitted.id}",
                f"/office/applications/{submitted.id}/score", "/office/decisions",
                "/office/decisions/expiring", "/office/decisions.csv",
                f"/office/decisions/{decision.id}",
                f"/office/decisions/{decision.id}/certificate.pdf"]:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client.get("/portal/").get_data(as_text=True))
    for url in ["approve", "reject", "forward", "propose", "return", "score", "assign"]:
        answer = client.post(f"/office/applications/{submitted.id}/{url}",
                             data={"csrf_token": token})  # a valid form: refused for who
        assert answer.status_code == 403, url
    db.session.expire_all()
    assert submitted.state is ApplicationState.SUBMITTED


def test_nobody_scores_an_application_of_their_own_producer(
        client, auth, submitted, producer):
    conflicted = factories.make_user("conflicted", role="reviewer", council_level="province")
    conflicted.producer_id = producer.id
    db.session.commit()
    auth.login("conflicted")
    assert client.get(f"/office/applications/{submitted.id}/score").status_code == 403
    assert client.get(f"/office/applications/{submitted.id}").status_code == 403
    assert "Bưởi Năm Roi" not in client.get("/office/").get_data(as_text=True)


def test_reviewers_of_another_level_do_not_see_the_application(client, auth, submitted):
    factories.make_user("huyen", role="reviewer", council_level="district")
    auth.login("huyen")
    assert client.get(f"/office/applications/{submitted.id}").status_code == 403


def test_revocation_from_the_web_is_audited_and_shown_publicly(client, auth, submitted,
                                                               reviewer_user):
    decision = factories.make_decision(submitted.product, today_vn() - timedelta(days=30))
    auth.login("reviewer")
    url = f"/office/decisions/{decision.id}"
    assert post_form(client, url, url, reason="", revoked_on=today_vn().isoformat()
                 ).status_code == 400
    response = post_form(client, url, url, reason="Vi phạm an toàn thực phẩm",
                     revoked_on=today_vn().isoformat())
    assert response.status_code == 302
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="decision.revoke"))
    page = client.get("/page/01/08939999000055").get_data(as_text=True)
    assert "sao đã bị thu hồi ngày" in page and "Vi phạm an toàn thực phẩm" in page


def test_re_rating_supersedes_and_keeps_history(app_ctx, submitted, reviewer_user):
    old = factories.make_decision(submitted.product, date(2021, 5, 4))
    _score(submitted, reviewer_user, "0.72")
    new = decisions.approve_application(submitted, actor=reviewer_user, level=CouncilLevel.PROVINCE,
                                  stars=4, decision_number="2/QĐ", decided_on=today_vn(),
                                  issuing_body="UBND tỉnh")
    db.session.commit()
    assert new.supersedes_id == old.id
    assert {d.id for d in submitted.product.decisions} == {old.id, new.id}


def test_expiring_list_on_the_web_and_the_cli(client, auth, runner, producer, reviewer_user):
    soon = factories.make_product(producer, name_vi="Sắp hết")
    later = factories.make_product(producer, name_vi="Còn lâu")
    factories.make_decision(soon, today_vn() - timedelta(days=36 * 30 + 10))
    factories.make_decision(later, today_vn() - timedelta(days=100))
    auth.login("reviewer")
    html = client.get("/office/decisions/expiring").get_data(as_text=True)
    assert "Sắp hết" in html and "Còn lâu" not in html
    result = runner.invoke(args=["ratings", "expiring", "--days", "30"])
    assert "Sắp hết" in result.output and "Còn lâu" not in result.output
    assert "1 quyết định" in result.output


def test_decisions_csv_opens_in_excel_with_vietnamese(client, auth, submitted, reviewer_user):
    factories.make_decision(submitted.product, date(2024, 1, 2), number="12/QĐ-UBND")
    auth.login("reviewer")
    response = client.get("/office/decisions.csv")
    body = response.get_data()
    assert response.mimetype == "text/csv" and body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Số quyết định,Ngày quyết định")
    assert "12/QĐ-UBND,2024-01-02,2027-01-02,Còn hiệu lực" in text
    assert "Bưởi Năm Roi Kế Thành" in text


def test_certificate_pdf_has_the_decision_and_a_code_to_the_public_page(
        client, auth, submitted, reviewer_user):
    import io

    import pypdfium2 as pdfium
    import zxingcpp
    from pypdf import PdfReader

    decision = factories.make_decision(submitted.product, date(2024, 1, 2),
                                       number="12/QĐ-UBND")
    auth.login("reviewer")
    pdf = client.get(f"/office/decisions/{decision.id}/certificate.pdf").get_data()
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Bưởi Năm Roi Kế Thành" in text and "12/QĐ-UBND" in text
    assert "02/01/2027" in text
    image = pdfium.PdfDocument(pdf)[0].render(scale=200 / 72, grayscale=True).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes] == ["https://ocop.test/01/08939999000055"]


def test_dashboard_charts_are_inline_svg(client, auth, submitted, reviewer_user):
    factories.make_decision(submitted.product, today_vn() - timedelta(days=3))
    auth.login("reviewer")
    html = client.get("/office/").get_data(as_text=True)
    assert html.count("<svg") == 3 and "<script" not in html
    assert "Sản phẩm OCOP còn hiệu lực: 1" in html


def test_the_audit_log_is_for_administrators(client, auth, submitted, admin_user,
                                             reviewer_user):
    auth.login("reviewer")
    assert client.get("/office/audit").status_code == 403
    auth.logout()
    auth.login("admin")
    html = client.get("/office/audit?area=application").get_data(as_text=True)
    assert "Nộp hồ sơ đánh giá Bưởi Năm Roi Kế Thành (4 sao)" in html
    assert "Tạo tài khoản" not in html and "application.submit" not in html


def test_printer_offsets_are_remembered_and_the_alignment_page_is_a_pdf(
        client, auth, producer_user, producer):
    from registry.label_runs.operations import order_label_run

    product = factories.make_product(producer)
    batch = factories.make_batch(product, "AL1")
    order_label_run(batch, count=1, layout="a4-3x7", offset_x_mm=1.5, offset_y_mm=-2)
    db.session.commit()
    auth.login("member.a")
    page = client.get(f"/portal/batches/{batch.id}/labels").get_data(as_text=True)
    assert 'value="1.5"' in page and 'value="-2.0"' in page
    pdf = client.get("/portal/labels/align.pdf?layout=a4-3x7&x=1.5&y=-2")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get("/portal/labels/align.pdf?layout=a4-3x7&x=99").status_code == 400
    assert client.get("/portal/labels/align.pdf?layout=nope").status_code == 404
