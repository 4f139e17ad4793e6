"""The committed migrations build exactly the schema the models describe, on both
databases: ``flask db upgrade`` is how every installation gets its tables."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from registry import create_app
from registry.extensions import db

PG_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL")
SCHEMA = f"migration_check_{os.getpid()}"


@pytest.fixture
def migrated_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{SCHEMA}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def _schema(inspector: sa.Inspector) -> dict[str, set[str]]:
    return {t: {c["name"] for c in inspector.get_columns(t)}
            for t in inspector.get_table_names() if t != "alembic_version"}


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(migrated_url):
    app = create_app({"TESTING": True, "DATABASE_URL": migrated_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, db.metadata)
            tables = _schema(sa.inspect(conn))
        assert diffs == [], f"models and migrations differ: {diffs}"
        expected = {t.name: {c.name for c in t.columns} for t in db.metadata.sorted_tables}
        assert tables == expected
        # constraints the models rely on exist after the migration too
        with db.engine.begin() as conn:
            with pytest.raises(sa.exc.IntegrityError):
                conn.execute(sa.text(
                    "INSERT INTO producers (code, name, kind, is_demo, created_at) "
                    "VALUES ('x', 'x', 'not-a-kind', false, CURRENT_TIMESTAMP)"))
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert _schema(sa.inspect(conn)) == {}
        db.engine.dispose()
