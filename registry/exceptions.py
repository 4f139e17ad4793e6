"""Errors that operations raise with a message meant for the user.

Messages are written in Vietnamese (the msgid) and translated, when they are raised, into
the language of the request being answered: ``_("... %(login)s ...", login=login)`` with
:func:`gettext` below. Outside a request (``flask`` commands, the demo loader) they stay
in Vietnamese.
"""
from __future__ import annotations


def gettext(message: str, **values) -> str:
    """``message`` in the request's language, with its ``%(name)s`` placeholders filled;
    plain Vietnamese outside a request (the CLI has no page language to follow)."""
    from flask import has_request_context

    if has_request_context():
        from flask_babel import gettext as translate

        return translate(message, **values)
    return message % values if values else message


class OperationRefused(Exception):
    """The operation would break a rule; ``message`` says which, in the language of the
    request (Vietnamese, or English when the user chose it), Vietnamese in commands."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def flush_or_refuse(names_in_error: str, message: str) -> None:
    """Flush the session; a unique-index IntegrityError whose text names
    ``names_in_error`` (two people doing the same thing at the same moment) becomes a
    409 refusal with ``message``. Any other integrity error is raised as it is."""
    import sqlalchemy as sa

    from .extensions import db

    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        if names_in_error not in str(error.orig):
            raise
        raise OperationRefused(message, 409) from None
