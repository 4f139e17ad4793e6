"""Backups that bring the labels back (#13 item 7): print and scan labels, back up,
restore into a fresh instance (a new SQLite file, or a new PostgreSQL database), and the
same labels verify, with the same rows everywhere."""
from __future__ import annotations

import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.backup import table_counts
from registry.config import ConfigurationError
from registry.extensions import db
from registry.files import storage

from . import factories
from .conftest import BASE_PG_URL, PG_SCHEMA
from .public.scan.support import print_labels, scan, visible_text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def target_url(tmp_path):
    """Where the restore goes: a new SQLite file, or a new PostgreSQL database."""
    if not BASE_PG_URL:
        yield f"sqlite:///{tmp_path / 'restored' / 'registry.sqlite3'}"
        return
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = sa.engine.make_url(BASE_PG_URL).set(database=name)
    yield (base.render_as_string(hide_password=False)
           + f"?options=-csearch_path%3D{PG_SCHEMA}")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_app(tmp_path, url, monkeypatch):
    """A registry as a new machine starts it: no secret given, so it makes its own."""
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "restored"))
    monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
    monkeypatch.delenv("REGISTRY_LABEL_SIGNING_KEY", raising=False)
    return create_app({"DATABASE_URL": url, "PUBLIC_BASE_URL": "https://ocop.test",
                       "UPLOAD_FOLDER": str(tmp_path / "restored" / "uploads"),
                       "JOBS_URL": "immediate",
                       "LABEL_FILES_DIR": str(tmp_path / "restored" / "label-files"),
                       "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})


def _verdict(client, label) -> str:
    return visible_text(scan(client, label).get_data(as_text=True))


def test_labels_verify_after_a_backup_is_restored_into_a_fresh_instance(
        app, client, runner, producer, tmp_path, target_url, monkeypatch):
    product = factories.make_product(producer, name_vi="Chà bông bò", gtin="8939999000017")
    batch = factories.make_batch(product, "CB2612")
    labels = print_labels(batch, 4)
    stored = storage.save(PDF, original_name="Giấy chứng nhận.pdf",
                          content_type="application/pdf", owner_producer_id=producer.id)
    db.session.commit()
    assert "✓ Tem thật do sổ đăng ký cấp" in _verdict(client, labels[0])
    before = table_counts()
    assert before["label_runs"] == 1 and before["scans"] >= 1

    archive = tmp_path / "backup" / "ocop.tar.gz"
    result = runner.invoke(args=["backup", "--output", str(archive)])
    assert result.exit_code == 0, result.output
    assert "1 label runs" in result.output and "label_signing_key" in result.output
    assert "keep it as secret as the key" in result.output
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"MANIFEST.json", "SECRET/label_signing_key", "SECRET/README.txt"} <= names
    assert f"uploads/{stored.key[:2]}/{stored.key}" in names

    fresh = _fresh_app(tmp_path, target_url, monkeypatch)
    with fresh.app_context():  # (click's with_appcontext keeps a context already pushed)
        restored = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        assert "row counts checked" in restored.output
        again = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code == 1 and "the database is not empty" in again.output
        db.engine.dispose()

    started = _fresh_app(tmp_path, target_url, monkeypatch)  # a restart on the restore
    with started.app_context():
        assert table_counts() == before
        copy = db.session.scalar(sa.select(type(stored)).filter_by(key=stored.key))
        assert storage.read_path(copy).read_bytes() == PDF
    restored_client = started.test_client()
    for label in labels:
        assert "✓ Tem thật do sổ đăng ký cấp" in _verdict(restored_client, label)
    with started.app_context():
        assert table_counts()["scans"] == before["scans"] + len(labels)
        db.engine.dispose()

    # The trap the issue found: the database without the key calls genuine labels fakes;
    # now the registry refuses to start instead.
    (tmp_path / "restored" / "label_signing_key").unlink()
    with pytest.raises(ConfigurationError, match="does not verify the label runs"):
        _fresh_app(tmp_path, target_url, monkeypatch)


def test_restore_refuses_what_is_not_a_backup(app, runner, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    result = runner.invoke(args=["restore", str(junk)])
    assert result.exit_code == 1 and "is not a registry backup" in result.output
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        source = tmp_path / "x"
        source.write_text("x")
        tar.add(source, arcname="../../escape")
    result = runner.invoke(args=["restore", str(evil)])
    assert result.exit_code == 1 and "unsafe entry" in result.output
    assert not (Path(app.instance_path).parent.parent / "escape").exists()
