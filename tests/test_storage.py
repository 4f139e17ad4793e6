"""Uploaded bytes follow their ``stored_files`` row: nothing is left on disk by a
rolled-back upload or a deleted photo, and nothing is lost by a rolled-back deletion."""
from __future__ import annotations

from pathlib import Path

from registry.extensions import db
from registry.files import storage
from registry.models import ProductPhoto, StoredFile

from .helpers import post_form
from .products.support import photo_of


def _files(app) -> set[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _save(producer, data=b"%PDF-1.4 test") -> StoredFile:
    return storage.save(data, original_name="Giấy chứng nhận.pdf",
                        content_type="application/pdf", owner_producer_id=producer.id)


def test_a_committed_upload_keeps_its_file(app, producer):
    stored = _save(producer)
    db.session.commit()
    assert storage.read_path(stored).read_bytes() == b"%PDF-1.4 test"
    assert _files(app) == {storage.read_path(stored)}


def test_a_rolled_back_upload_leaves_no_file(app, producer):
    kept = _save(producer, b"kept")
    db.session.commit()
    _save(producer, b"dropped")
    db.session.rollback()
    assert _files(app) == {storage.read_path(kept)}


def test_an_upload_in_a_session_closed_without_commit_leaves_no_file(app, producer):
    _save(producer)
    db.session.flush()
    db.session.close()  # what the end of a request does to an uncommitted session
    assert _files(app) == set()


def test_a_deleted_row_takes_its_file_only_when_the_deletion_commits(app, producer):
    stored = _save(producer)
    db.session.commit()
    path = storage.read_path(stored)
    db.session.delete(stored)
    db.session.flush()
    db.session.rollback()  # changed their mind: the row is back, so is the file
    assert path.exists()
    db.session.delete(db.session.get(StoredFile, stored.id))
    db.session.commit()
    assert not path.exists() and _files(app) == set()


def test_removing_a_photo_in_the_portal_removes_its_files(app, client, auth, product,
                                                          producer, producer_user):
    photo_of(product.id, producer.id)
    photo_of(product.id, producer.id)
    first, second = db.session.scalars(
        db.select(ProductPhoto).order_by(ProductPhoto.position)).all()
    gone = {storage.read_path(first.image), storage.read_path(first.thumb)}
    kept = {storage.read_path(second.image), storage.read_path(second.thumb)}
    assert _files(app) == gone | kept
    first_id = first.id
    auth.login("member.a")
    response = post_form(client, f"/portal/products/{product.id}/photos/{first_id}/delete",
                         "/portal/products")
    assert response.status_code == 302
    assert _files(app) == kept


def test_deleting_a_product_removes_its_photo_files(app, client, auth, product, producer,
                                                    producer_user):
    photo_of(product.id, producer.id)
    assert len(_files(app)) == 2  # the photo and its thumbnail
    auth.login("member.a")
    answer = post_form(client, f"/portal/products/{product.id}/delete", "/portal/products")
    assert answer.status_code == 302
    assert _files(app) == set()


def test_savepoints_leave_files_where_their_rows_are(app, producer):
    """Released savepoints wait for the outer transaction; rolled-back ones undo only
    their own part (the app uses none today: this keeps the rule safe if it does)."""
    kept = _save(producer, b"kept")
    db.session.commit()
    kept_path = storage.read_path(kept)
    # a deletion undone by its savepoint, then the outer transaction commits
    savepoint = db.session.begin_nested()
    db.session.delete(kept)
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert kept_path.exists() and db.session.get(StoredFile, kept.id) is not None
    # a deletion in a released savepoint, then the outer transaction rolls back
    with db.session.begin_nested():
        db.session.delete(db.session.get(StoredFile, kept.id))
    db.session.rollback()
    assert kept_path.exists()
    # an upload in a released savepoint, then the outer transaction rolls back
    with db.session.begin_nested():
        dropped = storage.read_path(_save(producer, b"dropped"))
    db.session.rollback()
    assert not dropped.exists()
    # an upload in a savepoint that rolls back, then the outer transaction commits
    savepoint = db.session.begin_nested()
    orphan = storage.read_path(_save(producer, b"orphan"))
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert not orphan.exists()
    assert _files(app) == {kept_path}
