"""The periodic report for the province: on the page, as CSV and as XLSX, with the same
numbers in all three."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from registry.demo.data import DEMO_PASSWORD
from registry.extensions import db
from registry.models import Product, RatingDecision
from registry.ocop.rules import DecisionStatus

from .. import factories


@pytest.fixture
def office(client, auth, demo):
    # a decision of 2026 under Decision 26/2026, in product set 1
    product = db.session.scalar(db.select(Product).filter_by(name_vi="Bưởi da xanh Kế Thành"))
    from registry.ratings.decisions import record_decision
    from registry.ratings.operations import current_criteria_set

    record_decision(product=product, criteria_set=current_criteria_set(date(2026, 11, 20)),
                    stars=3, points=__import__("decimal").Decimal("64.25"),
                    issuing_body="UBND thành phố Cần Thơ", issuing_level=__import__(
                        "registry.ocop.criteria", fromlist=["x"]).CouncilLevel.PROVINCE,
                    decision_number="DEMO-2026/QĐ-UBND", decided_on=date(2026, 11, 20),
                    actor_label="test", product_set=1)
    db.session.commit()
    auth.login("hoidong.tinh", DEMO_PASSWORD)
    return client


def _page_numbers(html: str) -> dict[str, list]:
    counts = [int(n) for n in re.findall(r'<td class="num" data-count>(\d+)</td>', html)]
    changes = [int(n) for n in re.findall(r'<td class="num" data-change>(\d+)</td>', html)]
    return {"counts": counts, "changes": changes}


def _sheet_numbers(rows: list[tuple]) -> dict[str, list]:
    counts, changes, section = [], [], None
    for row in rows:
        cells = [c for c in row if c is not None]
        if not cells:
            section = None
            continue
        if all(isinstance(c, str) for c in cells) and len(cells) >= 2:
            section = {"Thay đổi trong kỳ": "changes", "Quyết định trong kỳ": "decisions",
                       "Báo cáo sản phẩm OCOP": "head"}.get(cells[0], "counts")
            continue
        if section == "counts":
            counts.append(cells[-1])
        elif section == "changes":
            changes.append(cells[-1])
    return {"counts": counts, "changes": changes}


def test_the_2026_report_downloads_as_xlsx_with_the_pages_numbers(office):
    html = office.get("/office/report?year=2026").get_data(as_text=True)
    assert "Báo cáo sản phẩm OCOP 01/01/2026 – 31/12/2026" in html
    page = _page_numbers(html)
    response = office.get("/office/report.xlsx?year=2026")
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book.active.iter_rows(values_only=True))
    sheet = _sheet_numbers(rows)
    assert sheet == page and page["counts"] and len(page["changes"]) == 4
    total = [r for r in rows if r and r[0] == "Sản phẩm còn hiệu lực cuối kỳ"][0][1]
    assert f"Sản phẩm còn hiệu lực ngày 31/12/2026: {total}</h2>" in html
    assert all(isinstance(n, int) for n in sheet["counts"] + sheet["changes"])
    # numbers as numbers, dates as dates in the decision list
    decided = [r for r in rows if r and r[0] == "DEMO-2026/QĐ-UBND"]
    assert decided and decided[0][3] == 3 and decided[0][4] == 64.25
    assert isinstance(decided[0][5], __import__("datetime").datetime)


def test_the_reports_numbers_match_the_decisions(office):
    """An independent count: each product's decision in force on 31/12/2026."""
    end = date(2026, 12, 31)
    in_force = [p.current_decision(end) for p in db.session.scalars(db.select(Product))]
    valid = [d for d in in_force if d is not None and d.status(end) is DecisionStatus.VALID]
    html = office.get("/office/report?year=2026").get_data(as_text=True)
    assert f"Sản phẩm còn hiệu lực ngày 31/12/2026: {len(valid)}" in html
    stars = {}
    for d in valid:
        stars[d.stars] = stars.get(d.stars, 0) + 1
    for n, count in stars.items():
        assert f"<td>{n} sao</td><td class=\"num\" data-count>{count}</td>" in html
    revoked = db.session.scalar(db.select(db.func.count(RatingDecision.id)).where(
        RatingDecision.revoked_on.between(date(2026, 1, 1), end)))
    new = db.session.scalar(db.select(db.func.count(RatingDecision.id)).where(
        RatingDecision.decided_on.between(date(2026, 1, 1), end),
        RatingDecision.supersedes_id.is_(None)))
    numbers = _page_numbers(html)["changes"]
    assert numbers[0] == new == 1 and numbers[3] == revoked
    # places as recorded and as they are today after the 2025 merger
    assert "xã Kế Thành, huyện Kế Sách, tỉnh Sóc Trăng" in html
    assert "xã Kế Thành, thành phố Cần Thơ" in html
    assert "1. Rau, củ, quả, hạt tươi (Thực phẩm)" in html


