"""A producer member applies for a rating from the portal."""
from __future__ import annotations

import io

from registry.extensions import db
from registry.models import ApplicationState, RatingApplication, StoredFile
from registry.ratings.operations import current_criteria_set

from ..conftest import csrf_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _form(client, product_id, files=None, **overrides):
    url = f"/portal/products/{product_id}/application"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "requested_stars": "4", "product_set": "1"}
    for c in current_criteria_set().criteria:
        data[f"self_{c.code}"] = str(c.max_points * 3 / 4)
    data.update(overrides)
    if files:
        data["evidence"] = files
    return client.post(url, data=data, content_type="multipart/form-data")


def test_a_member_prepares_and_submits_an_application_with_evidence(
        client, auth, product, producer_user, reviewer_user, commune_user):
    auth.login("member.a")
    response = _form(client, product.id,
                     files=[(io.BytesIO(PDF), "Phiếu tự đánh giá.pdf")])
    assert response.status_code == 302
    app = db.session.scalar(db.select(RatingApplication))
    assert app.state is ApplicationState.DRAFT and app.self_points == 75
    assert [e.file.original_name for e in app.evidence] == ["Phiếu tự đánh giá.pdf"]
    page = client.get(f"/portal/applications/{app.id}")
    token = csrf_token(page.get_data(as_text=True))
    assert client.post(f"/portal/applications/{app.id}/submit",
                       data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RatingApplication, app.id).state is ApplicationState.SUBMITTED
    # the commune checks it first (1489/2025), and can read the evidence
    auth.logout()
    auth.login("reviewer")
    assert "Bưởi Năm Roi Kế Thành" not in client.get("/office/").get_data(as_text=True)
    auth.logout()
    auth.login("xa")
    assert "Bưởi Năm Roi Kế Thành" in client.get("/office/").get_data(as_text=True)
    key = db.session.scalar(db.select(StoredFile.key))
    download = client.get(f"/portal/files/{key}")
    assert download.status_code == 200 and download.data == PDF


def test_a_disguised_upload_is_refused_and_nothing_is_saved(client, auth, product,
                                                           producer_user):
    auth.login("member.a")
    response = _form(client, product.id,
                     files=[(io.BytesIO(b"<html><script>x</script></html>"), "anh.jpg")])
    assert response.status_code == 400
    assert "không phải PDF, JPEG, PNG hoặc WebP" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(RatingApplication.id))) == 0
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0
    # what the user typed is still in the form
    assert 'value="7.50"' in response.get_data(as_text=True) or "7.5" in response.get_data(
        as_text=True)


def test_self_assessment_above_the_maximum_re_shows_the_form(client, auth, product,
                                                            producer_user):
    auth.login("member.a")
    response = _form(client, product.id, self_A1="99")
    assert response.status_code == 400
    assert "Điểm phải từ 0 đến" in response.get_data(as_text=True)


def test_a_second_open_application_is_refused(client, auth, product, producer_user):
    auth.login("member.a")
    assert _form(client, product.id).status_code == 302
    response = _form(client, product.id)
    assert response.status_code == 409
    assert "đã có một hồ sơ" in response.get_data(as_text=True)


def test_another_producers_member_cannot_touch_the_application(
        client, auth, product, producer_user, other_producer_user):
    auth.login("member.a")
    _form(client, product.id, files=[(io.BytesIO(PDF), "a.pdf")])
    app_id = db.session.scalar(db.select(RatingApplication.id))
    key = db.session.scalar(db.select(StoredFile.key))
    auth.logout()
    auth.login("member.b")
    assert client.get(f"/portal/products/{product.id}/application").status_code == 403
    assert client.get(f"/portal/applications/{app_id}").status_code == 403
    assert client.get(f"/portal/files/{key}").status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post(f"/portal/applications/{app_id}/submit",
                       data={"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert db.session.get(RatingApplication, app_id).state is ApplicationState.DRAFT
    assert "Bưởi Năm Roi" not in client.get("/portal/").get_data(as_text=True)


def test_reviewers_cannot_apply_for_producers(client, auth, product, reviewer_user):
    auth.login("reviewer")
    assert client.get(f"/portal/products/{product.id}/application").status_code == 403
