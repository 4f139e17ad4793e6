"""The ten data items of Circular 02/2024/TT-BKHCN as pure rules (no app)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

from registry.traceability.items import BatchFacts, Stage, State, items, missing

WHEN = datetime(2026, 11, 20, 0, 30, tzinfo=timezone.utc)
CODE = "https://id.gs1.org/01/08939999000055/10/NR2611"
FULL = BatchFacts(
    product_name="Bưởi Năm Roi", images=("https://ocop.test/media/photos/a.jpg",),
    producer_name="HTX Bưởi Kế Thành", address="xã Kế Thành, huyện Kế Sách",
    stages=(Stage("Thu hoạch", WHEN, CODE, "https://ocop.test/voc/place/vn-31729"),),
    trace_code="https://ocop.test/01/08939999000055/10/NR2611", trademark=None,
    symbol_code="08939999000055", serials=("2222-NJZD-JBCA", "223H-4KXD-PQZM"),
    expiry_date=date(2026, 12, 31), standards=("VietGAP VG-1 (Cục Trồng trọt)",))


def _states(facts) -> dict[int, State]:
    return {i.number: i.state for i in items(facts)}


def test_a_complete_batch_holds_all_ten_items_in_order():
    found = items(FULL)
    assert [i.number for i in found] == list(range(1, 11))
    assert all(i.state is State.HELD for i in found) and missing(found) == []
    assert found[7].value == {"symbol_code": "08939999000055",
                              "serials": ["2222-NJZD-JBCA", "223H-4KXD-PQZM"]}


def test_what_is_missing_is_missing_and_what_may_be_absent_does_not_apply():
    bare = replace(FULL, images=(), address=None, stages=(), standards=(), symbol_code=None,
                   serials=None, expiry_date=None)
    assert _states(bare) == {1: State.HELD, 2: State.MISSING, 3: State.HELD,
                             4: State.MISSING, 5: State.MISSING, 6: State.MISSING,
                             7: State.HELD, 8: State.NOT_APPLICABLE,
                             9: State.NOT_APPLICABLE, 10: State.MISSING}
    assert [i.number for i in missing(items(bare))] == [2, 4, 5, 6, 10]
    assert items(bare)[4].gaps == ("Chưa ghi công đoạn nào.",)


def test_a_stage_without_a_location_code_is_named():
    stages = (FULL.stages[0], Stage("Đóng gói", WHEN, CODE, None, "Nhà sơ chế"))
    stage_item = items(replace(FULL, stages=stages))[4]
    assert stage_item.state is State.MISSING
    assert stage_item.gaps == ("Công đoạn 2 (Đóng gói) thiếu mã truy vết địa điểm.",)
    assert _states(replace(FULL, stages=stages))[6] is State.HELD  # times are all there