def test_csv_for_vietnamese_excel_uses_semicolons_and_decimal_commas(office):
    text = office.get("/office/report.csv?year=2026&excel=vi").get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    decided = [r for r in rows if r and r[0] == "DEMO-2026/QĐ-UBND"][0]
    assert decided[4] == "64,25" and decided[5] == "20/11/2026"
    plain = office.get("/office/report.csv?year=2026").get_data(as_text=True)
    decided = [r for r in csv.reader(io.StringIO(plain[1:])) if r and r[0] ==
               "DEMO-2026/QĐ-UBND"][0]
    assert decided[4] == "64.25" and decided[5] == "2026-11-20"


@pytest.mark.parametrize("query", ["year=abc", "start=2026-02-30&end=2026-03-01",
                                   "start=2026-05-01&end=2026-01-01", "year=99999"])
def test_a_bad_period_is_a_400_with_a_message(office, query):
    for url in (f"/office/report?{query}", f"/office/report.xlsx?{query}"):
        response = office.get(url)
        assert response.status_code == 400, url
        assert "Kỳ báo cáo không hợp lệ" in response.get_data(as_text=True)


def test_producers_cannot_read_the_report(client, auth, producer_user):
    auth.login("member.a")
    for url in ("/office/report", "/office/report.xlsx", "/office/report.csv"):
        assert client.get(url).status_code == 403


def test_chart_labels_are_never_cut():
    from registry.ratings.charts import Bar, bar_chart

    long = ("8. Chế biến từ thịt, thủy sản, trứng, sữa, mật ong, mật khác và nông sản "
            "thực phẩm khác (Thực phẩm)")
    svg = bar_chart([Bar("Dược liệu và sản phẩm từ dược liệu", 2), Bar(long, 1)], title="t")
    words = re.sub(r"<[^>]+>", " ", svg).split()
    assert " ".join(words).count("Dược liệu và sản phẩm từ dược liệu") == 1
    for word in long.split():
        assert word in words


def test_the_dashboard_names_groups_whole(client, auth, demo):
    auth.login("hoidong.tinh", DEMO_PASSWORD)
    html = client.get("/office/").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Dược liệu và sản phẩm từ dược liệu" in text
    factories  # noqa: B018 - shared helpers imported for fixtures


def test_a_name_that_looks_like_a_formula_stays_text_in_every_export(client, auth, producer,
                                                                      reviewer_user):
    evil = '=HYPERLINK("http://evil.example","Bấm")'
    product = factories.make_product(producer, name_vi=evil)
    factories.make_decision(product, date(2026, 2, 1), number="+1/QĐ")
    auth.login("reviewer")
    for url in ("/office/report.csv?year=2026", "/office/report.csv?year=2026&excel=vi",
                "/office/decisions.csv"):
        text = client.get(url).get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";" if "excel" in url
                               else ","))
        cells = [c for r in rows for c in r]
        assert "'" + evil in cells and evil not in cells, url
        assert "'+1/QĐ" in cells, url
    book = load_workbook(io.BytesIO(client.get("/office/report.xlsx?year=2026").data))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "'" + evil in values
    assert not any(c.data_type == "f" for row in book.active.iter_rows() for c in row)
