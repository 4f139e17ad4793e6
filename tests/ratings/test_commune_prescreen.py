"""Under 1489/2025 the commune People's Committee checks a dossier and proposes it to the
province council, or returns it to the producer to complete, before anyone scores it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry.exceptions import OperationRefused
from registry.extensions import db
from registry.models import AdminUnit, ApplicationState, AuditEntry, RatingApplication, UnitLevel
from registry.ocop.criteria import CouncilLevel, criteria_set, prescreen_level
from registry.ratings import decisions, scoring
from registry.ratings import operations as ops

from .. import factories
from ..helpers import post_form

NAME = "Xoài cát chu An Lạc Tây"


@pytest.fixture
def places(app_ctx):
    """Sóc Trăng merged into Cần Thơ in 2025, districts abolished; two communes."""
    can_tho = AdminUnit(level=UnitLevel.PROVINCE, kind="thành phố", name="Cần Thơ", code="92")
    soc_trang = AdminUnit(level=UnitLevel.PROVINCE, kind="tỉnh", name="Sóc Trăng", code="94",
                          abolished_on=date(2025, 7, 1), successor=can_tho)
    ke_sach = AdminUnit(level=UnitLevel.DISTRICT, kind="huyện", name="Kế Sách",
                        parent=soc_trang, abolished_on=date(2025, 7, 1))
    an_lac_tay = AdminUnit(level=UnitLevel.COMMUNE, kind="xã", name="An Lạc Tây",
                           parent=ke_sach)
    ke_thanh = AdminUnit(level=UnitLevel.COMMUNE, kind="xã", name="Kế Thành", parent=ke_sach)
    db.session.add_all([an_lac_tay, ke_thanh])
    db.session.commit()
    return {"can_tho": can_tho, "an_lac_tay": an_lac_tay, "ke_thanh": ke_thanh}


def _commune_officer(login: str, commune: AdminUnit):
    user = factories.make_user(login, role="reviewer", council_level="commune")
    user.council_unit = commune
    db.session.commit()
    return user


@pytest.fixture
def officers(places):
    return {"an_lac_tay": _commune_officer("xa.anlactay", places["an_lac_tay"]),
            "ke_thanh": _commune_officer("xa.kethanh", places["ke_thanh"])}


@pytest.fixture
def member(places):
    producer = factories.make_producer(code="thg-an-lac-tay", name="Tổ hợp tác Xoài An Lạc Tây",
                                       commune=places["an_lac_tay"])
    factories.make_user("member.x", producer=producer, is_manager=True)
    return producer


@pytest.fixture
def submitted(member):
    product = factories.make_product(member, name_vi=NAME)
    cs = ops.current_criteria_set()
    app = ops.create_application(
        product, product_set=1, requested_stars=3,
        self_assessment={c.code: c.max_points * Decimal("0.65") for c in cs.criteria})
    ops.submit_application(app)
    db.session.commit()
    return app


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def _fresh(app_id: int) -> RatingApplication:
    db.session.expire_all()
    return db.session.get(RatingApplication, app_id)


def test_who_checks_first_follows_the_criteria_set():
    def first(code, version, stars):
        d = criteria_set(code, version)
        return prescreen_level(d.proposing_level, d.award_level[stars])

    assert first("148/QĐ-TTg", "1489/QĐ-TTg (2025)", 3) is CouncilLevel.COMMUNE
    assert first("148/QĐ-TTg", "1489/QĐ-TTg (2025)", 5) is CouncilLevel.COMMUNE
    assert first("148/QĐ-TTg", "2023", 4) is CouncilLevel.DISTRICT  # district proposes 4★
    assert first("148/QĐ-TTg", "2023", 3) is None  # … and awards 3★ itself
    assert first("1048/QĐ-TTg", "781/QĐ-TTg (2020)", 4) is CouncilLevel.DISTRICT


def test_a_submitted_dossier_waits_for_its_own_commune(client, auth, submitted, officers,
                                                       reviewer_user, places):
    assert submitted.state is ApplicationState.SUBMITTED and submitted.awaiting_proposal
    assert submitted.council_level is CouncilLevel.COMMUNE
    assert submitted.council_unit is places["an_lac_tay"]
    assert submitted.state_label == "Đã nộp, chờ cấp xã kiểm tra và đề xuất"
    auth.login("xa.anlactay")
    assert NAME in client.get("/office/").get_data(as_text=True)
    page = client.get(f"/office/applications/{submitted.id}").get_data(as_text=True)
    assert "Hồ sơ đầy đủ: đề xuất lên hội đồng cấp tỉnh" in page
    assert "Chấm điểm" not in page
    auth.logout()
    for login in ("xa.kethanh", "reviewer"):  # another commune; the province, too early
        auth.login(login)
        assert NAME not in client.get("/office/").get_data(as_text=True)
        assert client.get(f"/office/applications/{submitted.id}").status_code == 403
        auth.logout()


def test_the_commune_proposes_it_to_the_province_council_of_today(client, auth, submitted,
                                                                  officers, reviewer_user,
                                                                  places):
    auth.login("xa.anlactay")
    page = f"/office/applications/{submitted.id}"
    response = post_form(client, f"/office/applications/{submitted.id}/propose", page)
    assert response.status_code == 302 and response.headers["Location"] == "/office/"
    queue = client.get("/office/").get_data(as_text=True)  # it left this officer's queue
    assert f"Đã đề xuất {NAME} lên hội đồng cấp tỉnh." in queue
    assert f'href="/office/applications/{submitted.id}"' not in queue
    app = _fresh(submitted.id)
    assert app.state is ApplicationState.SUBMITTED and not app.awaiting_proposal
    assert app.council_level is CouncilLevel.PROVINCE
    assert app.council_unit.name == "Cần Thơ"  # Sóc Trăng's successor, not Sóc Trăng
    [entry] = _audit("application.propose")
    assert entry.actor_id == officers["an_lac_tay"].id
    assert entry.details["to_unit"] == "thành phố Cần Thơ"
    auth.logout()
    auth.login("reviewer")  # the province council now has it, and may score it
    assert NAME in client.get("/office/").get_data(as_text=True)
    assert client.get(f"/office/applications/{submitted.id}/score").status_code == 200


def test_another_commune_cannot_propose_or_return_it(client, auth, submitted, officers):
    auth.login("xa.kethanh")
    page = "/office/"
    for action, data in (("propose", {}), ("return", {"reason": "Thiếu hồ sơ"})):
        response = post_form(client, f"/office/applications/{submitted.id}/{action}", page, **data)
        assert response.status_code == 403
    app = _fresh(submitted.id)
    assert app.awaiting_proposal and app.council_unit.name == "An Lạc Tây"
    assert not _audit("application.propose") and not _audit("application.return")


def test_nobody_scores_or_rejects_before_the_commune_proposes(submitted, reviewer_user):
    lines = {c.id: (c.max_points, True, None) for c in submitted.criteria_set.criteria}
    with pytest.raises(OperationRefused) as refused:
        scoring.score_application(submitted, reviewer_user, lines)
    assert refused.value.status == 409 and "chờ cấp xã kiểm tra" in refused.value.message
    with pytest.raises(OperationRefused) as refused:
        decisions.reject_application(submitted, actor=reviewer_user, reason="Thiếu")
    assert refused.value.status == 409
    with pytest.raises(OperationRefused) as refused:  # the province is not the commune
        ops.propose_application(submitted, actor=reviewer_user, level=CouncilLevel.PROVINCE)
    assert refused.value.status == 403


def test_the_commune_returns_it_with_a_reason_and_the_producer_submits_again(
        client, auth, submitted, officers):
    auth.login("xa.anlactay")
    page = f"/office/applications/{submitted.id}"
    url = f"/office/applications/{submitted.id}/return"
    blank = post_form(client, url, page, reason="  ")
    assert blank.status_code == 400
    assert "Phải ghi rõ cần bổ sung, sửa gì trong hồ sơ." in blank.get_data(as_text=True)
    assert _fresh(submitted.id).awaiting_proposal
    reason = "Thiếu giấy chứng nhận VietGAP còn hiệu lực của vùng trồng."
    returned = post_form(client, url, page, reason=reason)
    assert returned.status_code == 302 and returned.headers["Location"] == "/office/"
    assert "để chủ thể bổ sung" in client.get("/office/").get_data(as_text=True)
    app = _fresh(submitted.id)
    assert app.state is ApplicationState.DRAFT and app.returned_reason == reason
    [entry] = _audit("application.return")
    assert entry.details["reason"] == reason
    auth.logout()
    auth.login("member.x")
    mine = f"/portal/applications/{submitted.id}"
    html = client.get(mine).get_data(as_text=True)
    assert "Hồ sơ được trả lại để bổ sung" in html and reason in html
    english = client.get(mine + "?lang=en").get_data(as_text=True)
    assert "The dossier was returned to be completed" in english
    client.get(mine + "?lang=vi")
    assert post_form(client, f"{mine}/submit", mine).status_code == 302
    app = _fresh(submitted.id)
    assert app.awaiting_proposal and app.returned_reason is None
    assert "Hồ sơ được trả lại" not in client.get(mine).get_data(as_text=True)
    assert "chờ cấp xã kiểm tra và đề xuất" in client.get(mine).get_data(as_text=True)


def test_a_returned_dossier_is_corrected_by_its_producer_then_submitted_again(
        client, auth, submitted, officers, other_producer_user):
    ops.return_application(submitted, actor=officers["an_lac_tay"],
                           level=CouncilLevel.COMMUNE, reason="Điểm A3 tự chấm quá cao.")
    db.session.commit()
    auth.login("member.x")
    url = f"/portal/applications/{submitted.id}/edit"
    form = client.get(url).get_data(as_text=True)
    first = submitted.criteria_set.criteria[0]
    prefilled = (first.max_points * Decimal("0.65")).quantize(Decimal("0.01"))
    assert "Sửa hồ sơ đánh giá" in form and f'value="{prefilled}"' in form
    assert '<option selected value="1">1. Rau, củ, quả, hạt tươi' in form
    data = {f"self_{c.code}": str(c.max_points * Decimal("0.6"))
            for c in submitted.criteria_set.criteria}
    response = post_form(client, url, url, requested_stars="3", product_set="1", **data)
    assert response.status_code == 302
    app = _fresh(submitted.id)
    assert app.self_points == Decimal("60.00") and app.state is ApplicationState.DRAFT
    [entry] = _audit("application.update")
    assert entry.details["before"]["self_points"] == "65.00"
    mine = f"/portal/applications/{submitted.id}"
    submitted_page = post_form(client, f"{mine}/submit", mine)
    assert submitted_page.status_code == 302
    assert ("Đã nộp hồ sơ; cấp xã sẽ kiểm tra và đề xuất lên hội đồng."
            in client.get(mine).get_data(as_text=True))
    assert _fresh(submitted.id).awaiting_proposal
    # a submitted dossier cannot be edited; another producer's member cannot open it
    answer = post_form(client, url, mine, requested_stars="3", product_set="1", **data)
    assert answer.status_code == 409
    auth.logout()
    auth.login("member.b")
    assert client.get(url).status_code == 403
