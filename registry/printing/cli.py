"""``flask --app registry labels print|reprint|align``."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..exceptions import OperationRefused
from ..extensions import db
from ..labels.layouts import LAYOUTS
from ..labels.pdf import write_alignment_pdf, write_label_pdf
from ..labels.qr import qr_png, qr_svg
from ..models import Batch, LabelRun, Product
from .operations import order_label_run, print_job, signer

labels_cli = AppGroup("labels", help="Print QR traceability labels.")


def _find_batch(lot: str, product_ref: str | None) -> Batch:
    query = db.select(Batch).join(Batch.product).where(Batch.lot_code == lot)
    if product_ref:
        gtin = product_ref.zfill(14) if product_ref.isdigit() else None
        query = query.where(sa_or(Product.public_token == product_ref, Product.gtin == gtin))
    batches = db.session.scalars(query).all()
    if not batches:
        raise click.ClickException(f"no batch with lot code {lot!r}")
    if len(batches) > 1:
        names = "; ".join(f"{b.product.name_vi} ({b.product.gtin or b.product.public_token})"
                          for b in batches)
        raise click.ClickException(f"lot {lot!r} exists for several products, "
                                   f"choose one with --product: {names}")
    return batches[0]


def sa_or(*clauses):
    import sqlalchemy as sa

    return sa.or_(*clauses)


def _write_pdf(run: LabelRun, output: Path) -> None:
    job = print_job(run)
    serials = signer()
    with click.progressbar(length=job.count, label=f"{job.count} labels") as bar, \
            output.open("wb") as fh:
        done = 0

        def progress(written: int) -> None:
            nonlocal done
            bar.update(written - done)
            done = written

        result = write_label_pdf(fh, job.contents(serials), job.layout, offset=job.offset,
                                 ecc=job.ecc, progress=progress,
                                 title=f"{job.product_name} · {job.lot}")
    click.echo(f"Wrote {output}: {result.labels} labels on {result.pages} pages "
               f"({result.layout}, QR version {result.qr_version}, level {job.ecc}).")


@labels_cli.command("print")
@click.argument("lot")
@click.option("--count", type=click.IntRange(1), required=True, help="Number of labels.")
@click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default="a4-3x8",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "png", "svg"]), default="pdf",
              show_default=True, help="png/svg: one code only (--count 1).")
@click.option("--product", "product_ref", help="GTIN or product code, when the lot code "
                                                "exists for several products.")
@click.option("--ecc", type=click.Choice(["M", "Q"]), default="M", show_default=True,
              help="Q for labels that get wet or scuffed.")
@click.option("--offset-x", type=float, default=0.0, help="Printer shift right, mm.")
@click.option("--offset-y", type=float, default=0.0, help="Printer shift down, mm.")
@click.option("--dpi", type=int, default=300, show_default=True, help="PNG resolution.")
def print_command(lot, count, layout, output, fmt, product_ref, ecc, offset_x, offset_y, dpi):
    """Issue COUNT new serials of batch LOT and write their labels to OUTPUT."""
    if fmt != "pdf" and count != 1:
        raise click.UsageError("--format png/svg writes one code: use --count 1")
    batch = _find_batch(lot, product_ref)
    try:
        run = order_label_run(batch, count=count, layout=layout, ecc=ecc,
                              offset_x_mm=offset_x, offset_y_mm=offset_y, actor_label="cli")
    except OperationRefused as refused:
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo(f"Label run {run.id}: serials {run.start_seq + 1}–{run.end_seq} of lot {lot}.")
    if fmt == "pdf":
        _write_pdf(run, output)
        return
    label = next(print_job(run).contents(signer()))
    if fmt == "png":
        output.write_bytes(qr_png(label.url, dpi=dpi, ecc=ecc))
    else:
        output.write_text(qr_svg(label.url, ecc=ecc), encoding="utf-8")
    click.echo(f"Wrote {output}: {label.url}")


@labels_cli.command("reprint")
@click.argument("run_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def reprint_command(run_id, output):
    """Write the labels of an existing run again (same serials)."""
    run = db.session.get(LabelRun, run_id)
    if run is None:
        raise click.ClickException(f"no label run {run_id}")
    _write_pdf(run, output)


@labels_cli.command("align")
@click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default="a4-3x8")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--offset-x", type=float, default=0.0)
@click.option("--offset-y", type=float, default=0.0)
def align_command(layout, output, offset_x, offset_y):
    """An alignment test page: print it at 100 % and compare with a label sheet."""
    with output.open("wb") as fh:
        write_alignment_pdf(fh, layout, offset=(offset_x, offset_y))
    click.echo(f"Wrote {output}")
