"""Certifications: add, renew, withdraw with checked evidence; statuses; expiring soon;
nobody reaches another producer's certificates."""
from __future__ import annotations

import io
import os
from datetime import timedelta
from decimal import Decimal

import pytest

from registry.certifications.operations import expiring_certifications
from registry.extensions import db
from registry.files.validation import MB
from registry.models import Certification, CertificationKind, StoredFile

from .. import factories
from ..helpers import audit, count, post_in_session
from ..producers.support import snapshot
from .support import PDF, TODAY, cert_fields, iso, submit_cert


def make_cert(producer, *, kind=CertificationKind.VIETGAP, issued_days=-100,
              expires_days: int | None = 900, **fields) -> Certification:
    cert = Certification(producer=producer, kind=kind, issuer="TQC",
                         issued_on=TODAY + timedelta(days=issued_days),
                         expires_on=(TODAY + timedelta(days=expires_days)
                                     if expires_days is not None else None), **fields)
    db.session.add(cert)
    db.session.commit()
    return cert


def _uploads(app) -> list[str]:
    root = app.config["UPLOAD_FOLDER"]
    return [f for _dir, _subdirs, files in os.walk(root) for f in files] if os.path.isdir(
        root) else []


@pytest.fixture
def product(producer):
    return factories.make_product(producer, name_vi="Bưởi da xanh Kế Thành")


@pytest.fixture
def their_product(other_producer):
    return factories.make_product(other_producer, name_vi="Cam sành Kế An")


@pytest.fixture
def cert(producer, product):
    return make_cert(producer, number="VG-OLD", product=product, scope="Bưởi", members=12)


# ------------------------------------------------------------------------- adding

def test_a_member_adds_a_certification_with_its_evidence(app, client, auth, producer,
                                                        producer_user, product,
                                                        reviewer_user):
    auth.login("member.a")
    page = client.get("/portal/certifications/new").get_data(as_text=True)
    for label in ("VietGAP", "Hữu cơ (TCVN 11041)", "Chỉ dẫn địa lý", "Nhãn hiệu tập thể",
                  "Bưởi da xanh Kế Thành", "Toàn bộ chủ thể"):
        assert label in page
    response = submit_cert(client, "/portal/certifications/new",
                       cert_fields(product_id=str(product.id)))
    assert response.status_code == 302
    cert = db.session.scalar(db.select(Certification))
    assert cert.producer_id == producer.id and cert.product_id == product.id
    assert cert.kind is CertificationKind.VIETGAP and cert.number == "VG-0123"
    assert cert.area_ha == Decimal("12.50") and cert.members == 30
    assert cert.issued_on == TODAY - timedelta(days=100)
    assert cert.evidence_file.owner_producer_id == producer.id
    assert cert.evidence_file.original_name == "Giấy chứng nhận VietGAP.pdf"
    [entry] = audit("certification.create")
    assert entry.object_id == cert.id and entry.actor_id == producer_user.id
    listing = client.get("/portal/certifications").get_data(as_text=True)
    assert "VG-0123" in listing and "còn hiệu lực" in listing
    key = cert.evidence_file.key
    assert f"/portal/files/{key}" in listing
    assert client.get(f"/portal/files/{key}").data == PDF
    auth.logout()
    auth.login("reviewer")  # a council member reads it only in a dossier it may read
    assert client.get(f"/portal/files/{key}").status_code == 403
    auth.logout()
    factories.make_user("admin", role="admin")
    auth.login("admin")  # the office's administrator keeps certificates for producers
    assert client.get(f"/portal/files/{key}").status_code == 200


def test_a_geographical_indication_has_no_end_date(client, auth, producer, producer_user):
    auth.login("member.a")
    response = submit_cert(client, "/portal/certifications/new", cert_fields(
        kind="geographical_indication", expires_on="", area_ha="", members="",
        issuer="Cục Sở hữu trí tuệ", number="00123"))
    assert response.status_code == 302
    cert = db.session.scalar(db.select(Certification))
    assert cert.expires_on is None and cert.product_id is None
    assert cert.is_valid(TODAY + timedelta(days=20 * 365))
    assert "Không thời hạn" in client.get("/portal/certifications").get_data(as_text=True)


def test_an_image_evidence_is_accepted(client, auth, producer, producer_user):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, "JPEG")
    auth.login("member.a")
    response = submit_cert(client, "/portal/certifications/new", cert_fields(),
                       evidence=(buf.getvalue(), "anh-chung-nhan.jpg"))
    assert response.status_code == 302
    assert db.session.scalar(db.select(StoredFile.content_type)) == "image/jpeg"


