"""Uploaded files (photos, evidence): metadata in the database, bytes in storage.

The bytes live under the upload folder by ``key`` (random, never the user's file name),
so an upload can never overwrite another file or reach outside the folder.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin


class StoredFile(CreatedMixin, Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The name the user gave, kept for downloads (Vietnamese diacritics allowed).
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: Producer whose members (and the office) may read it; None = office only.
    owner_producer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_not_negative"),)
