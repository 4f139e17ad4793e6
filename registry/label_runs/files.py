"""Label files made by a background worker: a large run's PDF (or TSPL/ZPL for a
thermal printer), written into ``LABEL_FILES_DIR`` with its progress in ``label_files``,
then downloaded with range support (a slow connection resumes instead of restarting).

Small runs are not queued: their file is streamed while the member waits (see
``views.stream_file``).
"""
from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..jobs import enqueue, task
from ..models import LabelFile, LabelFileStatus, LabelRun
from ..models.base import utcnow
from .operations import FORMAT_EXTENSIONS, RunPrintJob, file_choices, print_job, signer

log = logging.getLogger(__name__)
MAKE_FILE = "labels.make_file"
PROGRESS_EVERY_S = 1.0  # how often a worker writes its progress


def folder() -> Path:
    path = Path(current_app.config["LABEL_FILES_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(label_file: LabelFile) -> Path | None:
    if label_file.filename is None:
        return None
    return folder() / label_file.filename


def write_file(out: BinaryIO, job: RunPrintJob, serials, fmt: str, dpi: int,
               progress: Callable[[int], None] | None = None):
    """Write ``job``'s labels as ``fmt`` ("pdf", "tspl", "zpl") to ``out``."""
    contents = job.contents(serials)
    if fmt == "pdf":
        from ..labels.pdf import write_label_pdf

        return write_label_pdf(out, contents, job.layout, offset=job.offset, ecc=job.ecc,
                               progress=progress, start_position=job.start_position,
                               title=f"{job.product_name} · {job.lot}")
    from ..labels.thermal import write_thermal

    return write_thermal(out, contents, job.layout, fmt=fmt, dpi=dpi, ecc=job.ecc,
                         offset=job.offset, progress=progress)


def request_file(run: LabelRun, fmt: str, dpi: int = 0) -> tuple[LabelFile, bool]:
    """The run's file in this format, queued if it is neither made nor being made.
    Returns (file, queued now); the caller commits, then calls :func:`start`."""
    if (fmt, dpi) not in file_choices(run):
        raise ValueError(f"{fmt} at {dpi} dpi is not offered for layout {run.layout}")
    label_file = run.file(fmt, dpi)
    if label_file is not None and label_file.status is not LabelFileStatus.FAILED:
        return label_file, False
    if label_file is None:
        label_file = LabelFile(run=run, fmt=fmt, dpi=dpi)
        db.session.add(label_file)
    label_file.status, label_file.done, label_file.error = LabelFileStatus.QUEUED, 0, None
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # the same file asked for at the same moment
        db.session.expire(run, ["files"])
        return run.file(fmt, dpi), False
    return label_file, True


def start(label_file: LabelFile) -> None:
    enqueue(MAKE_FILE, label_file.id)


@task(MAKE_FILE)
def make_label_file(file_id: int) -> None:
    """The worker's job: write the file, reporting progress; keep it only when whole."""
    label_file = db.session.get(LabelFile, file_id)
    if label_file is None or label_file.status is LabelFileStatus.DONE:
        return
    label_file.status, label_file.started_at = LabelFileStatus.RUNNING, utcnow()
    label_file.done, label_file.error = 0, None
    db.session.commit()
    run = label_file.run
    fmt, dpi, count = label_file.fmt, label_file.dpi, run.count
    job, serials = print_job(run), signer()
    name = f"run-{run.id}-{fmt}{f'-{dpi}' if dpi else ''}-{secrets.token_hex(8)}." \
           f"{FORMAT_EXTENSIONS[fmt]}"
    final = folder() / name
    partial = final.with_name(name + ".part")
    last = time.monotonic()

    def progress(done: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY_S:
            db.session.execute(sa.update(LabelFile).where(LabelFile.id == file_id)
                               .values(done=done))
            db.session.commit()
            last = time.monotonic()

    try:
        with partial.open("wb") as fh:
            write_file(fh, job, serials, fmt, dpi, progress)
        os.replace(partial, final)
    except Exception as error:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        log.exception("label file %s of run %s failed", file_id, run.id)
        db.session.execute(sa.update(LabelFile).where(LabelFile.id == file_id).values(
            status=LabelFileStatus.FAILED, error=str(error)[:500], finished_at=utcnow()))
        db.session.commit()
        return
    db.session.execute(sa.update(LabelFile).where(LabelFile.id == file_id).values(
        status=LabelFileStatus.DONE, done=count, filename=name,
        size=final.stat().st_size, finished_at=utcnow()))
    db.session.commit()
