"""Flask extensions, created unbound and initialised in ``create_app``.

The metadata naming convention gives every constraint a stable name, so Alembic
migrations can drop or alter them the same way on SQLite and PostgreSQL.
"""
from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
#: Rate limits (anonymous reports of fakes, later logins): per client address, stored
#: where ``RATELIMIT_STORAGE_URI`` says (memory in one process; Redis in production).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
#: Mails (notifications), sent by the job worker: files in instance/mails by default,
#: SMTP in production (``MAIL_BACKEND = "smtp"``).
mailer = Mail()
