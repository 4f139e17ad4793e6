"""Configuration: precedence, databases, and never a well-known secret in production."""
import sqlalchemy as sa

from registry import create_app
from registry.config import INSECURE_DEV_KEY, normalise_database_url


def test_outside_debug_a_random_secret_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/a.db"}
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "inst"))
    first = create_app(dict(config))
    second = create_app(dict(config))
    key = first.config["SECRET_KEY"]
    assert key != INSECURE_DEV_KEY and len(key) >= 32
    assert second.config["SECRET_KEY"] == key
    assert (tmp_path / "inst" / "secret_key").read_text().strip() == key


def test_environment_overrides_defaults_and_test_config_overrides_both(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_PUBLIC_BASE_URL", "https://env.example")
    monkeypatch.setenv("REGISTRY_PRODUCTS_PER_PAGE", "7")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    assert app.config["PUBLIC_BASE_URL"] == "https://env.example"
    assert app.config["PRODUCTS_PER_PAGE"] == 7  # parsed as JSON
    app = create_app({"TESTING": True, "PUBLIC_BASE_URL": "https://test.example",
                      "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    assert app.config["PUBLIC_BASE_URL"] == "https://test.example"


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_label_signing_key_differs_from_the_session_key(app):
    assert app.config["LABEL_SIGNING_KEY"] != app.config["SECRET_KEY"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    from registry.extensions import db

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/w.db"})
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000


# ---------------------------------------------------------------- secrets (#13 item 6)

import pytest  # noqa: E402

from registry.config import ConfigurationError  # noqa: E402

LONG = "k" * 32


@pytest.mark.parametrize("setting", [{"SECRET_KEY": "short-key"},
                                     {"SECRET_KEY": LONG, "LABEL_SIGNING_KEY": "short"},
                                     {"SECRET_KEY": LONG, "LABEL_SIGNING_KEY": "x" * 31}])
def test_start_up_refuses_short_secrets(tmp_path, setting):
    with pytest.raises(ConfigurationError, match="needs at least 32"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/a.db",
                    "UPLOAD_FOLDER": str(tmp_path), **setting})


def test_start_up_accepts_32_bytes(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "SECRET_KEY": LONG,
                      "LABEL_SIGNING_KEY": "ś" * 16})  # 32 bytes in UTF-8
    assert app.config["LABEL_SIGNING_KEY"] == "ś" * 16


def test_start_up_refuses_a_signing_key_that_does_not_make_the_printed_serials(tmp_path):
    from registry.extensions import db
    from registry.label_runs.operations import order_label_run
    from registry.ratings.operations import ensure_criteria_sets

    from . import factories

    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/k.db", "SECRET_KEY": LONG,
              "UPLOAD_FOLDER": str(tmp_path), "JOBS_URL": "immediate",
              "LABEL_FILES_DIR": str(tmp_path / "files"), "PUBLIC_BASE_URL": "https://o.test"}
    first = create_app({**config, "LABEL_SIGNING_KEY": "a" * 40})
    with first.app_context():
        db.create_all()
        ensure_criteria_sets()
        batch = factories.make_batch(factories.make_product(factories.make_producer()))
        order_label_run(batch, count=3, layout="a4-3x8")
        db.session.commit()
    create_app({**config, "LABEL_SIGNING_KEY": "a" * 40})  # the same key starts
    with pytest.raises(ConfigurationError, match="does not verify the label runs"):
        create_app({**config, "LABEL_SIGNING_KEY": "b" * 40})
    with pytest.raises(ConfigurationError, match="does not verify the label runs"):
        create_app(config)  # derived from SECRET_KEY: not the key the labels carry
