"""``flask --app registry api-token create LOGIN --name N [--scope write]``: a token for
a producer's member from the command line (scripts, and the API check in CI)."""
from __future__ import annotations

import click
import sqlalchemy as sa

from ..exceptions import OperationRefused
from ..extensions import db
from ..models import TokenScope, User
from . import operations as ops


@click.group("api-token")
def api_token_cli():
    """Personal API tokens."""


@api_token_cli.command("create")
@click.argument("login")
@click.option("--name", required=True, help="what the token is for")
@click.option("--scope", type=click.Choice([s.value for s in TokenScope]), default="read",
              show_default=True)
def create_command(login: str, name: str, scope: str):
    """Make a token for the member LOGIN and print it (shown this once)."""
    user = db.session.scalar(sa.select(User).where(User.login == login))
    if user is None:
        raise click.UsageError(f"no account named {login!r}")
    try:
        _token, secret = ops.create_token(user, name=name, scope=TokenScope(scope))
    except OperationRefused as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo(secret)
