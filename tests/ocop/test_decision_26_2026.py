"""Decision 26/2026/QĐ-TTg as data: 26 product sets in 6 sectors, parts 40/25/35, the same
star bands, in force from 22 May 2026, cited with its annexes."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from registry.ocop.criteria import (
    CRITERIA_SETS,
    MIN_RECOGNISED_STARS,
    CouncilLevel,
    Part,
    check_definition,
    criteria_set,
    set_in_force,
)
from registry.ocop.groups import GROUPS
from registry.ocop.product_sets import PRODUCT_SETS, product_set

SET = criteria_set("26/2026/QĐ-TTg", "2026")


def test_the_set_has_the_decisions_part_maxima_and_adds_up():
    assert SET.part_max == {Part.A: Decimal(40), Part.B: Decimal(25), Part.C: Decimal(35)}
    check_definition(SET)
    assert MIN_RECOGNISED_STARS == 3
    assert SET.award_level == {3: CouncilLevel.PROVINCE, 4: CouncilLevel.PROVINCE,
                               5: CouncilLevel.NATIONAL}


def test_the_star_bands_are_the_sets_data_with_the_same_cut_points():
    assert SET.star_bands == ((5, Decimal(90)), (4, Decimal(70)), (3, Decimal(50)),
                              (2, Decimal(30)), (1, Decimal(0)))
    assert [SET.stars_for(p) for p in ("49.99", "50", "69.5", "70", "89.99", "90")] == [
        2, 3, 3, 4, 4, 5]


def test_it_is_in_force_from_22_may_2026_and_earlier_dossiers_keep_theirs():
    assert SET.effective_from == date(2026, 5, 22)
    assert set_in_force(date(2026, 5, 22)) is SET
    assert set_in_force(date(2026, 5, 21)).key == "148/QĐ-TTg@1489/QĐ-TTg (2025)"
    assert set_in_force(date(2024, 1, 1)).key == "148/QĐ-TTg@2023"
    assert set_in_force(date(2020, 3, 10)).key == "1048/QĐ-TTg@781/QĐ-TTg (2020)"
    assert [cs.effective_from for cs in CRITERIA_SETS] == sorted(
        cs.effective_from for cs in CRITERIA_SETS)


def test_annex_i_has_26_product_sets_in_6_sectors_each_tied_to_a_group():
    assert [s.number for s in PRODUCT_SETS] == list(range(1, 27))
    assert len({s.sector_vi for s in PRODUCT_SETS}) == 6
    assert {s.group_code for s in PRODUCT_SETS} == set(GROUPS)
    for s in PRODUCT_SETS:
        assert GROUPS[s.group_code].name_vi == s.sector_vi, s
    first = product_set(1)
    assert (first.name_vi, first.sector_vi, first.group_vi) == (
        "Rau, củ, quả, hạt tươi", "Thực phẩm", "Thực phẩm tươi sống")
    assert product_set(26).sector_vi.startswith("Dịch vụ du lịch cộng đồng")
    assert SET.product_sets == PRODUCT_SETS


def test_the_data_cites_the_decision_and_its_annexes():
    assert "Quyết định 26/2026/QĐ-TTg ngày 22/5/2026" in SET.citation
    assert "Phụ lục I" in SET.citation and "Phụ lục II" in SET.citation
    for cs in CRITERIA_SETS:
        assert cs.citation, cs.key
