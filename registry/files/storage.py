"""Where uploaded bytes live: ``UPLOAD_FOLDER/ab/abcdef...`` by random key.

Keys are random and never derived from the user's file name, so names with
diacritics, slashes or dots can never escape the folder or overwrite a file.

The bytes follow their ``stored_files`` row: a file written for a transaction that rolls
back is removed, and so is the file of a row deleted by a transaction that commits.
Bytes are written before the commit (so a committed row always has its file) and
removed only after it (so a rolled-back deletion still has its file).
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.session import Session as AppSession
from sqlalchemy import event

from ..extensions import db
from ..inputs import clean_file_name
from ..models import StoredFile

log = logging.getLogger(__name__)
WRITTEN = "registry.files.written"  # session.info keys: {path: row} this transaction wrote
DELETED = "registry.files.deleted"  # … and {path: row} of the rows it deleted


def _path(key: str) -> Path:
    if not key.isalnum():
        raise ValueError("bad file key")
    return Path(current_app.config["UPLOAD_FOLDER"]) / key[:2] / key


def save(data: bytes, *, original_name: str, content_type: str,
         owner_producer_id: int | None, uploaded_by_id: int | None = None) -> StoredFile:
    """Write the bytes (atomically) and add the row; the caller commits."""
    key = secrets.token_hex(16)
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    stored = StoredFile(key=key, original_name=clean_file_name(original_name),
                        content_type=content_type,
                        size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        owner_producer_id=owner_producer_id, uploaded_by_id=uploaded_by_id)
    db.session.add(stored)
    db.session.info.setdefault(WRITTEN, {})[path] = stored
    return stored


def read_path(stored: StoredFile) -> Path:
    return _path(stored.key)


def _unlink(paths) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the transaction's outcome stands; the file is merely left over
            log.warning("could not remove uploaded file %s", path, exc_info=True)


@event.listens_for(AppSession, "after_flush")
def _note_deleted_files(session, flush_context) -> None:
    deleted = {_path(obj.key): obj for obj in session.deleted if isinstance(obj, StoredFile)}
    if deleted:
        session.info.setdefault(DELETED, {}).update(deleted)


@event.listens_for(AppSession, "after_commit")
def _after_commit(session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction still decides
    written = session.info.pop(WRITTEN, {})
    deleted = session.info.pop(DELETED, {})
    # A row whose deletion a savepoint undid is back in the session: its file stays.
    # A file written inside a savepoint that rolled back has no row: it goes.
    _unlink([path for path, obj in deleted.items() if not _is_row(obj)]
            + [path for path, obj in written.items() if not _is_row(obj)])


@event.listens_for(AppSession, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    """A transaction that ends without a commit (rollback, or a session closed at the
    end of a request) takes the files it wrote with it, and keeps those it deleted."""
    if transaction.parent is not None or transaction.nested:
        return  # the outer transaction decides
    session.info.pop(DELETED, None)
    _unlink(session.info.pop(WRITTEN, {}))


def _is_row(obj: StoredFile) -> bool:
    """Still (or again) a row: persistent, neither deleted nor rolled back."""
    return sa.inspect(obj).persistent
