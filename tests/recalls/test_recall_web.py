"""The recall pages: a producer's member recalls and lifts from the batch page, the office
from its recalls page; everyone else is refused and nothing changes."""
from __future__ import annotations

from datetime import timedelta

import pytest

from registry.extensions import db
from registry.models import BatchRecall
from registry.ocop.rules import today_vn
from registry.recalls import operations as ops

from .. import factories
from ..conftest import csrf_token
from .conftest import audit, post, public_version, recalls, snapshot

REASON = "Phát hiện nấm mốc trong một số hộp."
ADVICE = "Ngừng sử dụng, mang trả nơi mua để được đổi hộp mới."


def _form(**overrides) -> dict:
    data = {"reason": REASON, "advice": ADVICE, "recalled_on": today_vn().isoformat()}
    data.update(overrides)
    return data


def _recall_url(batch) -> str:
    return f"/portal/batches/{batch.id}/recall"


def _lift_url(batch) -> str:
    return f"/portal/batches/{batch.id}/recall/lift"


def _recall_now(batch, **kw) -> BatchRecall:
    recall = ops.recall_batch(batch, reason=kw.pop("reason", REASON), advice=ADVICE, **kw)
    db.session.commit()
    return recall


@pytest.fixture
def their_batch(other_producer):
    product = factories.make_product(other_producer, name_vi="Cam sành Ba Trinh")
    return factories.make_batch(product, "CS2611")


# ------------------------------------------------------------------------- the batch page

def test_the_batch_page_says_not_recalled_and_offers_the_form(client, auth, batch,
                                                              producer_user):
    auth.login("member.a")
    html = client.get(f"/portal/batches/{batch.id}").get_data(as_text=True)
    assert "Lô này không bị thu hồi." in html
    assert f'action="{_recall_url(batch)}"' in html
    assert ops.DEFAULT_ADVICE in html  # the advice starts with the usual text
    assert f'value="{today_vn().isoformat()}"' in html
    assert "Lô đang bị thu hồi" not in html and _lift_url(batch) not in html


def test_a_member_recalls_its_batch_and_the_page_shows_the_recall(client, auth, batch,
                                                                  producer_user):
    auth.login("member.a")
    before = public_version()
    on = today_vn() - timedelta(days=2)
    response = post(client, _recall_url(batch), _form(recalled_on=on.isoformat()))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/portal/batches/{batch.id}#recall")
    [recall] = recalls()
    assert (recall.reason, recall.advice, recall.recalled_on) == (REASON, ADVICE, on)
    assert recall.recorded_by_id == producer_user.id and recall.active
    [entry] = audit("batch.recall")
    assert entry.actor_id == producer_user.id and entry.object_id == recall.id
    assert public_version() > before
    html = client.get(f"/portal/batches/{batch.id}").get_data(as_text=True)
    assert "Đã thu hồi lô NR2611" in html  # the flash message
    assert "Lô đang bị thu hồi" in html and REASON in html and ADVICE in html
    assert on.strftime("%d/%m/%Y") in html and producer_user.name in html
    assert f'action="{_lift_url(batch)}"' in html and f'value="{recall.id}"' in html
    assert "Lô này không bị thu hồi." not in html and _recall_url(batch) + '"' not in html


def test_a_member_lifts_the_recall_and_it_stays_in_the_history(client, auth, batch,
                                                               producer_user):
    recall = _recall_now(batch)
    auth.login("member.a")
    response = post(client, _lift_url(batch), {"recall_id": str(recall.id),
                                               "lift_note": "Kiểm nghiệm lại đạt."})
    assert response.status_code == 303
    [saved] = recalls()
    assert not saved.active and saved.lifted_by_id == producer_user.id
    assert saved.lift_note == "Kiểm nghiệm lại đạt."
    [entry] = audit("batch.recall_lift")
    assert entry.actor_id == producer_user.id
    html = client.get(f"/portal/batches/{batch.id}").get_data(as_text=True)
    assert "Đã gỡ thu hồi lô NR2611." in html and "Lô này không bị thu hồi." in html
    assert "Các lần thu hồi trước" in html and REASON in html
    assert "Kiểm nghiệm lại đạt." in html and "Lô đang bị thu hồi" not in html


def test_a_member_who_is_not_the_manager_may_recall_too(client, auth, producer, batch):
    factories.make_user("member.a2", role="producer", producer=producer)
    auth.login("member.a2")
    assert post(client, _recall_url(batch), _form()).status_code == 303
    assert len(recalls()) == 1


