"""Dossier files are read by the dossier's rule: scope by council level and area, never a
draft or a returned dossier, and every read by the office is audited."""
from __future__ import annotations

import pytest

from registry.demo.data import DEMO_PASSWORD
from registry.demo.documents import text_pdf
from registry.extensions import db
from registry.models import (
    AdminUnit,
    ApplicationState,
    AuditEntry,
    Product,
    RatingApplication,
    StoredFile,
    User,
)
from registry.ratings import operations as ops
from registry.ratings.evidence import add_evidence

from .. import factories

OFFICE = ["xa.anlactay", "xa.kethanh", "hoidong.tinh", "hoidong.tinh2", "hoidong.tw",
          "admin"]


def _app(name: str) -> RatingApplication:
    return db.session.scalar(db.select(RatingApplication).join(Product)
                             .where(Product.name_vi == name))


@pytest.fixture
def dossiers(demo):
    """The demo's dossiers, each with a document: one at the An Lạc Tây commune, one at
    the province (checked by Kế Thành), one draft, one returned to its producer."""
    ke_thanh = db.session.scalar(db.select(AdminUnit).filter_by(name="Kế Thành"))
    officer = factories.make_user("xa.kethanh", role="reviewer", council_level="commune",
                                  council_unit=ke_thanh)
    officer.set_password(DEMO_PASSWORD)
    commune = _app("Xoài cát chu An Lạc Tây")
    province = _app("Bưởi da xanh Kế Thành")
    draft = _app("Bưởi Năm Roi Kế Thành")
    pdf = text_pdf("Minh chứng", ["Tài liệu thử"])
    for app in (province, draft):
        state = app.state
        app.state = ApplicationState.DRAFT  # evidence is added to drafts only
        add_evidence(app, pdf, f"minh-chung-{app.id}.pdf")
        app.state = state
    returned = _app("Cam sành Ba Trinh")
    returned.state, returned.returned_reason = ApplicationState.DRAFT, "Bổ sung tài liệu"
    add_evidence(returned, pdf, "tra-lai.pdf")
    db.session.commit()
    return {"commune": commune, "province": province, "draft": draft, "returned": returned}


#: Who may read each dossier (and so its files); everybody else gets 403 or 404.
READERS = {
    "commune": {"xa.anlactay", "admin"},
    "province": {"xa.kethanh", "hoidong.tinh", "hoidong.tinh2", "admin"},
    "draft": set(),
    "returned": set(),
}


def _file_urls(app: RatingApplication) -> list[str]:
    """Every route that serves stored files, for each document of the dossier."""
    urls = []
    for e in app.evidence:
        urls += [f"/portal/files/{e.file.key}",
                 f"/office/applications/{app.id}/files/{e.file.key}"]
    return urls


def test_the_public_photo_route_never_serves_a_dossier_document(client, auth, dossiers):
    for login in [None, *OFFICE]:
        if login:
            auth.login(login, DEMO_PASSWORD)
        for app in dossiers.values():
            for e in app.evidence:
                assert client.get(f"/media/photos/{e.file.key}").status_code == 404
        if login:
            auth.logout()


@pytest.mark.parametrize("login", OFFICE)
def test_every_file_route_answers_each_office_role_by_the_dossiers_scope(
        client, auth, dossiers, login):
    auth.login(login, DEMO_PASSWORD)
    for which, app in dossiers.items():
        urls = _file_urls(app)
        assert urls, which
        for url in urls:
            status = client.get(url).status_code
            if login in READERS[which]:
                assert status == 200, (login, which, url)
            else:
                assert status in (403, 404), (login, which, url, status)


@pytest.mark.parametrize("login", OFFICE)
def test_drafts_and_returned_dossiers_are_closed_to_every_office_user(
        client, auth, dossiers, login):
    auth.login(login, DEMO_PASSWORD)
    for which in ("draft", "returned"):
        app = dossiers[which]
        for url in (f"/office/applications/{app.id}", f"/office/applications/{app.id}/score"):
            assert client.get(url).status_code in (403, 404), (login, which, url)


def test_the_producer_still_reads_its_own_draft_files(client, auth, dossiers):
    auth.login("htx.kethanh", DEMO_PASSWORD)
    for e in dossiers["draft"].evidence:
        assert client.get(f"/portal/files/{e.file.key}").status_code == 200


def test_an_office_read_opens_the_pdf_in_the_browser_and_is_audited(client, auth, dossiers):
    app = dossiers["commune"]
    evidence = app.evidence[0]
    auth.login("xa.anlactay", DEMO_PASSWORD)
    response = client.get(f"/office/applications/{app.id}/files/{evidence.file.key}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    officer = db.session.scalar(db.select(User).filter_by(login="xa.anlactay"))
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="file.read",
                                                              actor_id=officer.id))
    assert entry is not None and evidence.file.original_name in entry.summary


def test_a_file_of_another_dossier_is_not_served_under_this_one(client, auth, dossiers):
    """The office route serves only the dossier's own documents, even to an admin."""
    auth.login("admin", DEMO_PASSWORD)
    other = dossiers["province"].evidence[0].file.key
    assert client.get(f"/office/applications/{dossiers['commune'].id}/files/{other}"
                      ).status_code == 404
    assert db.session.scalar(db.select(StoredFile.id).filter_by(key=other)) is not None


def test_a_proposed_dossier_is_read_by_the_province_and_still_by_its_commune(
        client, auth, dossiers):
    app = dossiers["commune"]
    officer = db.session.scalar(db.select(User).filter_by(login="xa.anlactay"))
    ops.propose_application(app, actor=officer, level=officer.council_level)
    db.session.commit()
    url = _file_urls(app)[1]
    for login, status in (("hoidong.tinh", 200), ("xa.anlactay", 200), ("xa.kethanh", 403),
                          ("hoidong.tw", 403)):
        auth.login(login, DEMO_PASSWORD)
        assert client.get(url).status_code == status, login
        auth.logout()
