"""Command-line tools: ``flask --app registry demo | create-user | seed``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from .exceptions import OperationRefused
from .extensions import db
from .models import AdminUnit, Producer, Role
from .ocop.criteria import CouncilLevel


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_command)
    from .backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from .label_runs.cli import labels_cli

    app.cli.add_command(labels_cli)
    from .api_tokens.cli import api_token_cli

    app.cli.add_command(api_token_cli)
    app.cli.add_command(ratings_cli)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the OCOP criteria sets (safe to run again)."""
    from .ratings.operations import ensure_criteria_sets

    sets = ensure_criteria_sets()
    db.session.commit()
    click.echo(f"Criteria sets ready: {', '.join(sorted(sets))}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the Kế Sách demo data (idempotent: a second run changes nothing)."""
    from .demo.data import DEMO_PASSWORD, USERS
    from .demo.loader import load_demo

    created = load_demo()
    db.session.commit()
    if created:
        click.echo("Demo data loaded: " + ", ".join(f"{n} {what}" for what, n in created.items()))
    else:
        click.echo("Demo data already present: nothing changed.")
    click.echo(f"Demo accounts (password “{DEMO_PASSWORD}”, for local use only): "
               + ", ".join(u[0] for u in USERS))


@click.command("create-user")
@with_appcontext
@click.option("--login", required=True, help="Login name.")
@click.option("--name", default="", help="Full name (defaults to the login).")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--producer", "producer_code", help="Producer code (role producer).")
@click.option("--manager", is_flag=True, help="Producer manager: may manage members.")
@click.option("--council-level", type=click.Choice([c.value for c in CouncilLevel]),
              help="Council level (role reviewer).")
@click.option("--council-unit", type=int, help="Administrative unit id of the council.")
@click.password_option(help="Password (asked twice when not given).")
def create_user_command(login: str, name: str, role: str, producer_code: str | None,
                        manager: bool, council_level: str | None, council_unit: int | None,
                        password: str) -> None:
    """Create an account with a role (and its producer or council scope)."""
    from .auth.operations import create_user

    producer = None
    if producer_code:
        producer = db.session.scalar(db.select(Producer).filter_by(code=producer_code))
        if producer is None:
            raise click.BadParameter(f"no producer with code {producer_code!r}",
                                     param_hint="--producer")
    unit = db.session.get(AdminUnit, council_unit) if council_unit else None
    if council_unit and unit is None:
        raise click.BadParameter(f"no administrative unit {council_unit}",
                                 param_hint="--council-unit")
    try:
        user = create_user(login=login, name=name, password=password, role=Role(role),
                           producer=producer, is_manager=manager,
                           council_level=CouncilLevel(council_level) if council_level else None,
                           council_unit=unit, actor_label="cli")
    except OperationRefused as refused:
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo(f"Created {user.login} ({user.role.value}).")


ratings_cli = click.Group("ratings", help="Rating decisions.")


@ratings_cli.command("expiring")
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True)
@with_appcontext
def expiring_command(days: int) -> None:
    """Valid decisions that expire within DAYS (to notify producers 30 days ahead)."""
    from .ocop.rules import today_vn
    from .ratings.decisions import expiring_decisions

    today = today_vn()
    found = expiring_decisions(today, days)
    for d in found:
        left = (d.valid_until - today).days
        click.echo(f"{d.valid_until:%d/%m/%Y}  ({left:>3} ngày)  {d.stars}★  "
                   f"{d.decision_number:<22} {d.product.name_vi} — {d.product.producer.name}")
    click.echo(f"{len(found)} quyết định hết hiệu lực trong {days} ngày tới.")
