"""Backups that bring the labels back: one archive with the database, the uploaded files
and the secrets printed labels depend on; a restore into an empty instance.

Archive layout (a gzip'd tar, written with mode 0600)::

    MANIFEST.json            what, when, which database, the migration, rows per table
    database.sqlite3         SQLite: an online backup (consistent while the app runs)
    database.pgdump          PostgreSQL: pg_dump's custom format
    uploads/…                the uploaded files (certificates, evidence, photos)
    SECRET/label_signing_key the key every printed serial is signed with
    SECRET/secret_key        instance/secret_key, when the instance generated one
    SECRET/README.txt        why these are secret

Without the label signing key a restored registry calls every genuine label "not issued":
that is why it travels in the archive, and why the archive must be kept like a key.
Label print files are not archived: they are made again from the runs on demand.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db

FORMAT = 1
SECRET_NOTE = """\
These files are SECRET. label_signing_key signs every serial printed on the registry's
QR labels: whoever holds it can make labels the registry will call genuine, and a registry
restored without it calls every genuine label "not issued". secret_key signs sessions.
Keep this archive where you keep keys (encrypted, access-controlled), never in a public place.
"""


class BackupError(click.ClickException):
    pass


# ------------------------------------------------------------------------- database

def _url() -> sa.engine.URL:
    return db.engine.url


def _is_sqlite() -> bool:
    return _url().get_backend_name() == "sqlite"


def _pg_args(url: sa.engine.URL) -> tuple[list[str], dict[str, str], str | None]:
    """Connection arguments for pg_dump / pg_restore, and the schema named by the URL's
    ``options=-csearch_path=…`` (the tests' per-run schema), if any."""
    args = []
    if url.host:
        args += ["-h", url.host]
    if url.port:
        args += ["-p", str(url.port)]
    if url.username:
        args += ["-U", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    schema = None
    options = url.query.get("options")
    for option in ([options] if isinstance(options, str) else list(options or [])):
        for part in unquote(option).split():
            if part.startswith("-csearch_path="):
                schema = part.split("=", 1)[1].split(",")[0]
    return args, env, schema


def table_counts() -> dict[str, int]:
    names = set(sa.inspect(db.engine).get_table_names())
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name in names}


def _revision() -> str | None:
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None


def _dump_database(work: Path) -> str:
    if _is_sqlite():
        target = work / "database.sqlite3"
        source = sqlite3.connect(_url().database)
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)  # the online backup API: consistent under writes
        finally:
            source.close()
        return target.name
    args, env, schema = _pg_args(_url())
    target = work / "database.pgdump"
    command = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target), *args]
    if schema:
        command += ["-n", schema]
    command.append(_url().database)
    _run(command, env)
    return target.name


def _restore_database(member: Path) -> None:
    if _is_sqlite():
        db.session.remove()
        db.engine.dispose()
        target = Path(_url().database)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        source = sqlite3.connect(member)
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)
        finally:
            source.close()
        return
    db.session.remove()
    db.engine.dispose()
    args, env, _schema = _pg_args(_url())
    _run(["pg_restore", "--no-owner", "--no-privileges", "--clean", "--if-exists",
          "--exit-on-error", "-d", _url().database, *args, str(member)], env)


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools: "
                          f"apt install postgresql-client)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-800:]}")


def database_is_empty() -> bool:
    """No tables, or tables without a single user, producer, product or label run."""
    names = set(sa.inspect(db.engine).get_table_names())
    for table in ("users", "producers", "products", "label_runs"):
        if table in names and db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")):
            return False
    return True


# -------------------------------------------------------------------------- secrets

def signing_key_file(instance_path: str) -> Path:
    return Path(instance_path) / "label_signing_key"


def _secrets() -> dict[str, str]:
    found = {"label_signing_key": str(current_app.config["LABEL_SIGNING_KEY"])}
    generated = Path(current_app.instance_path) / "secret_key"
    if generated.exists():
        found["secret_key"] = generated.read_text().strip()
    return found


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    os.replace(tmp, path)


# --------------------------------------------------------------------------- archive

