"""Fixtures: app / client / runner, one user per role, and a database per backend.

Set REGISTRY_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
to run the suite against PostgreSQL; otherwise each test gets a fresh SQLite file.
"""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.extensions import db
from registry.ratings.operations import ensure_criteria_sets

from . import factories
from .helpers import csrf_token  # noqa: F401 - tests import it from here too

BASE_PG_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL")
#: Each test run works in a schema of its own, so runs in parallel never meet.
PG_SCHEMA = f"test_run_{os.getpid()}"
PG_URL = (f"{BASE_PG_URL}{'&' if '?' in BASE_PG_URL else '?'}options=-csearch_path%3D{PG_SCHEMA}"
          if BASE_PG_URL else None)
PASSWORD = factories.PASSWORD


@pytest.fixture(scope="session")
def _pg_schema_ready():
    """On PostgreSQL: build the schema once per session, empty it after each test."""
    if not PG_URL:
        yield None
        return
    admin = sa.create_engine(BASE_PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {PG_SCHEMA}"))
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": PG_URL})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield app
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
    admin.dispose()


def _truncate_all() -> None:
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app(tmp_path, _pg_schema_ready):
    config = {
        "TESTING": True,
        # werkzeug's scrypt costs 0.16 s a hash here, and the tests log in thousands of
        # times; only a testing app honours this (tests/auth/test_auth.py checks that).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SECRET_KEY": "test-secret-key-of-the-registry-tests-0123456789",
        "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PUBLIC_BASE_URL": "https://ocop.test",
        "JOBS_URL": "immediate",
        "LABEL_FILES_DIR": str(tmp_path / "label-files"),
        "OPEN_DATA_DIR": str(tmp_path / "open-data"),
        # Mails stay in memory unless a test starts its SMTP server (tests/smtp.py).
        "MAIL_BACKEND": "locmem",
        # The test client and the browser tests talk plain http (PUBLIC_BASE_URL being
        # https would make the cookies Secure: tests/web/test_sessions.py checks that).
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }
    app = create_app(config)
    with app.app_context():
        if not PG_URL:
            db.create_all()
        ensure_criteria_sets()
        db.session.commit()
    yield app
    from registry.public.scan.service import close as close_scan_connections

    close_scan_connections(app)
    with app.app_context():
        db.session.remove()
        if PG_URL:
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, login: str, password: str = PASSWORD):
        page = self._client.get("/login")
        return self._client.post("/login", data={
            "login": login, "password": password,
            "csrf_token": csrf_token(page.get_data(as_text=True))})

    def logout(self):
        page = self._client.get("/")
        return self._client.post("/logout",
                                 data={"csrf_token": csrf_token(page.get_data(as_text=True))})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def producer(app_ctx):
    return factories.make_producer(code="htx-a", name="HTX Bưởi A")


@pytest.fixture
def product(producer):
    """The product most tests print, recall and report on: a pomelo with a GTIN."""
    return factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                  gtin="8939999000055")


@pytest.fixture
def other_producer(app_ctx):
    return factories.make_producer(code="htx-b", name="HTX Cam B")


@pytest.fixture
def producer_user(producer):
    return factories.make_user("member.a", role="producer", producer=producer, is_manager=True)


@pytest.fixture
def other_producer_user(other_producer):
    return factories.make_user("member.b", role="producer", producer=other_producer)


@pytest.fixture
def reviewer_user(app_ctx):
    """A member of the province's council, its chair (records the council's decisions)."""
    return factories.make_user("reviewer", role="reviewer", council_level="province",
                               is_chair=True)


@pytest.fixture
def commune_user(app_ctx):
    """The commune People's Committee's officer who checks and proposes dossiers."""
    return factories.make_user("xa", role="reviewer", council_level="commune")


@pytest.fixture
def admin_user(app_ctx):
    return factories.make_user("admin", role="admin")


@pytest.fixture
def smtp(app):
    """A local SMTP server; the app sends its mails there (through the job queue)."""
    from .smtp import start_server

    controller, inbox = start_server()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=controller.port, MAIL_USE_TLS=False, MAIL_USE_SSL=False)
    from registry.extensions import mailer

    mailer.init_app(app)  # Flask-Mailman reads its settings when initialised
    yield inbox
    controller.stop()


@pytest.fixture
def demo(app_ctx):
    """The Kế Sách demo data set, loaded and committed (its users' password is
    ``registry.demo.data.DEMO_PASSWORD``)."""
    from registry.demo.loader import load_demo

    load_demo()
    db.session.commit()
    return app_ctx
