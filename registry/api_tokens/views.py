"""A member's personal API tokens (``/portal/api-tokens``): made, listed, revoked.

A new token is shown once, on the answer to the form that made it (never stored, never
cached: ``Cache-Control: no-store``); afterwards only its first characters are listed.
"""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, url_for
from flask_babel import gettext as _

from .. import web
from ..models import ApiToken, TokenScope
from ..permissions import Perm, authorized, requires
from . import operations as ops
from .forms import SCOPE_LABELS, RevokeForm, TokenForm

bp = Blueprint("api_tokens", __name__, url_prefix="/portal/api-tokens")


def _page(form: TokenForm, status: int = 200, secret: str | None = None,
          made: ApiToken | None = None):
    html = render_template("portal/api_tokens/index.html", form=form, secret=secret,
                           made=made, tokens=ops.tokens_of(web.actor()), revoke=RevokeForm(),
                           scopes=SCOPE_LABELS)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["GET", "POST"])
@requires(Perm.API_TOKENS)
def index():
    """The list and the form; a valid form answers with the new token, shown once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 400 if form.is_submitted() else 200)
    outcome = web.run(lambda: ops.create_token(web.actor(), name=form.name.data,
                                               scope=TokenScope(form.scope.data)))
    if not outcome.ok:
        return _page(form, outcome.status)
    made, secret = outcome.value
    return _page(TokenForm(formdata=None), 201, secret=secret, made=made)


@bp.post("/<int:token_id>/revoke")
@requires(Perm.API_TOKENS)
def revoke(token_id: int):
    token = authorized(Perm.API_TOKENS, ApiToken, token_id)
    web.posted(RevokeForm())
    return web.button(lambda: ops.revoke_token(token, actor=web.actor()),
                      done=_("Đã thu hồi khoá “%(name)s”: từ nay nó không mở được API.",
                             name=token.name),
                      then=url_for(".index"))
