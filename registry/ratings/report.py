"""The periodic report the office sends to the province: what holds OCOP stars at the end
of a period, and what changed in it (new, re-rated, expired, revoked).

One computation feeds the page, the CSV and the XLSX file, so the three always agree.
Places are given as recorded on the producer (a 2020 record says "huyện Kế Sách, tỉnh
Sóc Trăng") and as they are today after the 2025 mergers.
"""
from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AdminUnit, Product, RatingDecision
from ..models.producer import PRODUCER_KIND_LABELS
from ..ocop.groups import GROUPS
from .queries import current_valid_decisions


def name_today(unit: AdminUnit | None) -> str:
    """The unit's address as it reads today: merged units replaced by their successor,
    abolished levels (districts, 2025) left out."""
    if unit is None:
        return ""
    parts = []
    for level_unit in unit.chain():
        current = level_unit
        while current.successor is not None:
            current = current.successor
        if current.abolished_on is not None and current is level_unit \
                and level_unit.successor is None:
            continue  # abolished without a successor: the level no longer exists
        parts.append(current.full_name)
    return ", ".join(parts)


def set_label(decision: RatingDecision) -> str:
    ps = decision.product_set_def
    if ps is not None:
        return f"{ps.label_vi} ({ps.sector_vi})"
    group = GROUPS[decision.product.group_code].name_vi
    return f"{group} (xếp theo nhóm, bộ tiêu chí {decision.criteria_set.label})"


@dataclass
class Section:
    key: str
    #: (Vietnamese, English): the files are in Vietnamese, the page in its language.
    title: tuple[str, str]
    #: (label, count) rows, or (recorded, today, count) for communes
    rows: list[tuple] = field(default_factory=list)


@dataclass
class ProvinceReport:
    start: date
    end: date
    #: Each product's decision in force at the end of the period.
    in_force: list[RatingDecision]
    new: list[RatingDecision]
    rerated: list[RatingDecision]
    expired: list[RatingDecision]
    revoked: list[RatingDecision]
    sections: list[Section] = field(default_factory=list)

    @property
    def changes(self) -> list[tuple[tuple[str, str], list[RatingDecision]]]:
        return [(("Công nhận mới", "Newly recognised"), self.new),
                (("Đánh giá lại", "Re-rated"), self.rerated),
                (("Hết hiệu lực", "Expired"), self.expired),
                (("Bị thu hồi", "Revoked"), self.revoked)]


def _decisions(query) -> list[RatingDecision]:
    return list(db.session.scalars(query.options(
        selectinload(RatingDecision.product).selectinload(Product.producer),
        selectinload(RatingDecision.criteria_set))))


def build(start: date, end: date) -> ProvinceReport:
    from sqlalchemy.orm import aliased

    newer = aliased(RatingDecision)
    in_force = _decisions(current_valid_decisions(end).order_by(RatingDecision.id))
    decided = _decisions(sa.select(RatingDecision).where(
        RatingDecision.decided_on.between(start, end)).order_by(RatingDecision.decided_on))
    report = ProvinceReport(
        start=start, end=end, in_force=in_force,
        new=[d for d in decided if d.supersedes_id is None],
        rerated=[d for d in decided if d.supersedes_id is not None],
        expired=_decisions(sa.select(RatingDecision).where(
            RatingDecision.valid_until >= start, RatingDecision.valid_until < end,
            sa.or_(RatingDecision.revoked_on.is_(None),
                   RatingDecision.revoked_on > RatingDecision.valid_until),
            # replaced in time by a re-rating: no loss of stars
            ~sa.exists().where(newer.product_id == RatingDecision.product_id,
                               newer.decided_on > RatingDecision.decided_on,
                               newer.decided_on <= RatingDecision.valid_until))
            .order_by(RatingDecision.valid_until)),
        revoked=_decisions(sa.select(RatingDecision).where(
            RatingDecision.revoked_on.between(start, end))
            .order_by(RatingDecision.revoked_on)))
    stars = Counter(d.stars for d in in_force)
    sets = Counter(set_label(d) for d in in_force)
    kinds = Counter(PRODUCER_KIND_LABELS[d.product.producer.kind][0] for d in in_force)
    communes = Counter((d.product.producer.commune.address_line
                        if d.product.producer.commune else "(chưa ghi)",
                        name_today(d.product.producer.commune)) for d in in_force)
    report.sections = [
        Section("stars", ("Theo hạng sao", "By stars"),
                [(f"{s} sao", stars[s]) for s in sorted(stars)]),
        Section("product_set", ("Theo bộ sản phẩm", "By product set"), sorted(sets.items())),
        Section("producer_kind", ("Theo loại chủ thể", "By kind of producer"),
                sorted(kinds.items())),
        Section("commune", ("Theo xã, phường (tên khi ghi nhận và tên hiện nay)",
                            "By commune (name as recorded and as it is today)"),
                [(rec, now, n) for (rec, now), n in sorted(communes.items())]),
    ]
    return report


