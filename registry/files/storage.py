"""Where uploaded bytes live: ``UPLOAD_FOLDER/ab/abcdef...`` by random key.

Keys are random and never derived from the user's file name, so names with
diacritics, slashes or dots can never escape the folder or overwrite a file.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app

from ..extensions import db
from ..models import StoredFile


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
    stored = StoredFile(key=key, original_name=original_name[:255], content_type=content_type,
                        size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        owner_producer_id=owner_producer_id, uploaded_by_id=uploaded_by_id)
    db.session.add(stored)
    return stored


def read_path(stored: StoredFile) -> Path:
    return _path(stored.key)