def write_backup(output: Path) -> dict:
    """Write the archive; returns its manifest."""
    upload_root = Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        counts = table_counts()
        database = _dump_database(work)
        secrets = _secrets()
        uploads = sorted(p for p in upload_root.rglob("*") if p.is_file()
                         and not p.name.endswith(".part")) if upload_root.is_dir() else []
        manifest = {
            "format": FORMAT, "made": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "database": "sqlite" if _is_sqlite() else "postgresql", "database_file": database,
            "revision": _revision(), "rows": counts, "uploads": len(uploads),
            "secrets": sorted(secrets),
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, "MANIFEST.json", json.dumps(manifest, indent=2).encode())
            tar.add(work / database, arcname=database)
            for path in uploads:
                tar.add(path, arcname="uploads/" + path.relative_to(upload_root).as_posix())
            for name, value in secrets.items():
                _add_bytes(tar, f"SECRET/{name}", (value + "\n").encode(), mode=0o600)
            _add_bytes(tar, "SECRET/README.txt", SECRET_NOTE.encode())
        os.replace(partial, output)
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    info.mtime = int(datetime.now(timezone.utc).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile()
                                                                or member.isdir()):
            raise BackupError(f"the archive holds an unsafe entry: {member.name!r}")
        members.append(member)
    return members


def restore_backup(archive: Path, *, force: bool = False) -> dict:
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    if not force and not database_is_empty():
        raise BackupError("the database is not empty: restore into an empty instance or "
                          "database, or pass --force to replace what it holds")
    upload_root = Path(current_app.config["UPLOAD_FOLDER"])
    if not force and upload_root.is_dir() and any(p.is_file() for p in upload_root.rglob("*")):
        raise BackupError(f"{upload_root} already holds files: pass --force to replace them")
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive} is not a registry backup: {error}") from None
    with tar, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        members = _safe_members(tar)
        tar.extractall(work, members=members)
        try:
            manifest = json.loads((work / "MANIFEST.json").read_text())
        except (OSError, ValueError):
            raise BackupError(f"{archive} has no readable MANIFEST.json") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
        kind = "sqlite" if _is_sqlite() else "postgresql"
        if manifest["database"] != kind:
            raise BackupError(f"the backup holds a {manifest['database']} database; this "
                              f"registry uses {kind} (move between them with a dump/load of "
                              "your own)")
        _restore_database(work / manifest["database_file"])
        if force and upload_root.is_dir():
            shutil.rmtree(upload_root)
        source = work / "uploads"
        if source.is_dir():
            shutil.copytree(source, upload_root, dirs_exist_ok=True)
        instance = Path(current_app.instance_path)
        secret_dir = work / "SECRET"
        if (secret_dir / "secret_key").is_file():
            _write_secret(instance / "secret_key", (secret_dir / "secret_key").read_text()
                          .strip())
        _write_secret(signing_key_file(current_app.instance_path),
                      (secret_dir / "label_signing_key").read_text().strip())
    counts = table_counts()
    expected = manifest["rows"]
    differing = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
    if differing:
        raise BackupError(f"rows differ after the restore (table: archived, restored): "
                          f"{differing}")
    return manifest


# ------------------------------------------------------------------------------ CLI

@click.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The archive to write (e.g. ocop-2026-12-02.tar.gz).")
@with_appcontext
def backup_command(output: Path) -> None:
    """Write one archive with the database, the uploads and the label secrets."""
    manifest = write_backup(output)
    rows = manifest["rows"]
    click.echo(f"Backup written to {output}: {manifest['database']} database "
               f"({rows.get('products', 0)} products, {rows.get('label_runs', 0)} label runs, "
               f"{rows.get('scans', 0)} scans), {manifest['uploads']} uploaded files, "
               f"secrets: {', '.join(manifest['secrets'])}.")
    click.echo("The archive holds the label signing key: keep it as secret as the key.")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database and uploads that are not empty.")
@with_appcontext
def restore_command(archive: Path, force: bool) -> None:
    """Restore an archive written by `backup` into this (empty) instance."""
    manifest = restore_backup(archive, force=force)
    rows = manifest["rows"]
    click.echo(f"Restored {archive} (made {manifest['made']}): "
               f"{rows.get('products', 0)} products, {rows.get('label_runs', 0)} label runs, "
               f"{rows.get('scans', 0)} scans, {manifest['uploads']} uploaded files; row "
               "counts checked.")
    key_file = signing_key_file(current_app.instance_path)
    if os.environ.get("REGISTRY_LABEL_SIGNING_KEY", "").strip() not in (
            "", key_file.read_text().strip()):
        click.echo("REGISTRY_LABEL_SIGNING_KEY is set to another key than the labels were "
                   f"signed with: unset it (the key is now in {key_file}) or set it to that "
                   "file's content, else the registry will not start.")