@pytest.mark.parametrize("data, message", [
    (_form(reason=""), "Nhập lý do thu hồi lô."),
    (_form(advice="  "), "Nhập điều người mua cần làm"),
    (_form(reason="x" * 501), "Tối đa 500 ký tự."),
    (_form(recalled_on=""), "Nhập ngày thu hồi lô."),
    (_form(recalled_on=(today_vn() + timedelta(days=1)).isoformat()),
     "Ngày thu hồi lô không được sau hôm nay."),
], ids=["no-reason", "blank-advice", "long-reason", "no-date", "future"])
def test_a_refused_recall_shows_the_form_again_with_400_and_saves_nothing(
        client, auth, batch, producer_user, data, message):
    auth.login("member.a")
    before = snapshot()
    response = post(client, _recall_url(batch), data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "<details open>" in html
    if data["reason"]:
        assert data["reason"] in html  # what was typed is kept
    assert snapshot() == before


def test_a_second_recall_is_refused_with_409(client, auth, batch, producer_user):
    _recall_now(batch)
    auth.login("member.a")
    before = snapshot()
    response = post(client, _recall_url(batch), _form(reason="Lý do khác"))
    assert response.status_code == 409
    assert "đang bị thu hồi từ ngày" in response.get_data(as_text=True)
    assert snapshot() == before


def test_two_recalls_at_the_same_moment_keep_one_and_the_second_gets_409(
        client, auth, batch, producer_user, monkeypatch):
    """Another member's recall committed between this request's check and its write:
    the database's unique index refuses it, the member is told, nothing of it stays."""
    auth.login("member.a")
    first = BatchRecall(batch=batch, reason=REASON, advice=ADVICE, recalled_on=today_vn())
    db.session.add(first)
    db.session.commit()
    before = snapshot()
    monkeypatch.setattr(ops, "active_recall_of", lambda batch, lock=False: None)
    response = post(client, _recall_url(batch), _form(reason="Lý do khác"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "vừa được người khác ghi thu hồi" in html
    assert REASON in html  # the page shows the recall that won
    assert snapshot() == before


def test_lifting_when_nothing_is_recalled_is_refused_with_409(client, auth, batch,
                                                              producer_user):
    auth.login("member.a")
    before = snapshot()
    response = post(client, _lift_url(batch), {"recall_id": ""})
    assert response.status_code == 409
    assert "không có lệnh thu hồi nào đang hiệu lực" in response.get_data(as_text=True)
    assert snapshot() == before


def test_refusals_are_in_the_pages_language(client, auth, batch, producer_user):
    auth.login("member.a")
    client.get("/?lang=en")
    response = post(client, _recall_url(batch) + "?lang=en",
                    _form(recalled_on=(today_vn() + timedelta(days=1)).isoformat()))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The recall date cannot be after today." in html
    assert "Ngày thu hồi lô" not in html


# ------------------------------------------------------------------------- refusals

def _portal_routes(batch, recall_id):
    return [(_recall_url(batch), _form()),
            (_lift_url(batch), {"recall_id": str(recall_id)})]


@pytest.mark.parametrize("who", ["member.b", "reviewer", "xa"])
@pytest.mark.parametrize("route", [0, 1], ids=["recall", "lift"])
def test_others_are_refused_with_403_and_nothing_changes(
        client, auth, batch, their_batch, producer_user, other_producer_user, reviewer_user,
        commune_user, who, route):
    """A valid CSRF token goes with every post, so the 403 is the permission's."""
    recalled = _recall_now(their_batch)  # something to lift on the lift route
    target = batch if route == 0 else their_batch
    if who == "member.b" and route == 1:
        target = batch
        _recall_now(batch)
    url, data = _portal_routes(target, recalled.id)[route]
    auth.login(who)
    before = snapshot()
    assert post(client, url, data).status_code == 403
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(client, batch):
    recall = _recall_now(batch)
    before = snapshot()
    for url, data in _portal_routes(batch, recall.id) + [
            ("/office/recalls", {}), (f"/office/recalls/{recall.id}/lift", {})]:
        response = post(client, url, data)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
    assert client.get("/office/recalls").status_code == 302
    assert snapshot() == before


def test_an_unknown_batch_is_404(client, auth, producer_user):
    auth.login("member.a")
    assert post(client, "/portal/batches/999999/recall", _form()).status_code == 404


# ------------------------------------------------------------------------- the office

def test_the_office_dashboard_links_the_recalls_page_for_administrators(
        client, auth, admin_user, reviewer_user):
    auth.login("admin")
    assert 'href="/office/recalls"' in client.get("/office/").get_data(as_text=True)
    auth.logout()
    auth.login("reviewer")
    assert 'href="/office/recalls"' not in client.get("/office/").get_data(as_text=True)


def test_the_office_lists_active_and_recently_lifted_recalls(client, auth, batch,
                                                             their_batch, admin_user):
    _recall_now(batch, recalled_on=today_vn() - timedelta(days=1))
    old = _recall_now(their_batch, reason="Nhãn ghi sai hạn sử dụng.")
    ops.lift_recall(their_batch, note="Đã dán nhãn đúng.", actor=admin_user)
    db.session.commit()
    auth.login("admin")
    response = client.get("/office/recalls")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    active, _sep, lifted = html.partition("Đã gỡ thu hồi gần đây")
    assert "Đang thu hồi (1)" in active
    assert "Bưởi Năm Roi Kế Thành" in active and "NR2611" in active and "HTX Bưởi A" in active
    assert REASON in active and (today_vn() - timedelta(days=1)).strftime("%d/%m/%Y") in active
    assert "Cam sành Ba Trinh" not in active.split("Thu hồi một lô")[0]
    assert "Cam sành Ba Trinh" in lifted and "Nhãn ghi sai hạn sử dụng." in lifted
    assert "HTX Cam B" in lifted and "Đã dán nhãn đúng." in lifted and "Admin" in lifted
    assert f'action="/office/recalls/{old.id}/lift"' not in html  # lifted: no button


def test_an_administrator_recalls_a_batch_named_by_product_and_lot(client, auth, product,
                                                                   batch, admin_user):
    auth.login("admin")
    page = client.get("/office/recalls").get_data(as_text=True)
    assert f'<option value="{product.id}">' in page
    before = public_version()
    response = client.post("/office/recalls", data={
        "csrf_token": csrf_token(page), "product_id": str(product.id), "lot_code": "NR2611",
        **_form()})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/office/recalls")
    [recall] = recalls()
    assert recall.batch_id == batch.id and recall.recorded_by_id == admin_user.id
    assert audit("batch.recall")[0].actor_id == admin_user.id
    assert public_version() > before
    html = client.get("/office/recalls").get_data(as_text=True)
    assert "Đã thu hồi lô NR2611" in html and "Đang thu hồi (1)" in html


def test_the_office_is_told_when_the_product_has_no_such_lot(client, auth, product, batch,
                                                             admin_user):
    auth.login("admin")
    before = snapshot()
    response = post(client, "/office/recalls", {"product_id": str(product.id),
                                                "lot_code": "KHONGCO", **_form()})
    assert response.status_code == 400
    assert "Sản phẩm này không có lô “KHONGCO”." in response.get_data(as_text=True)
    response = post(client, "/office/recalls", {"product_id": "0", "lot_code": "NR2611",
                                                **_form()})
    assert response.status_code == 400 and "Chọn sản phẩm." in response.get_data(as_text=True)
    assert snapshot() == before


def test_an_administrator_lifts_a_recall_from_the_office_page(client, auth, batch,
                                                              admin_user):
    recall = _recall_now(batch)
    auth.login("admin")
    page = client.get("/office/recalls").get_data(as_text=True)
    assert f'action="/office/recalls/{recall.id}/lift"' in page
    response = client.post(f"/office/recalls/{recall.id}/lift", data={
        "csrf_token": csrf_token(page), "recall_id": str(recall.id),
        "lift_note": "Nhầm lô."})
    assert response.status_code == 303
    [saved] = recalls()
    assert not saved.active and saved.lifted_by_id == admin_user.id
    assert audit("batch.recall_lift")[0].actor_id == admin_user.id
    # lifting it again (a second click, an old page) is refused
    again = post(client, f"/office/recalls/{recall.id}/lift", {"recall_id": str(recall.id)})
    assert again.status_code == 409


@pytest.mark.parametrize("who", ["member.a", "reviewer", "xa"])
def test_the_office_recalls_page_is_for_administrators_only(
        client, auth, product, batch, producer_user, reviewer_user, commune_user, who):
    recall = _recall_now(batch)
    auth.login(who)
    before = snapshot()
    assert client.get("/office/recalls").status_code == 403
    assert post(client, "/office/recalls", {"product_id": str(product.id),
                                            "lot_code": "NR2611", **_form()}
                ).status_code == 403
    assert post(client, f"/office/recalls/{recall.id}/lift",
                {"recall_id": str(recall.id)}).status_code == 403
    assert snapshot() == before


def test_the_recall_pages_have_no_scripts(client, auth, batch, their_batch, admin_user):
    """They work at 360 px without JavaScript: plain forms, <details> to open them."""
    _recall_now(their_batch)
    auth.login("admin")
    for url in (f"/portal/batches/{batch.id}", "/office/recalls"):
        html = client.get(url).get_data(as_text=True)
        assert "<script" not in html and "<details" in html, url
