"""``flask --app registry labels print|reprint|align``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..exceptions import OperationRefused
from ..extensions import db
from ..labels.layouts import LAYOUTS
from ..labels.pdf import write_alignment_pdf
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


def _write(run: LabelRun, output: Path, fmt: str = "pdf", dpi: int = 0) -> None:
    from .files import write_file

    job = print_job(run)
    serials = signer()
    with click.progressbar(length=job.count, label=f"{job.count} labels") as bar, \
            output.open("wb") as fh:
        done = 0

        def progress(written: int) -> None:
            nonlocal done
            bar.update(written - done)
            done = written

        result = write_file(fh, job, serials, fmt, dpi, progress)
    if fmt == "pdf":
        click.echo(f"Wrote {output}: {result.labels} labels on {result.pages} pages "
                   f"({result.layout}, QR version {result.qr_version}, level {job.ecc}).")
    else:
        click.echo(f"Wrote {output}: {result.labels} labels, {fmt.upper()} at {dpi} dpi "
                   f"(QR version {result.qr_version}, level {job.ecc}, modules "
                   f"{result.module_dots} dots = {result.module_mm:.3f} mm). Send it as it "
                   "is: lp -o raw, or to port 9100 (README).")


def _warn(message: str) -> None:
    click.secho(f"Warning: {message}", fg="yellow", err=True)


@labels_cli.command("print")
@click.argument("lot")
@click.option("--count", type=click.IntRange(1), required=True, help="Number of labels.")
@click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default="a4-3x8",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "tspl", "zpl", "png", "svg"]),
              default="pdf", show_default=True,
              help="tspl/zpl: native thermal-printer commands (roll layouts); "
                   "png/svg: one code only (--count 1).")
@click.option("--product", "product_ref", help="GTIN or product code, when the lot code "
                                                "exists for several products.")
@click.option("--ecc", type=click.Choice(["M", "Q"]), default="M", show_default=True,
              help="Q for labels that get wet or scuffed.")
@click.option("--offset-x", type=float, default=0.0, help="Printer shift right, mm.")
@click.option("--offset-y", type=float, default=0.0, help="Printer shift down, mm.")
@click.option("--dpi", type=int, default=None,
              help="Printer resolution: 203 or 300 for tspl/zpl (default 203); PNG "
                   "resolution (default 300).")
@click.option("--start-position", type=click.IntRange(1), default=1, show_default=True,
              help="A4 sheets: first label at this position of the first sheet.")
@click.option("--confirm-expired", is_flag=True,
              help="Print even though the batch is past its expiry date (audited).")
@click.option("--decision-end/--no-decision-end", default=True, show_default=True,
              help="Print the decision's end date beside the stars when it ends before "
                   "the batch expires.")
def print_command(lot, count, layout, output, fmt, product_ref, ecc, offset_x, offset_y, dpi,
                  start_position, confirm_expired, decision_end):
    """Issue COUNT new serials of batch LOT and write their labels to OUTPUT."""
    from .operations import THERMAL_DPIS, is_loopback, stars_on_label

    if fmt in ("png", "svg") and count != 1:
        raise click.UsageError("--format png/svg writes one code: use --count 1")
    if fmt in ("tspl", "zpl"):
        if not LAYOUTS[layout].roll:
            raise click.UsageError("--format tspl/zpl is for thermal rolls: choose --layout "
                                   + " or ".join(n for n, s in LAYOUTS.items() if s.roll))
        dpi = dpi or 203
        if dpi not in THERMAL_DPIS:
            raise click.UsageError("--dpi must be 203 or 300 for thermal printers")
    batch = _find_batch(lot, product_ref)
    base_url = current_app.config["PUBLIC_BASE_URL"]
    if is_loopback(base_url):
        _warn(f"labels will point at {base_url}: they only scan on this machine "
              "(set REGISTRY_PUBLIC_BASE_URL).")
    rating = stars_on_label(batch)
    if rating.decision_ends:
        ends = f"{rating.decision_ends:%d/%m/%Y}"
        _warn(f"the OCOP decision ends {ends}, before the batch expires "
              f"({batch.expiry_date:%d/%m/%Y}); "
              + (f"labels print 'QĐ đến {ends}' beside the stars."
                 if decision_end else "--no-decision-end: the labels will not say so."))
    try:
        run = order_label_run(batch, count=count, layout=layout, ecc=ecc,
                              offset_x_mm=offset_x, offset_y_mm=offset_y,
                              start_position=start_position, show_decision_end=decision_end,
                              confirm_expired=confirm_expired, actor_label="cli")
    except OperationRefused as refused:
        hint = " (add --confirm-expired)" if getattr(refused, "what", None) else ""
        raise click.ClickException(refused.message + hint) from None
    db.session.commit()
    click.echo(f"Label run {run.id}: serials {run.start_seq + 1}–{run.end_seq} of lot {lot}.")
    if fmt in ("pdf", "tspl", "zpl"):
        _write(run, output, fmt, dpi or 0)
        return
    label = next(print_job(run).contents(signer()))
    if fmt == "png":
        output.write_bytes(qr_png(label.url, dpi=dpi or 300, ecc=ecc))
    else:
        output.write_text(qr_svg(label.url, ecc=ecc), encoding="utf-8")
    click.echo(f"Wrote {output}: {label.url}")


@labels_cli.command("reprint")
@click.argument("run_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "tspl", "zpl"]), default="pdf",
              show_default=True)
@click.option("--dpi", type=click.Choice(["203", "300"]), default="203", show_default=True,
              help="tspl/zpl only.")
def reprint_command(run_id, output, fmt, dpi):
    """Write the labels of an existing run again (same serials)."""
    run = db.session.get(LabelRun, run_id)
    if run is None:
        raise click.ClickException(f"no label run {run_id}")
    if fmt != "pdf" and not LAYOUTS[run.layout].roll:
        raise click.UsageError(f"run {run_id} is on {run.layout}: tspl/zpl is for rolls")
    _write(run, output, fmt, int(dpi) if fmt != "pdf" else 0)


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