@pytest.mark.parametrize("overrides, message", [
    ({"expires_on": iso(TODAY - timedelta(days=100))}, "Ngày hết hạn phải sau ngày cấp."),
    ({"expires_on": iso(TODAY - timedelta(days=150))}, "Ngày hết hạn phải sau ngày cấp."),
    ({"issued_on": ""}, "Nhập ngày cấp."),
    ({"issued_on": "31/02/2024"}, "Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm."),
    ({"issuer": "   "}, "Nhập tên tổ chức cấp chứng nhận."),
    ({"kind": ""}, "Chọn loại chứng nhận."),
    ({"kind": "michelin"}, "Chọn loại chứng nhận."),
    ({"kind": "other", "other_kind": ""}, "Ghi tên loại chứng nhận."),
    ({"area_ha": "mười"}, "Nhập một số, ví dụ 2,5."),
    ({"area_ha": "-3"}, "Diện tích phải từ 0 đến 99.999.999 ha."),
    ({"members": "ba mươi"}, "Nhập một số nguyên."),
    ({"product_id": "abc"}, "Chọn một sản phẩm của chủ thể trong danh sách."),
])
def test_bad_input_re_shows_the_form_with_what_was_typed(app, client, auth, producer,
                                                        producer_user, overrides, message):
    auth.login("member.a")
    before = snapshot()
    response = submit_cert(client, "/portal/certifications/new", cert_fields(**overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if "number" not in overrides:
        assert 'value="VG-0123"' in html
    assert "hãy chọn lại tệp minh chứng" in html
    assert snapshot() == before and _uploads(app) == []


def test_the_evidence_file_is_required(client, auth, producer, producer_user):
    auth.login("member.a")
    response = submit_cert(client, "/portal/certifications/new", cert_fields(), evidence=None)
    assert response.status_code == 400
    assert "Tải lên bản chụp hoặc tệp PDF giấy chứng nhận." in response.get_data(as_text=True)
    assert count(Certification) == 0


def test_other_kind_keeps_its_name(client, auth, producer, producer_user):
    auth.login("member.a")
    assert submit_cert(client, "/portal/certifications/new", cert_fields(
        kind="other", other_kind="Chứng nhận Halal")).status_code == 302
    assert db.session.scalar(db.select(Certification)).kind_label == "Chứng nhận Halal"


def test_a_disguised_upload_is_refused_and_nothing_is_saved(app, client, auth, producer,
                                                           producer_user):
    auth.login("member.a")
    before = snapshot()
    response = submit_cert(client, "/portal/certifications/new", cert_fields(),
                       evidence=(b"<html><script>alert(1)</script></html>", "chung-nhan.pdf"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nội dung tệp không phải PDF, JPEG, PNG hoặc WebP" in html
    assert 'value="VG-0123"' in html
    assert snapshot() == before and _uploads(app) == []


def test_an_oversized_upload_is_refused_and_nothing_is_saved(app, client, auth, producer,
                                                            producer_user):
    auth.login("member.a")
    before = snapshot()
    big = b"%PDF-1.4\n" + b"0" * (10 * MB) + b"\n%%EOF\n"
    response = submit_cert(client, "/portal/certifications/new", cert_fields(),
                           evidence=(big, "to.pdf"))
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert "tối đa 10 MB" in response.get_data(as_text=True)
    assert snapshot() == before and _uploads(app) == []


def test_a_product_of_another_producer_is_a_form_error(app, client, auth, producer,
                                                       producer_user, their_product):
    auth.login("member.a")
    before = snapshot()
    response = submit_cert(client, "/portal/certifications/new",
                       cert_fields(product_id=str(their_product.id)))
    assert response.status_code == 400
    assert "Chọn một sản phẩm của chủ thể trong danh sách." in response.get_data(as_text=True)
    assert "Cam sành Kế An" not in response.get_data(as_text=True)
    assert snapshot() == before and _uploads(app) == []


def test_the_office_adds_for_a_named_producer(client, auth, admin_user, producer, product):
    auth.login("admin")
    assert client.get("/portal/certifications/new").status_code == 302  # which producer?
    url = f"/portal/certifications/new?producer={producer.id}"
    assert submit_cert(client, url, cert_fields(product_id=str(product.id))).status_code == 302
    cert = db.session.scalar(db.select(Certification))
    assert cert.producer_id == producer.id
    assert cert.evidence_file.owner_producer_id == producer.id
    assert "HTX Bưởi A" in client.get("/portal/certifications").get_data(as_text=True)


# ------------------------------------------------------------------------- renewing

def test_renewing_pre_fills_the_form_and_links_the_new_certificate(client, auth, producer,
                                                                   producer_user, cert,
                                                                   product):
    auth.login("member.a")
    page = client.get(f"/portal/certifications/{cert.id}/renew")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="TQC"' in html and 'value="Bưởi"' in html and 'value="12"' in html
    assert f'<option selected value="{product.id}">' in html
    assert "VG-OLD" in html  # the old number is shown, the new one is typed
    data = cert_fields(product_id=str(product.id), number="VG-NEW",
                   issued_on=iso(TODAY), expires_on=iso(TODAY + timedelta(days=730)))
    del data["kind"], data["other_kind"]
    response = submit_cert(client, f"/portal/certifications/{cert.id}/renew", data)
    assert response.status_code == 302
    new = db.session.scalar(db.select(Certification).where(Certification.id != cert.id))
    assert new.renews_id == cert.id and new.kind is CertificationKind.VIETGAP
    assert new.number == "VG-NEW" and new.evidence_file is not None
    db.session.expire_all()
    assert db.session.get(Certification, cert.id).number == "VG-OLD"  # the old one is kept
    [entry] = audit("certification.renew")
    assert entry.object_id == new.id and entry.details["renews"] == cert.id
    listing = client.get("/portal/certifications").get_data(as_text=True)
    assert "Đã được gia hạn bằng chứng nhận cấp ngày" in listing
    # a certificate is renewed once
    before = snapshot()
    again = submit_cert(client, f"/portal/certifications/{cert.id}/renew", data)
    assert again.status_code == 409 and "đã được gia hạn" in again.get_data(as_text=True)
    assert snapshot() == before


def test_renewal_dates_are_checked(app, client, auth, producer, producer_user, cert):
    auth.login("member.a")
    before = snapshot()
    data = cert_fields(issued_on=iso(cert.issued_on - timedelta(days=1)),
                   expires_on=iso(TODAY + timedelta(days=400)))
    response = submit_cert(client, f"/portal/certifications/{cert.id}/renew", data)
    assert response.status_code == 400
    assert "Ngày cấp của chứng nhận mới phải sau ngày cấp chứng nhận cũ" in response.get_data(
        as_text=True)
    assert snapshot() == before and _uploads(app) == []


def test_a_renewal_cannot_move_to_another_producers_product(app, client, auth, producer,
                                                           producer_user, cert,
                                                           their_product):
    auth.login("member.a")
    before = snapshot()
    response = submit_cert(client, f"/portal/certifications/{cert.id}/renew",
                       cert_fields(issued_on=iso(TODAY), product_id=str(their_product.id)))
    assert response.status_code == 400
    assert "Chọn một sản phẩm của chủ thể trong danh sách." in response.get_data(as_text=True)
    assert snapshot() == before and _uploads(app) == []


def test_a_withdrawn_certificate_cannot_be_renewed(client, auth, producer, producer_user):
    old = make_cert(producer, withdrawn_on=TODAY - timedelta(days=1), withdrawal_reason="x")
    auth.login("member.a")
    before = snapshot()
    response = submit_cert(client, f"/portal/certifications/{old.id}/renew",
                       cert_fields(issued_on=iso(TODAY)))
    assert response.status_code == 409
    assert "đã bị thu hồi nên không gia hạn được" in response.get_data(as_text=True)
    assert snapshot() == before


# ------------------------------------------------------------------------- withdrawing

def test_withdrawing_needs_a_reason_and_is_recorded(client, auth, producer, producer_user,
                                                   cert):
    auth.login("member.a")
    assert client.get(f"/portal/certifications/{cert.id}/withdraw").status_code == 200
    before = snapshot()
    missing = post_in_session(client, f"/portal/certifications/{cert.id}/withdraw",
                    {"withdrawn_on": iso(TODAY), "reason": "  "})
    assert missing.status_code == 400
    assert "Phải ghi rõ lý do thu hồi." in missing.get_data(as_text=True)
    early = post_in_session(client, f"/portal/certifications/{cert.id}/withdraw",
                  {"withdrawn_on": iso(cert.issued_on - timedelta(days=1)),
                   "reason": "Sai ngày"})
    assert early.status_code == 400 and "không được trước ngày cấp" in early.get_data(
        as_text=True)
    assert "Sai ngày" in early.get_data(as_text=True)
    assert snapshot() == before
    response = post_in_session(client, f"/portal/certifications/{cert.id}/withdraw",
                     {"withdrawn_on": iso(TODAY), "reason": "Không tái đánh giá"})
    assert response.status_code == 302
    db.session.expire_all()
    cert = db.session.get(Certification, cert.id)
    assert cert.withdrawn_on == TODAY and cert.withdrawal_reason == "Không tái đánh giá"
    [entry] = audit("certification.withdraw")
    assert entry.object_id == cert.id and entry.actor_id == producer_user.id
    listing = client.get("/portal/certifications").get_data(as_text=True)
    assert "đã thu hồi" in listing and "Không tái đánh giá" in listing
    again = post_in_session(client, f"/portal/certifications/{cert.id}/withdraw",
                  {"withdrawn_on": iso(TODAY), "reason": "Lần nữa"})
    assert again.status_code == 409


def test_the_list_shows_each_status(client, auth, producer, producer_user):
    make_cert(producer, number="C-VALID")
    make_cert(producer, number="C-EXPIRED", issued_days=-800, expires_days=-10)
    make_cert(producer, number="C-WITHDRAWN", withdrawn_on=TODAY - timedelta(days=3),
              withdrawal_reason="Vi phạm")
    auth.login("member.a")
    html = client.get("/portal/certifications").get_data(as_text=True)
    for number, label in (("C-VALID", "còn hiệu lực"), ("C-EXPIRED", "hết hiệu lực"),
                          ("C-WITHDRAWN", "đã thu hồi")):
        card = html[html.index(number):]
        card = card[:card.index("</li>")]
        assert label in card, number


# ------------------------------------------------------------------------- expiring

@pytest.fixture
def expiring_set(producer, other_producer):
    renewed = make_cert(producer, number="E-RENEWED", expires_days=20)
    return {
        "in": [make_cert(producer, number="E-TODAY", expires_days=0),
               make_cert(producer, number="E-30", expires_days=30),
               make_cert(producer, number="E-60", expires_days=60)],
        "out": [make_cert(producer, number="E-61", expires_days=61),
                make_cert(producer, number="E-PAST", expires_days=-1),
                make_cert(producer, number="E-WITHDRAWN", expires_days=10,
                          withdrawn_on=TODAY - timedelta(days=1), withdrawal_reason="x"),
                make_cert(producer, number="E-GI", kind=CertificationKind.GEOGRAPHICAL_INDICATION,
                          expires_days=None),
                renewed,
                make_cert(producer, number="E-RENEWAL", issued_days=-1, expires_days=900,
                          renews_id=renewed.id)],
        "theirs": make_cert(other_producer, number="E-THEIRS", expires_days=10),
    }


def test_expiring_in_the_next_60_days(client, auth, producer, producer_user, expiring_set,
                                      admin_user):
    found = [c.number for c in expiring_certifications(TODAY, producer_id=producer.id)]
    assert found == ["E-TODAY", "E-30", "E-60"]
    auth.login("member.a")
    for url in ("/portal/certifications/expiring", "/portal/certifications"):
        html = client.get(url).get_data(as_text=True)
        if url.endswith("/certifications"):
            html = html[html.index('id="sap-het-han"'):html.index("</section>")]
        for c in expiring_set["in"]:
            assert c.number in html, (url, c.number)
        for c in expiring_set["out"] + [expiring_set["theirs"]]:
            assert c.number not in html, (url, c.number)
    assert "còn 30 ngày" in client.get("/portal/certifications/expiring").get_data(
        as_text=True)
    auth.logout()
    auth.login("admin")  # the office sees every producer's
    html = client.get("/portal/certifications/expiring").get_data(as_text=True)
    assert "E-THEIRS" in html and "E-30" in html and "E-61" not in html


# ------------------------------------------------------------------------- refusals

def _routes(producer, cert):
    renew = cert_fields(issued_on=iso(TODAY))
    return [
        ("GET", f"/portal/certifications?producer={producer.id}", None),
        ("GET", f"/portal/certifications/expiring?producer={producer.id}", None),
        ("GET", f"/portal/certifications/new?producer={producer.id}", None),
        ("POST", f"/portal/certifications/new?producer={producer.id}", cert_fields()),
        ("GET", f"/portal/certifications/{cert.id}/renew", None),
        ("POST", f"/portal/certifications/{cert.id}/renew", renew),
        ("GET", f"/portal/certifications/{cert.id}/withdraw", None),
        ("POST", f"/portal/certifications/{cert.id}/withdraw",
         {"withdrawn_on": iso(TODAY), "reason": "Phá hoại"}),
        ("GET", f"/portal/files/{cert.evidence_file.key}", None),
    ]


ROUTE_IDS = ["list", "expiring", "new-get", "new-post", "renew-get", "renew-post",
             "withdraw-get", "withdraw-post", "evidence"]


@pytest.fixture
def cert_with_evidence(producer, product):
    from registry.files import storage
    stored = storage.save(PDF, original_name="a.pdf", content_type="application/pdf",
                          owner_producer_id=producer.id)
    db.session.commit()
    return make_cert(producer, number="VG-A", product=product, evidence_file=stored)


def _send(client, method, url, data):
    if method == "GET":
        return client.get(url)
    return submit_cert(client, url, data, evidence=(PDF, "x.pdf") if "issuer" in data else None)


@pytest.mark.parametrize("index", range(len(ROUTE_IDS)), ids=ROUTE_IDS)
def test_another_producers_member_is_refused_and_nothing_changes(
        app, client, auth, producer, producer_user, other_producer_user, cert_with_evidence,
        index):
    auth.login("member.b")
    method, url, data = _routes(producer, cert_with_evidence)[index]
    before, files = snapshot(), _uploads(app)
    response = _send(client, method, url, data)
    assert response.status_code in (403, 404)
    assert snapshot() == before and _uploads(app) == files


@pytest.mark.parametrize("who", ["reviewer", None])
def test_reviewers_and_anonymous_visitors_are_refused(app, client, auth, producer,
                                                      producer_user, reviewer_user,
                                                      cert_with_evidence, who):
    if who:
        auth.login(who)
    routes = _routes(producer, cert_with_evidence)[:-1] + [
        ("GET", "/portal/certifications", None),
        ("GET", "/portal/certifications/expiring", None),
        ("GET", "/portal/certifications/new", None),
        ("POST", "/portal/certifications/new", cert_fields())]
    before = snapshot()
    for method, url, data in routes:
        response = _send(client, method, url, data)
        if who:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert snapshot() == before


def test_own_routes_show_only_the_callers_certificates(client, auth, producer, producer_user,
                                                       other_producer, other_producer_user,
                                                       cert_with_evidence):
    make_cert(other_producer, number="VG-B", expires_days=10)
    auth.login("member.b")
    html = client.get("/portal/certifications").get_data(as_text=True)
    assert "VG-B" in html and "VG-A" not in html
    assert "VG-A" not in client.get("/portal/certifications/expiring").get_data(as_text=True)
    assert "Bưởi da xanh" not in client.get("/portal/certifications/new").get_data(
        as_text=True)
    assert client.get("/portal/certifications?producer=abc").status_code == 404
    assert client.get("/portal/certifications?producer=999999").status_code == 404
    assert client.get("/portal/certifications/999999/renew").status_code == 404



def test_the_operation_itself_refuses_another_producers_product(producer, their_product):
    from registry.certifications import operations as cert_ops
    from registry.exceptions import OperationRefused
    data = cert_ops.CertificationData(issuer="TQC", issued_on=TODAY,
                                      kind=CertificationKind.VIETGAP, product=their_product)
    with pytest.raises(OperationRefused) as refused:
        cert_ops.add_certification(producer, data, cert_ops.Evidence(PDF, "a.pdf"))
    assert refused.value.status == 403
    db.session.rollback()
    assert count(Certification) == 0 and count(StoredFile) == 0


def test_two_renewals_at_the_same_moment_keep_one(app, client, auth, producer, producer_user,
                                                  cert, product, monkeypatch):
    """The other member's renewal committed between this one's check and its write: the
    database's unique index refuses the second, the member gets a 409 and nothing of the
    second renewal (row, evidence file) is left."""
    from registry.certifications import operations as cert_ops

    auth.login("member.a")
    first = Certification(producer=producer, kind=cert.kind, issuer="TQC",
                          issued_on=TODAY, renews_id=cert.id)
    db.session.add(first)
    db.session.commit()
    files_before = _uploads(app)
    monkeypatch.setattr(cert_ops, "renewal_of", lambda old: None)  # the check saw nothing
    data = cert_fields(product_id=str(product.id), number="VG-NEW2",
                   issued_on=iso(TODAY - timedelta(days=1)),
                   expires_on=iso(TODAY + timedelta(days=730)))
    del data["kind"], data["other_kind"]
    response = submit_cert(client, f"/portal/certifications/{cert.id}/renew", data)
    assert response.status_code == 409
    assert "vừa được gia hạn" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Certification).where(
        Certification.renews_id == cert.id)) == 1
    assert _uploads(app) == files_before
