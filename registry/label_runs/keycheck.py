"""Start-up check that the label signing key is the one the printed labels were signed
with.

Serials carry their own MAC, so the registry keeps no row per label: with another key
(``instance/secret_key`` lost in a restore, ``LABEL_SIGNING_KEY`` mistyped) every genuine
label would scan as "not issued by the registry". Each label run keeps the serial of its
first label; if the configured key does not make those serials again, the app refuses to
start and says why.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import joinedload

from ..config import ConfigurationError
from ..extensions import db
from ..models import Batch, LabelRun

#: The newest runs are checked: one key signs them all, so a wrong key fails them all.
RUNS_CHECKED = 20


def check_signing_key(app: Flask) -> None:
    from .operations import item_key, signer

    with app.app_context():
        try:
            runs = db.session.scalars(
                sa.select(LabelRun).where(LabelRun.first_serial.is_not(None))
                .options(joinedload(LabelRun.batch).joinedload(Batch.product))
                .order_by(LabelRun.id.desc()).limit(RUNS_CHECKED)).all()
            wrong = [run.id for run in runs if signer().verify(
                item_key(run.batch.product), run.batch.lot_code,
                run.first_serial) != run.start_seq]
            checked = len(runs)
        except sa.exc.DBAPIError:
            # No tables yet (before `db upgrade`), an older schema, or the database is
            # down: nothing to compare with now; the app starts and answers 503 if need be.
            wrong, checked = [], 0
        finally:
            db.session.rollback()
            db.session.remove()
        db.engine.dispose()  # no connection crosses a fork into gunicorn's workers
    if wrong:
        raise ConfigurationError(
            f"LABEL_SIGNING_KEY does not verify the label runs already printed "
            f"({len(wrong)} of the {checked} newest, e.g. run {wrong[0]}): every genuine "
            "label would scan as not issued. Restore the key the labels were signed with "
            "(REGISTRY_LABEL_SIGNING_KEY, or instance/secret_key when it is derived from "
            "it; see README, Backup and restore).")
