"""OCOP product groups (Decision 148/QĐ-TTg, 2023)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    code: int
    name_vi: str
    name_en: str


GROUPS: dict[int, Group] = {
    g.code: g
    for g in (
        Group(1, "Thực phẩm", "Food"),
        Group(2, "Đồ uống", "Beverages"),
        Group(3, "Dược liệu và sản phẩm từ dược liệu", "Herbal materials and products"),
        Group(4, "Hàng thủ công mỹ nghệ", "Handicrafts"),
        Group(5, "Sinh vật cảnh", "Ornamental plants and animals"),
        Group(6, "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
              "Community and eco-tourism services"),
    )
}
