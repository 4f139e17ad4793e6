"""Administrative units as they were recorded.

Units merge and are abolished (Sóc Trăng province became part of Cần Thơ city in 2025
and districts were abolished). A unit row is never renamed or deleted: records point at
the unit in force when they were made, and a reorganisation adds new rows with
``abolished_on`` / ``successor`` set on the old ones.
"""
from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_type


class UnitLevel(enum.Enum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class AdminUnit(Base):
    __tablename__ = "admin_units"
    __table_args__ = (
        sa.UniqueConstraint("parent_id", "level", "name", "abolished_on"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[UnitLevel] = mapped_column(enum_type(UnitLevel))
    #: Official kind as written in Vietnamese: "tỉnh", "thành phố", "huyện", "xã", "thị trấn".
    kind: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.String(120))
    #: Statistics office code, when known.
    code: Mapped[str | None] = mapped_column(sa.String(10))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_units.id", ondelete="RESTRICT"), index=True
    )
    abolished_on: Mapped[date | None]
    successor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_units.id", ondelete="RESTRICT")
    )

    parent: Mapped[AdminUnit | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="joined", join_depth=3
    )
    successor: Mapped[AdminUnit | None] = relationship(
        remote_side=[id], foreign_keys=[successor_id]
    )

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"

    def chain(self) -> list[AdminUnit]:
        """This unit and its parents, innermost first."""
        out: list[AdminUnit] = []
        unit: AdminUnit | None = self
        while unit is not None:
            out.append(unit)
            unit = unit.parent
        return out

    @property
    def address_line(self) -> str:
        """'xã Trinh Phú, huyện Kế Sách, tỉnh Sóc Trăng' as the unit was recorded."""
        return ", ".join(u.full_name for u in self.chain())

    def unit_at(self, level: UnitLevel) -> AdminUnit | None:
        return next((u for u in self.chain() if u.level == level), None)

    def __repr__(self) -> str:
        return f"<AdminUnit {self.full_name}>"
