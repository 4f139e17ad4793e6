"""One way to run an operation from a view.

Operations (``*/operations.py``) check their rules, write, audit, and never commit; a
rule broken is an :class:`~registry.exceptions.OperationRefused` with a message for the
user. A view runs one through :func:`attempt`: one commit when it succeeds, a rollback of
everything when it is refused (or, given ``race``, when a unique value was taken by a
concurrent request meanwhile, which becomes a 409 message rather than an error page).
:func:`run` adds the flash messages; :func:`form_page` is the whole GET and POST of a
page with one form; :func:`button` is the whole POST of a button that redirects either
way. A refusal a view does not catch reaches the error handler
registered by :func:`init_app`: rolled back, said in the page's language, 400 or 409.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import Flask, abort, flash, make_response, redirect, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .exceptions import OperationRefused
from .extensions import db

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    refused: OperationRefused | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None

    def __iter__(self):
        """``value, refused = attempt(...)``"""
        return iter((self.value, self.refused))

    @property
    def status(self) -> int:
        """200 when it was done; the refusal's status (400, 409) when not."""
        return 200 if self.refused is None else self.refused.status


def actor():
    """The signed-in user, as operations record them (not the proxy)."""
    return current_user._get_current_object()


def attempt(action: Callable[[], T], *, race: str | None = None) -> Outcome[T]:
    """Run ``action`` and commit once; roll everything back when it is refused."""
    try:
        value = action()
        db.session.commit()
    except OperationRefused as refused:
        db.session.rollback()
        return Outcome(refused=refused)
    except IntegrityError:
        db.session.rollback()
        if race is None:
            raise
        return Outcome(refused=OperationRefused(race, 409))
    return Outcome(value=value)


def end_reads() -> None:
    """End a transaction that only read (before a long render, or before the scan path
    writes through its own connection): nothing to commit, so it is rolled back."""
    db.session.rollback()


def run(action: Callable[[], T], *, done: str | Callable[[T], str] | None = None,
        race: str | None = None, flash_refusal: bool = True) -> Outcome[T]:
    """:func:`attempt`, then flash ``done`` (a text, or made from the result) or the
    refusal."""
    outcome = attempt(action, race=race)
    if outcome.refused is not None:
        if flash_refusal:
            flash(outcome.refused.message, "error")
    elif done is not None:
        message = done(outcome.value) if callable(done) else done
        if message:
            flash(message, "success")
    return outcome


def posted(form) -> None:
    """A button's form (its CSRF token, its hidden fields) checked: 400 when not valid."""
    if not form.validate_on_submit():
        abort(400)


def form_page(form, action: Callable[[], T], *, done: str | Callable[[T], str] | None,
              then: str | Callable[[T], str], page: Callable[[], str],
              race: str | None = None):
    """A page with one form. A valid POST runs ``action`` (:func:`run`) and, done,
    redirects to ``then`` (an address, or made from the result). Otherwise ``page()``
    (the rendered page, form and errors included) with its status: 200 for a GET, 400
    for a form with errors, the refusal's (400, 409) for an operation refused."""
    status = 200
    if form.validate_on_submit():
        outcome = run(action, done=done, race=race)
        if outcome.ok:
            return redirect(then(outcome.value) if callable(then) else then)
        status = outcome.status
    elif form.is_submitted():
        status = 400
    return page(), status


def button(action: Callable[[], object], *, done: str | Callable[[object], str] | None,
           then: str, back: str | None = None, race: str | None = None):
    """A button's POST: run the operation; on success flash ``done`` and go to ``then``;
    refused, flash why and go ``back`` (default ``then``) with 303."""
    outcome = run(action, done=done, race=race)
    if outcome.ok:
        return redirect(then)
    return redirect(back or then), 303


def init_app(app: Flask) -> None:
    from .errors import render_error

    @app.errorhandler(OperationRefused)
    def refused(error: OperationRefused):
        db.session.rollback()
        problems = getattr(error, "problems", None)  # a document refused whole says why
        response = make_response(render_error(
            error.status if error.status in (400, 403, 404, 409) else 400, error.message,
            errors={"document": problems} if problems else None))
        if getattr(error, "retry_after", None):  # a file being made: ask again soon
            # written by errors' after-request hook (the environ is this request's alone)
            request.environ["registry.retry_after"] = error.retry_after
        return response
