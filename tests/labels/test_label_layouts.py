"""Label stock geometry: sheets fit A4, codes with quiet zones fit their labels."""

from __future__ import annotations

import pytest

from registry.labels.layouts import (
    EDGE_MM,
    LAYOUTS,
    QUIET_EDGE_MM,
    TEXT_EDGE_MM,
    LayoutError,
    Rect,
    get_layout,
    label_geometry,
    module_size,
    module_sizes,
    sheet_positions,
)
from registry.labels.qr import MIN_MODULE_MM, QUIET_ZONE

SHEETS = [name for name, layout in LAYOUTS.items() if not layout.roll]
ROLLS = [name for name, layout in LAYOUTS.items() if layout.roll]


def test_known_layouts():
    assert set(LAYOUTS) == {"a4-3x8", "a4-3x7", "a4-4x10", "roll-50x30", "roll-40x30"}
    assert [get_layout(n).per_page for n in ("a4-3x8", "a4-3x7", "a4-4x10")] == [24, 21, 40]
    with pytest.raises(LayoutError):
        get_layout("letter-2x5")


@pytest.mark.parametrize("name", SHEETS)
def test_sheet_labels_lie_on_the_page_with_even_margins(name):
    layout = get_layout(name)
    assert (layout.page_w, layout.page_h) == (210.0, 297.0)
    rects = layout.label_rects()
    assert len(rects) == layout.per_page
    page = layout.page_rect()
    assert all(page.contains(r) for r in rects)
    right_margin = layout.page_w - max(r.right for r in rects)
    bottom_margin = layout.page_h - max(r.bottom for r in rects)
    # The vendor templates are (nearly) centred on the sheet: L7654 has 9.7 / 10.0 mm.
    assert right_margin == pytest.approx(layout.left, abs=0.31)
    assert bottom_margin == pytest.approx(layout.top, abs=0.31)
    assert min(layout.left, layout.top, right_margin, bottom_margin) > 5


def test_vendor_template_numbers():
    l7654 = get_layout("a4-4x10")
    assert 9.7 + 4 * 45.7 + 3 * 2.5 + 10.0 == pytest.approx(210.0)
    assert 21.5 + 10 * 25.4 + 21.5 == pytest.approx(297.0)
    assert (l7654.label_w, l7654.label_h, l7654.left, l7654.top) == (45.7, 25.4, 9.7, 21.5)


@pytest.mark.parametrize("name", ROLLS)
def test_roll_page_is_the_label(name):
    layout = get_layout(name)
    assert layout.per_page == 1
    assert layout.label_rects() == [Rect(0, 0, layout.page_w, layout.page_h)]


@pytest.mark.parametrize("name", list(LAYOUTS))
@pytest.mark.parametrize("version", [3, 4, 5, 6])
@pytest.mark.parametrize("smallest, on_top", [(False, False), (True, False), (True, True)])
def test_code_with_quiet_zone_and_text_fit_every_label(name, version, smallest, on_top):
    layout = get_layout(name)
    module = module_sizes(layout, version)[-1] if smallest else None
    geometry = label_geometry(layout, version, module_mm=module, code_on_top=on_top)

    def inset(margin):
        return Rect(margin, margin, layout.label_w - 2 * margin, layout.label_h - 2 * margin)

    assert EDGE_MM >= 2.0 and TEXT_EDGE_MM >= 2.0  # the safe margin for everything printed
    assert geometry.module_mm >= MIN_MODULE_MM
    assert inset(EDGE_MM).contains(geometry.symbol)  # dark modules: 2 mm from the edge
    assert inset(QUIET_EDGE_MM).contains(geometry.qr)  # the white quiet zone: on the label
    assert inset(TEXT_EDGE_MM).contains(geometry.text)
    if geometry.strip is not None:
        assert on_top and inset(TEXT_EDGE_MM).contains(geometry.strip)
        assert geometry.strip.y >= geometry.qr.bottom  # under the quiet zone, not in it
    modules = 4 * version + 17
    assert geometry.qr.w == pytest.approx((modules + 2 * QUIET_ZONE) * geometry.module_mm)
    assert geometry.symbol.w == pytest.approx(modules * geometry.module_mm)
    assert geometry.qr.contains(geometry.symbol)
    assert geometry.text.x >= geometry.qr.right  # text never enters the quiet zone
    # And on the page, for every label position:
    for rect in layout.label_rects():
        assert rect.contains(geometry.qr.moved(rect.x, rect.y))
        assert layout.page_rect().contains(geometry.qr.moved(rect.x, rect.y))


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_modules_are_at_least_half_a_millimetre_up_to_version_5(name):
    for version in (3, 4, 5):
        assert module_size(get_layout(name), version) >= 0.5


def test_codes_target_at_most_25_mm():
    geometry = label_geometry(get_layout("a4-3x7"), 5)
    assert geometry.symbol.w <= 25.0


def test_offset_moves_every_label():
    layout = get_layout("a4-3x8")
    plain = layout.label_rects()
    moved = layout.label_rects((1.5, -2.0))
    for a, b in zip(plain, moved):
        assert (b.x - a.x, b.y - a.y) == pytest.approx((1.5, -2.0))


def test_printer_dots_snap_the_module_size():
    for dpi in (203, 300):
        module = module_size(get_layout("roll-50x30"), 5, dpi=dpi)
        dots = module * dpi / 25.4
        assert dots == pytest.approx(round(dots)) and module >= 0.5


def test_codes_too_big_for_the_label_are_refused():
    with pytest.raises(LayoutError):
        label_geometry(get_layout("a4-4x10"), 12)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_smaller_modules_on_offer_never_go_below_the_minimum(name):
    for dpi in (None, 203, 300):
        sizes = module_sizes(get_layout(name), 5, dpi)
        assert sizes[0] == module_size(get_layout(name), 5, dpi)
        assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes)
        assert min(sizes) >= MIN_MODULE_MM - 1e-9
        if dpi:
            assert all(abs(m * dpi / 25.4 - round(m * dpi / 25.4)) < 1e-6 for m in sizes)


def test_sheet_positions():
    assert sheet_positions("a4-3x8", 1, 30) == [True] * 24
    picture = sheet_positions("a4-3x8", 19, 30)
    assert picture == [False] * 18 + [True] * 6
    assert sheet_positions("a4-3x8", 5, 2) == [False] * 4 + [True] * 2 + [False] * 18
    assert sheet_positions("a4-4x10", 40, 1) == [False] * 39 + [True]
    assert sheet_positions("roll-40x30", 1, 5) == [True]
    for layout, start in (("a4-3x8", 0), ("a4-3x8", 25), ("a4-3x7", 22), ("roll-50x30", 2)):
        with pytest.raises(ValueError):
            sheet_positions(layout, start, 3)
    with pytest.raises(ValueError):
        sheet_positions("a4-3x8", 1, -1)
