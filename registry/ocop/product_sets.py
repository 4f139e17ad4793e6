"""The 26 product sets of Decision 26/2026/QĐ-TTg (Annex I), each with its sector and group.

Source: Quyết định 26/2026/QĐ-TTg ngày 22/5/2026 của Thủ tướng Chính phủ ban hành Bộ tiêu
chí và quy trình đánh giá, phân hạng sản phẩm OCOP, Phụ lục I (phân loại sản phẩm: 6 ngành,
26 bộ sản phẩm) and Phụ lục II (one criteria sheet per product set). Numbers and names
follow Annex I as public implementations of the decision quote it; the English names are
the registry's own translations. Each sector corresponds to one of the six product groups
of Decision 148/QĐ-TTg (``registry.ocop.groups``), which the registry's reports use to
compare products rated under either decision.
"""
from __future__ import annotations

from dataclasses import dataclass

CITATION = ("Quyết định 26/2026/QĐ-TTg ngày 22/5/2026 của Thủ tướng Chính phủ, "
            "Phụ lục I (phân loại sản phẩm) và Phụ lục II (bộ tiêu chí theo bộ sản phẩm)")


@dataclass(frozen=True)
class ProductSet:
    number: int
    name_vi: str
    name_en: str
    #: Ngành (sector) and nhóm (group) of Annex I.
    sector_vi: str
    group_vi: str
    #: The Decision 148 product group this sector corresponds to (1 to 6).
    group_code: int

    @property
    def label_vi(self) -> str:
        return f"{self.number}. {self.name_vi}"

    @property
    def label_en(self) -> str:
        return f"{self.number}. {self.name_en}"


_FOOD, _DRINK, _HERB, _CRAFT, _LIVING, _TOUR = (
    "Thực phẩm", "Đồ uống", "Dược liệu và sản phẩm từ dược liệu", "Hàng thủ công mỹ nghệ",
    "Sinh vật cảnh", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch")

PRODUCT_SETS: tuple[ProductSet, ...] = (
    ProductSet(1, "Rau, củ, quả, hạt tươi", "Fresh vegetables, tubers, fruit and nuts",
               _FOOD, "Thực phẩm tươi sống", 1),
    ProductSet(2, "Thịt, thủy sản, trứng, sữa tươi", "Fresh meat, seafood, eggs and milk",
               _FOOD, "Thực phẩm tươi sống", 1),
    ProductSet(3, "Gạo, ngũ cốc, hạt sơ chế khác", "Rice, cereals and other prepared grains",
               _FOOD, "Thực phẩm thô, sơ chế", 1),
    ProductSet(4, "Mật ong, mật khác và nông sản thực phẩm khác",
               "Honey, other syrups and other farm food", _FOOD, "Thực phẩm thô, sơ chế", 1),
    ProductSet(5, "Đồ ăn nhanh", "Fast food", _FOOD, "Thực phẩm chế biến", 1),
    ProductSet(6, "Chế biến từ gạo, ngũ cốc", "Processed from rice and cereals",
               _FOOD, "Thực phẩm chế biến", 1),
    ProductSet(7, "Chế biến từ rau, củ, quả, hạt", "Processed from vegetables, fruit and nuts",
               _FOOD, "Thực phẩm chế biến", 1),
    ProductSet(8, "Chế biến từ thịt, thủy sản, trứng, sữa, mật ong, mật khác và nông sản "
                  "thực phẩm khác",
               "Processed from meat, seafood, eggs, milk, honey and other farm food",
               _FOOD, "Thực phẩm chế biến", 1),
    ProductSet(9, "Tương, nước mắm, gia vị dạng lỏng khác",
               "Sauces, fish sauce and other liquid condiments", _FOOD, "Gia vị", 1),
    ProductSet(10, "Gia vị khác (muối, hành, tỏi, tiêu)",
               "Other spices (salt, shallot, garlic, pepper)", _FOOD, "Gia vị", 1),
    ProductSet(11, "Chè tươi, chè chế biến", "Fresh and processed tea", _FOOD, "Chè", 1),
    ProductSet(12, "Sản phẩm trà từ thực vật khác", "Infusions from other plants",
               _FOOD, "Chè", 1),
    ProductSet(13, "Cà phê, ca cao", "Coffee and cocoa", _FOOD, "Cà phê, ca cao", 1),
    ProductSet(14, "Rượu trắng", "White spirits", _DRINK, "Đồ uống có cồn", 2),
    ProductSet(15, "Đồ uống có cồn khác", "Other alcoholic drinks", _DRINK,
               "Đồ uống có cồn", 2),
    ProductSet(16, "Nước khoáng thiên nhiên, nước uống đóng chai",
               "Natural mineral water and bottled water", _DRINK, "Đồ uống không cồn", 2),
    ProductSet(17, "Đồ uống không cồn khác", "Other non-alcoholic drinks", _DRINK,
               "Đồ uống không cồn", 2),
    ProductSet(18, "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền",
               "Functional foods, herbal and traditional medicines", _HERB, _HERB, 3),
    ProductSet(19, "Mỹ phẩm có thành phần từ dược liệu", "Cosmetics with herbal ingredients",
               _HERB, _HERB, 3),
    ProductSet(20, "Tinh dầu và dược liệu khác", "Essential oils and other herbal materials",
               _HERB, _HERB, 3),
    ProductSet(21, "Thủ công mỹ nghệ", "Handicrafts", _CRAFT, _CRAFT, 4),
    ProductSet(22, "Vải, may mặc", "Textiles and garments", _CRAFT, _CRAFT, 4),
    ProductSet(23, "Hoa", "Flowers", _LIVING, _LIVING, 5),
    ProductSet(24, "Cây cảnh", "Ornamental plants", _LIVING, _LIVING, 5),
    ProductSet(25, "Động vật cảnh", "Ornamental animals", _LIVING, _LIVING, 5),
    ProductSet(26, "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
               "Community tourism, eco-tourism and tourist sites", _TOUR, _TOUR, 6),
)

BY_NUMBER: dict[int, ProductSet] = {s.number: s for s in PRODUCT_SETS}


def product_set(number: int) -> ProductSet:
    return BY_NUMBER[number]
