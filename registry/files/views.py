"""Serving stored files: product photos are public, everything else is checked."""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user

from .. import web
from ..extensions import db
from ..inputs import clean_file_name
from ..models import ProductPhoto, StoredFile
from ..permissions import Perm, authorize, requires
from .storage import read_path

bp = Blueprint("files", __name__)


def private_file(stored: StoredFile, *, inline: bool):
    """A producer's stored file for someone allowed to read it: never cached, never
    sniffed; ``inline`` opens PDFs and images in the browser, else a download under the
    name the user gave. 404 when the bytes are gone."""
    path = read_path(stored)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=stored.content_type, as_attachment=not inline,
                         download_name=clean_file_name(stored.original_name), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/media/photos/<key>")
def photo(key: str):
    stored = db.session.scalar(db.select(StoredFile).where(StoredFile.key == key))
    if stored is None:
        abort(404)
    is_photo = db.session.scalar(db.select(ProductPhoto.id).where(
        (ProductPhoto.image_id == stored.id) | (ProductPhoto.thumb_id == stored.id)))
    if is_photo is None:
        abort(404)  # evidence files are never served here
    path = read_path(stored)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=stored.content_type, max_age=86400 * 30)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/portal/files/<key>")
@requires(Perm.FILE_READ)
def evidence(key: str):
    stored = db.session.scalar(db.select(StoredFile).where(StoredFile.key == key))
    if stored is None:
        abort(404)
    authorize(Perm.FILE_READ, stored)
    if not read_path(stored).exists():
        abort(404)
    if current_user.producer_id != stored.owner_producer_id:  # the office reads it
        from .. import audit

        web.attempt(lambda: audit.record("file.read", stored, f"{current_user.name} mở tài "
                                         f"liệu “{stored.original_name}”",
                                         {"file": stored.key}))
    return private_file(stored, inline=False)
