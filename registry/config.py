"""Configuration defaults and the rules that turn settings into a working config.

Order of precedence (later wins): these defaults, ``instance/config.py``,
``REGISTRY_*`` environment variables, the test config passed to ``create_app``.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

#: Placeholder that must never sign sessions outside debug or testing.
INSECURE_DEV_KEY = "dev-insecure-key-change-me"
#: SECRET_KEY and LABEL_SIGNING_KEY must have at least this many bytes.
MIN_SECRET_BYTES = 32
#: The address labels carry when none is configured and no request tells it.
LOCAL_BASE_URL = "http://127.0.0.1:5000"


class Defaults:
    SECRET_KEY = INSECURE_DEV_KEY
    # Database: SQLite file in instance/ unless DATABASE_URL is set
    # (REGISTRY_DATABASE_URL=postgresql+psycopg://user@host/db).
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Public base address printed in QR codes (short host = smaller codes). Unset, labels
    # carry the address the registry was reached at (scripts/start sets it from the host
    # and port it serves); commands and workers then fall back to LOCAL_BASE_URL.
    PUBLIC_BASE_URL: str | None = None
    # Background jobs (label files of large runs): unset, a SQLite queue in instance/
    # (started by scripts/start); redis://host:6379/0 in production; "immediate" runs
    # them in the process that enqueues them (tests).
    JOBS_URL: str | None = None
    # Where workers write label files; unset, instance/label-files. Several app
    # machines need a shared folder here.
    LABEL_FILES_DIR: str | None = None
    #: Where the open data files are written (the worker) and served from (the web).
    OPEN_DATA_DIR: str | None = None
    # Request bodies above this are refused with 413 (uploads are checked again per kind).
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    UPLOAD_FOLDER: str | None = None  # defaults to instance/uploads
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # Secure cookies: unset, on when PUBLIC_BASE_URL is https (finish_config).
    SESSION_COOKIE_SECURE: bool | None = None
    REMEMBER_COOKIE_SECURE: bool | None = None
    WTF_CSRF_TIME_LIMIT = None  # forms stay valid for the session (slow, shared computers)
    PRODUCTS_PER_PAGE = 24
    # Label checks: one client's repeated loads within this window count once; above
    # SCAN_WARNING_THRESHOLD distinct clients the page warns of a possible copy.
    CHECK_WINDOW_MINUTES = 30
    SCAN_WARNING_THRESHOLD = 5
    # Behind a reverse proxy: how many proxies to trust for X-Forwarded-For/-Proto/-Host
    # (Werkzeug's ProxyFix). 0 (the default) trusts no forwarded header at all.
    TRUSTED_PROXIES = 0
    # The resolver's plain redirect answered before Flask's request cycle (no database
    # read, same headers; public/scan/front.py). False: every request through Flask.
    SCAN_FRONT = True
    # Rate limits (Flask-Limiter): memory:// counts per process; production uses
    # redis://host:6379 so every app process shares one count.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins allowed per account name and per client address before 429.
    LOGIN_RATE_LIMIT_ACCOUNT = "20 per hour"
    LOGIN_RATE_LIMIT_CLIENT = "60 per hour"
    # Score sheets a council decision needs, per council level (Decision 26/2026 and
    # earlier sets leave the council's size to the province: 3 is the registry's default).
    COUNCIL_QUORUM = {"commune": 3, "district": 3, "province": 3, "national": 3}
    # Mails (Flask-Mailman): unset, written as files to instance/mails (the embedded
    # default, nothing leaves the machine); "smtp" with MAIL_SERVER, MAIL_PORT,
    # MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS in production.
    MAIL_BACKEND = "file"
    MAIL_FILE_PATH: str | None = None
    MAIL_DEFAULT_SENDER = "OCOP <no-reply@ocop.localhost>"
    MAIL_TIMEOUT = 20


class ConfigurationError(RuntimeError):
    """A setting the registry must not run with; the message says what to change."""


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` spellings and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def finish_config(config: dict, instance_path: str, *, debug: bool) -> None:
    """Derive settings that depend on others (database URI, secret key, folders)."""
    url = config.get("DATABASE_URL") or config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + str(Path(instance_path) / "registry.sqlite3")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if url.startswith("sqlite"):
        # SQLite needs no pool pre-ping; its timeout is set per connection (see db_setup).
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    else:
        # A database that does not answer is a 503 within 10 s, never a hung request:
        # 5 s to connect, 10 s to wait for a pooled connection.
        options = config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(
            config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("pool_timeout", 10)
        options.setdefault("connect_args", {}).setdefault("connect_timeout", 5)
    config["PUBLIC_BASE_URL_SET"] = bool(config.get("PUBLIC_BASE_URL"))
    https = str(config.get("PUBLIC_BASE_URL") or "").startswith("https://")
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(name) is None:
            config[name] = https
    if not config["PUBLIC_BASE_URL_SET"]:
        config["PUBLIC_BASE_URL"] = LOCAL_BASE_URL
    if not config.get("MAIL_FILE_PATH"):
        config["MAIL_FILE_PATH"] = str(Path(instance_path) / "mails")
    if not config.get("LABEL_FILES_DIR"):
        config["LABEL_FILES_DIR"] = str(Path(instance_path) / "label-files")
    if not config.get("OPEN_DATA_DIR"):
        config["OPEN_DATA_DIR"] = str(Path(instance_path) / "open-data")
    if not config.get("UPLOAD_FOLDER"):
        config["UPLOAD_FOLDER"] = str(Path(instance_path) / "uploads")
    if config.get("SECRET_KEY") in (None, "", INSECURE_DEV_KEY) and not config.get("TESTING"):
        config["SECRET_KEY"] = load_or_create_secret(Path(instance_path) / "secret_key")
    restored_key = Path(instance_path) / "label_signing_key"
    if not config.get("LABEL_SIGNING_KEY") and restored_key.is_file():
        # Written by `flask restore`: the key the restored labels were signed with.
        config["LABEL_SIGNING_KEY"] = restored_key.read_text().strip()
    if not config.get("LABEL_SIGNING_KEY"):
        # Serial signatures use their own key, derived so that it never equals the
        # session key itself. Changing SECRET_KEY invalidates printed labels: set
        # REGISTRY_LABEL_SIGNING_KEY explicitly in production.
        import hashlib
        import hmac

        config["LABEL_SIGNING_KEY"] = hmac.new(
            str(config["SECRET_KEY"]).encode(), b"ocop-label-serials", hashlib.sha256
        ).hexdigest()
    if not config.get("TESTING"):
        check_secrets(config)


def check_secrets(config: dict) -> None:
    """Refuse secrets short enough to guess (sessions, CSRF and label serials rest on
    them)."""
    for name in ("SECRET_KEY", "LABEL_SIGNING_KEY"):
        value = config.get(name) or ""
        size = len(value.encode() if isinstance(value, str) else bytes(value))
        if size < MIN_SECRET_BYTES:
            raise ConfigurationError(
                f"{name} has {size} bytes; the registry needs at least {MIN_SECRET_BYTES} "
                f"(e.g. REGISTRY_{name}=$(python3 -c 'import secrets; "
                f"print(secrets.token_hex(32))')). Unset REGISTRY_SECRET_KEY, a random key "
                "is generated in instance/secret_key.")


def load_or_create_secret(path: Path) -> str:
    """Read the instance's random secret, creating it atomically on first start.

    Several gunicorn workers may start at once: O_EXCL makes exactly one of them write
    the file and the others read it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            import time

            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty: delete it or set REGISTRY_SECRET_KEY") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