# ----------------------------------------------------------------------------- files

def table_rows(report: ProvinceReport) -> list[list]:
    """The report as rows of cells (numbers as numbers): the CSV and XLSX both."""
    rows: list[list] = [
        ["Báo cáo sản phẩm OCOP", f"{report.start:%d/%m/%Y} – {report.end:%d/%m/%Y}"],
        ["Sản phẩm còn hiệu lực cuối kỳ", len(report.in_force)],
        [],
    ]
    for section in report.sections:
        if section.key == "commune":
            rows.append([section.title[0], "Tên hiện nay", "Số sản phẩm"])
        else:
            rows.append([section.title[0], "Số sản phẩm"])
        rows.extend(list(r) for r in section.rows)
        rows.append([])
    rows.append(["Thay đổi trong kỳ", "Số quyết định"])
    rows.extend([label[0], len(items)] for label, items in report.changes)
    rows.append([])
    rows.append(["Quyết định trong kỳ", "Sản phẩm", "Chủ thể", "Hạng sao", "Điểm",
                 "Ngày quyết định", "Hiệu lực đến", "Bộ sản phẩm", "Thay đổi"])
    for (kind, _en), items in report.changes:
        for d in items:
            rows.append([d.decision_number, d.product.name_vi, d.product.producer.name,
                         d.stars, d.points, d.decided_on, d.valid_until, set_label(d), kind])
    return rows


def csv_text(report: ProvinceReport, *, excel_vi: bool) -> str:
    """CSV; with ``excel_vi`` as Excel set to Vietnamese reads it: semicolons between
    cells, commas in decimals, dates as dd/mm/yyyy."""
    import csv
    from decimal import Decimal

    from ..exports import safe_cell

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if excel_vi else ",")
    for row in table_rows(report):
        out = []
        for cell in map(safe_cell, row):  # names can never become formulas
            if isinstance(cell, Decimal):
                text = f"{cell:.2f}"
                out.append(text.replace(".", ",") if excel_vi else text)
            elif isinstance(cell, date):
                out.append(cell.strftime("%d/%m/%Y") if excel_vi else cell.isoformat())
            elif cell is None:
                out.append("")
            else:
                out.append(cell)
        writer.writerow(out)
    return "\ufeff" + buf.getvalue()


def xlsx_bytes(report: ProvinceReport) -> bytes:
    """The same rows in an Excel workbook (openpyxl): numbers as numbers, dates as dates."""
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"OCOP {report.start.year}"
    from ..exports import safe_cell

    for row in table_rows(report):
        # a text cell starting with "=" is text in the file, but stays harmless if the
        # sheet is saved again as CSV
        sheet.append([float(c) if isinstance(c, Decimal) else safe_cell(c) for c in row])
        if row and isinstance(row[0], str) and len(row) >= 2 and all(
                isinstance(c, str) for c in row):
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(cell.value, float):
                cell.number_format = "0.00"
    for column, width in zip("ABCDEFGHI", (46, 34, 30, 10, 10, 14, 14, 40, 16)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
