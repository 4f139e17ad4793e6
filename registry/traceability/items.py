"""The ten data items of Circular 02/2024/TT-BKHCN for a traced product, as pure rules
(no Flask, no database): which a batch holds, which are missing, which do not apply.

(1) name; (2) images; (3) producer or trader name; (4) address; (5) the production and
business stages, each with a product tracing code, a location tracing code and an event
time; (6) event times; (7) the traceability code; (8) brand or trademark, symbol code and
serial, where there is one; (9) shelf life, where there is one; (10) the standards and
regulations applied.

An item "where there is one" (8, 9) that the batch does not have is ``not_applicable``,
never ``missing``: the circular asks for it only when it exists. A missing item is said
plainly, so a producer can add it before labels are ordered; it never blocks an order.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class State(enum.Enum):
    HELD = "held"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"


#: number -> (key, Vietnamese title, English title)
ITEMS = {
    1: ("name", "Tên sản phẩm", "Product name"),
    2: ("images", "Hình ảnh sản phẩm", "Product images"),
    3: ("producer", "Tên cơ sở sản xuất, kinh doanh", "Producer or trader"),
    4: ("address", "Địa chỉ", "Address"),
    5: ("stages", "Các công đoạn sản xuất, kinh doanh (mã truy vết sản phẩm, mã truy vết "
        "địa điểm, thời gian)", "Production and business stages (product tracing code, "
        "location tracing code, time)"),
    6: ("event_times", "Thời gian diễn ra sự kiện", "Event times"),
    7: ("trace_code", "Mã truy vết", "Traceability code"),
    8: ("brand", "Nhãn hiệu, mã ký hiệu, số sê-ri (nếu có)",
        "Brand or trademark, symbol code, serial (where there is one)"),
    9: ("shelf_life", "Hạn sử dụng (nếu có)", "Shelf life (where there is one)"),
    10: ("standards", "Tiêu chuẩn, quy chuẩn áp dụng", "Standards and regulations applied"),
}


@dataclass(frozen=True)
class Stage:
    step: str
    time: datetime | None
    product_code: str | None
    location_code: str | None
    location: str | None = None


@dataclass(frozen=True)
class BatchFacts:
    product_name: str
    images: tuple[str, ...]
    producer_name: str
    address: str | None
    stages: tuple[Stage, ...]
    trace_code: str | None
    trademark: str | None
    symbol_code: str | None  # the GTIN
    serials: tuple[str, str] | None  # first and last serial issued
    expiry_date: date | None
    standards: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    number: int
    key: str
    title_vi: str
    title_en: str
    state: State
    value: object = None
    #: What is missing, for a stage-by-stage item (Vietnamese, shown to the producer).
    gaps: tuple[str, ...] = field(default_factory=tuple)


def _item(number: int, state: State, value: object = None, gaps=()) -> Item:
    key, vi, en = ITEMS[number]
    return Item(number, key, vi, en, state, value, tuple(gaps))


def _held(number: int, value: object) -> Item:
    return _item(number, State.HELD if value else State.MISSING, value or None)


def _stages(stages: tuple[Stage, ...]) -> Item:
    if not stages:
        return _item(5, State.MISSING, gaps=("Chưa ghi công đoạn nào.",))
    gaps = []
    for i, s in enumerate(stages, 1):
        lacks = [name for name, value in (("mã truy vết sản phẩm", s.product_code),
                                          ("mã truy vết địa điểm", s.location_code),
                                          ("thời gian", s.time)) if not value]
        if lacks:
            gaps.append(f"Công đoạn {i} ({s.step}) thiếu {', '.join(lacks)}.")
    value = [{"step": s.step, "time": s.time, "product_code": s.product_code,
              "location_code": s.location_code, "location": s.location} for s in stages]
    return _item(5, State.MISSING if gaps else State.HELD, value, gaps)


def items(facts: BatchFacts) -> list[Item]:
    """The ten items, in the circular's order."""
    brand = {k: v for k, v in (("trademark", facts.trademark),
                               ("symbol_code", facts.symbol_code),
                               ("serials", list(facts.serials) if facts.serials else None))
             if v}
    times = [s.time for s in facts.stages]
    return [
        _held(1, facts.product_name),
        _held(2, list(facts.images)),
        _held(3, facts.producer_name),
        _held(4, facts.address),
        _stages(facts.stages),
        _item(6, State.HELD if times and all(times) else State.MISSING, times or None),
        _held(7, facts.trace_code),
        _item(8, State.HELD if brand else State.NOT_APPLICABLE, brand or None),
        _item(9, State.HELD if facts.expiry_date else State.NOT_APPLICABLE,
              facts.expiry_date),
        _held(10, list(facts.standards)),
    ]


def missing(found: list[Item]) -> list[Item]:
    return [i for i in found if i.state is State.MISSING]
