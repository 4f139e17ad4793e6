"""OCOP criteria sets as data: part maxima, criteria, mandatory criteria, award levels.

An application keeps the criteria set (code and version) it was scored under, so a
product rated under Decision 1048 in 2020 still reads as such after 148 replaced it.

The per-criterion lines below condense each set's score sheet into a few criteria per
part with the official part maxima; the full question banks (one per product group)
can be added as further versions without code changes.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .product_sets import CITATION as CITATION_26_2026
from .product_sets import PRODUCT_SETS, ProductSet
from .rules import STAR_BANDS, stars_for_points


class CouncilLevel(enum.Enum):
    COMMUNE = "commune"
    DISTRICT = "district"
    PROVINCE = "province"
    NATIONAL = "national"


#: Lowest first: a commune proposes to a province, a province to the national council.
LEVEL_ORDER = (CouncilLevel.COMMUNE, CouncilLevel.DISTRICT, CouncilLevel.PROVINCE,
               CouncilLevel.NATIONAL)


def prescreen_level(proposing: CouncilLevel, award: CouncilLevel) -> CouncilLevel | None:
    """The level that checks a dossier and proposes it to the awarding council, when it
    is below that council: the commune People's Committee under 1489/2025, the district
    for 4★ under 148/2023. None when the proposing level awards the stars itself (the
    district's 3★ under 148/2023)."""
    if LEVEL_ORDER.index(proposing) < LEVEL_ORDER.index(award):
        return proposing
    return None


COUNCIL_LEVEL_LABELS = {
    CouncilLevel.COMMUNE: ("cấp xã", "commune"),
    CouncilLevel.DISTRICT: ("cấp huyện", "district"),
    CouncilLevel.PROVINCE: ("cấp tỉnh", "province"),
    CouncilLevel.NATIONAL: ("cấp trung ương", "national"),
}


class Part(enum.Enum):
    A = "A"  # product and community strength
    B = "B"  # marketing capability
    C = "C"  # product quality


PART_LABELS = {
    Part.A: ("Sản phẩm và sức mạnh cộng đồng", "Product and community strength"),
    Part.B: ("Khả năng tiếp thị", "Marketing capability"),
    Part.C: ("Chất lượng sản phẩm", "Product quality"),
}


@dataclass(frozen=True)
class CriterionDef:
    code: str
    part: Part
    title_vi: str
    title_en: str
    max_points: Decimal
    #: Lowest star level for which this criterion must be met (None: never mandatory).
    mandatory_from_stars: int | None = None


@dataclass(frozen=True)
class CriteriaSetDef:
    code: str
    version: str
    name_vi: str
    part_max: dict[Part, Decimal]
    #: Which council level awards each star level (3★ and up are recognised).
    award_level: dict[int, CouncilLevel]
    #: Level that scores and proposes (pre-screens) applications.
    proposing_level: CouncilLevel
    criteria: tuple[CriterionDef, ...] = field(default=())
    #: First day dossiers are scored under this set.
    effective_from: date = date(2019, 8, 7)
    #: The decision (and annex) the set's data comes from.
    citation: str = ""
    #: Product sets a dossier chooses from (Decision 26/2026, Annex I); empty before it.
    product_sets: tuple[ProductSet, ...] = ()
    #: (stars, lowest points), highest first: every set so far keeps the same cut points.
    star_bands: tuple[tuple[int, Decimal], ...] = STAR_BANDS

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def product_set(self, number: int | None) -> ProductSet | None:
        return next((s for s in self.product_sets if s.number == number), None)

    def stars_for(self, points) -> int:
        """The star band of a total under this set's cut points."""
        return stars_for_points(points, self.star_bands)


def _c(code: str, part: str, vi: str, en: str, pts: int, mandatory: int | None = None):
    return CriterionDef(code, Part(part), vi, en, Decimal(pts), mandatory)


# Mandatory criteria introduced by 781/2020: from 3★ a published product standard and
# traceability; higher levels add quality-management and export-readiness criteria.
_CRITERIA_1048 = (
    _c("A1", "A", "Nguồn nguyên liệu", "Source of raw materials", 5, 3),
    _c("A2", "A", "Gia tăng giá trị tại địa phương", "Local value added", 5),
    _c("A3", "A", "Công suất và tổ chức sản xuất", "Capacity and production organisation", 10),
    _c("A4", "A", "Liên kết sản xuất", "Production linkages", 5),
    _c("A5", "A", "Tổ chức, quản lý và phát triển kinh doanh", "Business organisation", 10),
    _c("B1", "B", "Tiếp thị và quảng bá", "Marketing and promotion", 10),
    _c("B2", "B", "Câu chuyện sản phẩm", "Product story", 5),
    _c("B3", "B", "Bao bì, nhãn và mã truy xuất", "Packaging, label and trace code", 10, 3),
    _c("C1", "C", "Tiêu chuẩn sản phẩm đã công bố", "Published product standard", 10, 3),
    _c("C2", "C", "Chất lượng cảm quan và dinh dưỡng", "Sensory and nutritional quality", 15),
    _c("C3", "C", "An toàn thực phẩm", "Food safety", 10, 3),
    _c("C4", "C", "Quản lý chất lượng (VietGAP, HACCP, ISO…)", "Quality management", 5, 4),
)

_CRITERIA_148 = (
    _c("A1", "A", "Nguồn nguyên liệu và sử dụng lao động địa phương",
       "Raw materials and local labour", 8, 3),
    _c("A2", "A", "Gia tăng giá trị và liên kết chuỗi", "Value added and chain linkages", 10),
    _c("A3", "A", "Tổ chức sản xuất và quản lý", "Production organisation and management", 12),
    _c("A4", "A", "Sự tham gia của phụ nữ, đồng bào dân tộc thiểu số",
       "Participation of women and ethnic minorities", 5),
    _c("A5", "A", "Bảo vệ môi trường", "Environmental protection", 5, 3),
    _c("B1", "B", "Tiếp thị, quảng bá và kênh phân phối", "Marketing and distribution", 12),
    _c("B2", "B", "Câu chuyện sản phẩm", "Product story", 5),
    _c("B3", "B", "Bao bì, nhãn hàng hoá và truy xuất nguồn gốc",
       "Packaging, labelling and traceability", 8, 3),
    _c("C1", "C", "Tiêu chuẩn sản phẩm đã công bố", "Published product standard", 10, 3),
    _c("C2", "C", "Chất lượng cảm quan và dinh dưỡng", "Sensory and nutritional quality", 10),
    _c("C3", "C", "An toàn thực phẩm", "Food safety", 10, 3),
    _c("C4", "C", "Hệ thống quản lý chất lượng", "Quality management system", 5, 4),
)

CRITERIA_SETS: tuple[CriteriaSetDef, ...] = (
    CriteriaSetDef(
        code="1048/QĐ-TTg", version="781/QĐ-TTg (2020)",
        name_vi="Bộ tiêu chí OCOP theo Quyết định 1048/QĐ-TTg, sửa đổi bởi 781/QĐ-TTg",
        part_max={Part.A: Decimal(35), Part.B: Decimal(25), Part.C: Decimal(40)},
        award_level={3: CouncilLevel.PROVINCE, 4: CouncilLevel.PROVINCE,
                     5: CouncilLevel.NATIONAL},
        proposing_level=CouncilLevel.DISTRICT,
        criteria=_CRITERIA_1048,
        effective_from=date(2019, 8, 7),
        citation="Quyết định 1048/QĐ-TTg ngày 21/8/2019, sửa đổi bởi Quyết định "
                 "781/QĐ-TTg ngày 08/6/2020",
    ),
    CriteriaSetDef(
        code="148/QĐ-TTg", version="2023",
        name_vi="Bộ tiêu chí OCOP theo Quyết định 148/QĐ-TTg (2023)",
        part_max={Part.A: Decimal(40), Part.B: Decimal(25), Part.C: Decimal(35)},
        award_level={3: CouncilLevel.DISTRICT, 4: CouncilLevel.PROVINCE,
                     5: CouncilLevel.NATIONAL},
        proposing_level=CouncilLevel.DISTRICT,
        criteria=_CRITERIA_148,
        effective_from=date(2023, 2, 24),
        citation="Quyết định 148/QĐ-TTg ngày 24/02/2023",
    ),
    CriteriaSetDef(
        code="148/QĐ-TTg", version="1489/QĐ-TTg (2025)",
        name_vi="Bộ tiêu chí OCOP theo Quyết định 148/QĐ-TTg, sửa đổi bởi 1489/QĐ-TTg",
        part_max={Part.A: Decimal(40), Part.B: Decimal(25), Part.C: Decimal(35)},
        award_level={3: CouncilLevel.PROVINCE, 4: CouncilLevel.PROVINCE,
                     5: CouncilLevel.NATIONAL},
        proposing_level=CouncilLevel.COMMUNE,
        criteria=_CRITERIA_148,
        effective_from=date(2025, 7, 1),
        citation="Quyết định 148/QĐ-TTg, sửa đổi bởi Quyết định 1489/QĐ-TTg (2025)",
    ),
    # Decision 26/2026 keeps parts A/B/C at 40/25/35, the star bands, recognition from 3★
    # only (Art. 4.1, 4.3) and, as far as was confirmed, the 1489/2025 route (the commune
    # checks and proposes, the province awards 3★ and 4★, the national council 5★).
    CriteriaSetDef(
        code="26/2026/QĐ-TTg", version="2026",
        name_vi="Bộ tiêu chí và quy trình đánh giá, phân hạng sản phẩm OCOP theo Quyết định "
                "26/2026/QĐ-TTg",
        part_max={Part.A: Decimal(40), Part.B: Decimal(25), Part.C: Decimal(35)},
        award_level={3: CouncilLevel.PROVINCE, 4: CouncilLevel.PROVINCE,
                     5: CouncilLevel.NATIONAL},
        proposing_level=CouncilLevel.COMMUNE,
        criteria=_CRITERIA_148,
        effective_from=date(2026, 5, 22),
        citation=CITATION_26_2026,
        product_sets=PRODUCT_SETS,
    ),
)

#: Said wherever the condensed criteria lines are shown in place of the official sheets.
CONDENSED_NOTE = (
    "Các dòng tiêu chí trong sổ đăng ký là bản rút gọn theo từng phần A, B, C với điểm tối "
    "đa chính thức; chúng không thay thế phiếu đánh giá chính thức của bộ sản phẩm "
    "(Phụ lục II) mà hội đồng dùng khi chấm.",
    "The registry's criteria lines condense each part A, B, C with its official maximum; "
    "they do not replace the official score sheet of the product set (Annex II) that the "
    "council scores with.")


def set_in_force(on: date) -> CriteriaSetDef:
    """The criteria set a dossier submitted on ``on`` is scored under."""
    in_force = [cs for cs in CRITERIA_SETS if cs.effective_from <= on]
    return max(in_force, key=lambda cs: cs.effective_from)

#: Lowest star level that a decision recognises as an OCOP product.
MIN_RECOGNISED_STARS = 3


def criteria_set(code: str, version: str) -> CriteriaSetDef:
    for cs in CRITERIA_SETS:
        if cs.code == code and cs.version == version:
            return cs
    raise KeyError(f"{code}@{version}")


def check_definition(cs: CriteriaSetDef) -> None:
    """Raise ValueError when a set's criteria do not add up to its part maxima."""
    for part, maximum in cs.part_max.items():
        total = sum((c.max_points for c in cs.criteria if c.part == part), Decimal(0))
        if total != maximum:
            raise ValueError(f"{cs.key}: part {part.value} adds to {total}, not {maximum}")
    if sum(cs.part_max.values()) != 100:
        raise ValueError(f"{cs.key}: parts must add to 100")
