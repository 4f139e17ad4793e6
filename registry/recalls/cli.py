"""``flask --app registry batches recall LOT --reason TEXT`` (or ``--lift``)."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..exceptions import OperationRefused
from ..extensions import db
from ..models import Batch, Product
from . import operations as ops

batches_cli = AppGroup("batches", help="Batches: recall a batch or lift its recall.")


def find_batch(lot: str, product_ref: str | None) -> Batch:
    """The batch with lot code ``lot``; ``product_ref`` (product code or GTIN) chooses
    when several products have a batch of that code."""
    query = (sa.select(Batch).join(Batch.product).where(Batch.lot_code == lot)
             .order_by(Product.search_text, Product.id))
    if product_ref:
        gtin = product_ref.zfill(14) if product_ref.isdigit() else None
        query = query.where(sa.or_(Product.public_token == product_ref, Product.gtin == gtin))
    batches = db.session.scalars(query).all()
    if not batches:
        where = f" of product {product_ref!r}" if product_ref else ""
        raise click.ClickException(f"no batch with lot code {lot!r}{where}")
    if len(batches) > 1:
        names = "; ".join(f"{b.product.name_vi} · {b.product.producer.name} "
                          f"(--product {b.product.gtin or b.product.public_token})"
                          for b in batches)
        raise click.ClickException(f"lot {lot!r} exists for several products, "
                                   f"choose one with --product: {names}")
    return batches[0]


@batches_cli.command("recall")
@click.argument("lot")
@click.option("--reason", help="Why the batch is recalled, as buyers will read it.")
@click.option("--advice", help="What buyers should do (default: stop using it and contact "
                               "the seller or the producer for a return).")
@click.option("--date", "recalled_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the recall takes effect, YYYY-MM-DD (default: today in Vietnam).")
@click.option("--product", "product_ref", help="GTIN or product code, when the lot code "
                                                "exists for several products.")
@click.option("--lift", is_flag=True, help="Lift the batch's recall instead.")
@click.option("--note", help="With --lift: why the recall is lifted.")
def recall_command(lot, reason, advice, recalled_on, product_ref, lift, note):
    """Recall batch LOT (its public page and labels then warn buyers), or lift its recall."""
    if lift and (reason or advice or recalled_on):
        raise click.UsageError("--lift takes only --note (and --product)")
    if not lift and note:
        raise click.UsageError("--note goes with --lift")
    if not lift and not reason:
        raise click.UsageError("give --reason (or --lift to lift a recall)")
    batch = find_batch(lot, product_ref)
    try:
        if lift:
            ops.lift_recall(batch, note=note, actor_label="cli")
        else:
            recall = ops.recall_batch(
                batch, reason=reason, advice=advice or ops.DEFAULT_ADVICE,
                recalled_on=recalled_on.date() if recalled_on else None, actor_label="cli")
    except OperationRefused as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from None
    db.session.commit()
    if lift:
        click.echo(f"Recall of lot {lot} ({batch.product.name_vi}) lifted.")
    else:
        click.echo(f"Lot {lot} ({batch.product.name_vi}) recalled from "
                   f"{recall.recalled_on.isoformat()}.")
