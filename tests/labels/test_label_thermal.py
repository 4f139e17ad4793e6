"""Thermal printer files (TSPL, ZPL): parsed back independently, every label rebuilt as
the printer would print it, decoded, and measured."""

from __future__ import annotations

import io
import tracemalloc
import unicodedata
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from registry.labels.content import SERIAL
from registry.labels.fonts import BOLD, FONT_DIR, REGULAR
from registry.labels.labeltext import fit_box, layout_text
from registry.labels.layouts import LayoutError, get_layout, label_geometry
from registry.labels.links import label_url_factory
from registry.labels.pdf import LabelContent
from registry.labels.qr import QRBatchEncoder
from registry.labels.serials import SerialSigner, display
from registry.labels.textlayout import TextBox
from registry.labels.thermal import (
    CHUNK_LABELS,
    thermal_bytes,
    write_thermal,
)
from registry.labels.thermal_commands import zpl_compress

from .support import BASE, EXPIRY, KEY, LOT, sample_labels
from .thermal_files import (  # noqa: F401
    PT_PER_MM,
    QUIET,
    ROLLS,
    SAFE_MM,
    Graphic,
    ParsedLabel,
    Symbol,
    decode,
    find_symbol,
    parse,
    parse_tspl,
    parse_zpl,
    per_mm,
    zpl_hex_rows,
)


def check_label(page: np.ndarray, layout: str, dpi: int, label: LabelContent, ecc: str):
    """Decode, measure and check one rebuilt label; returns its symbol."""
    sheet = get_layout(layout)
    assert page.shape == (round(sheet.label_h * per_mm(dpi)), round(sheet.label_w * per_mm(dpi)))
    assert decode(page) == label.url
    symbol = find_symbol(page)
    # Exactly our own encoder's modules (version, level, mask).
    version = (symbol.matrix.shape[0] - 17) // 4
    expected = QRBatchEncoder(ecc, version).encode_many([label.url])[0]
    assert np.array_equal(symbol.matrix, expected)
    if dpi == 203:
        assert symbol.dots >= 4
    assert symbol.dots * 25.4 / dpi >= 0.4 - 1e-9
    # Quiet zone: 4 modules of white around the symbol, on the label.
    q = QUIET * symbol.dots
    assert symbol.x - q >= 0 and symbol.y - q >= 0
    assert symbol.x + symbol.side + q <= page.shape[1]
    assert symbol.y + symbol.side + q <= page.shape[0]
    top, left = symbol.y - q, symbol.x - q
    zone = page[top : symbol.y + symbol.side + q, left : symbol.x + symbol.side + q]
    inner = zone[q:-q, q:-q].sum()
    assert zone.sum() == inner, "black dots in the quiet zone"
    # Every black dot at least 2 mm from every edge (its whole extent).
    rows, cols = np.nonzero(page)
    px = per_mm(dpi)
    assert cols.min() >= SAFE_MM * px - 1e-9 and rows.min() >= SAFE_MM * px - 1e-9
    assert cols.max() + 1 <= (sheet.label_w - SAFE_MM) * px + 1e-9
    assert rows.max() + 1 <= (sheet.label_h - SAFE_MM) * px + 1e-9
    # There is text beside the code.
    text = page.copy()
    text[symbol.y : symbol.y + symbol.side, symbol.x : symbol.x + symbol.side] = False
    assert text.sum() > 200
    return symbol


def run_labels(count: int, product: int = 0) -> list[LabelContent]:
    return sample_labels(count, product=product)


def product_code_labels(count: int) -> list[LabelContent]:
    """A product without a GTIN: /p/{product code}/... addresses (longer, bigger codes)."""
    url_for = label_url_factory(
        BASE, gtin14=None, product_code="OCOP-ST-2024-000123-BUOI", lot=LOT, expiry=EXPIRY
    )
    base = sample_labels(count, product=1)
    serials = SerialSigner(KEY).make_many("OCOP-ST-2024-000123-BUOI", LOT, 0, count)
    return [
        replace(label, url=url_for(serial), serial_display=display(serial))
        for label, serial in zip(base, serials)
    ]


# ---------------------------------------------------------------------------- tests


@pytest.mark.parametrize("fmt", ["tspl", "zpl"])
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("layout", ROLLS)
@pytest.mark.parametrize("ecc", ["M", "Q"])
def test_every_label_decodes_to_its_own_address_with_whole_dot_modules(fmt, dpi, layout, ecc):
    labels = run_labels(4, product=1 if ecc == "Q" else 0)
    data = thermal_bytes(labels, layout, fmt=fmt, dpi=dpi, ecc=ecc)
    parsed = parse(data, fmt, dpi)
    assert len(parsed) == len(labels)
    if fmt == "tspl":
        assert data.count(b"PRINT 1") == len(labels) and data.count(b"CLS\r\n") == len(labels)
        assert data.startswith(f"SIZE {get_layout(layout).label_w:g} mm,30 mm\r\n".encode())
    else:
        assert data.count(b"^XA") == data.count(b"^XZ") == len(labels)
    for label, printed in zip(labels, parsed):
        assert len(printed.graphics) == 1  # one bitmap per label
        check_label(printed.image(), layout, dpi, label, ecc)


@pytest.mark.parametrize("fmt", ["tspl", "zpl"])
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("layout", ROLLS)
def test_product_code_addresses_get_bigger_codes_that_still_decode(fmt, dpi, layout):
    labels = product_code_labels(3)
    assert all("/p/OCOP-ST-2024-000123-BUOI/10/" in label.url for label in labels)
    buf = io.BytesIO()
    result = write_thermal(buf, labels, layout, fmt=fmt, dpi=dpi, ecc="Q")
    gtin = write_thermal(io.BytesIO(), run_labels(1, product=1), layout, fmt=fmt, dpi=dpi, ecc="Q")
    assert result.qr_version > gtin.qr_version
    for label, printed in zip(labels, parse(buf.getvalue(), fmt, dpi)):
        symbol = check_label(printed.image(), layout, dpi, label, "Q")
        assert (symbol.matrix.shape[0] - 17) // 4 == result.qr_version
        assert symbol.dots == result.module_dots


# Module size per (layout, dpi) for the sample run (version 5 at level M).
MODULES = {
    ("roll-50x30", 203): 4,
    ("roll-40x30", 203): 4,
    ("roll-50x30", 300): 6,
    ("roll-40x30", 300): 5,
}


@pytest.mark.parametrize("layout, dpi", list(MODULES))
def test_result_reports_module_size_in_dots_and_mm(layout, dpi):
    labels = run_labels(2)
    buf = io.BytesIO()
    result = write_thermal(buf, labels, layout, fmt="tspl", dpi=dpi)
    assert (result.labels, result.qr_version, result.dpi, result.fmt) == (2, 5, dpi, "tspl")
    assert result.module_dots == MODULES[layout, dpi]
    assert result.module_mm == pytest.approx(result.module_dots * 25.4 / dpi)
    assert result.module_dots == find_symbol(parse(buf.getvalue(), "tspl", dpi)[0].image()).dots


# ------------------------------------------------------------------------------ text


@cache
def pil_font(bold: bool, size_px: float):
    return ImageFont.truetype(str(FONT_DIR / (BOLD if bold else REGULAR)), size_px)


@cache
def advance_units(bold: bool, ch: str) -> float:
    """Advance of ``ch`` in em, from FreeType at 2048 px (DejaVu has 2048 units/em)."""
    return pil_font(bold, 2048).getlength(ch) / 2048


def render_lines(shape, lines, origin_x: float, origin_y: float, dpi: int) -> np.ndarray:
    """A fresh Pillow rendering: each glyph drawn by ImageDraw at the PDF's pen position."""
    image = Image.new("1", (shape[1], shape[0]), 0)
    draw = ImageDraw.Draw(image)
    scale = dpi / 72
    for line in lines:
        font = pil_font(line.bold, line.size * scale)
        pen = origin_x + line.x * scale
        baseline = round(origin_y + line.baseline * scale)
        for ch in unicodedata.normalize("NFC", line.text):
            draw.text((round(pen), baseline), ch, font=font, fill=1, anchor="ls")
            pen += advance_units(line.bold, ch) * line.size * scale
    return np.asarray(image, dtype=bool)


def expected_text(label: LabelContent, layout: str, dpi: int, symbol: Symbol):
    """The lines the PDF text engine sets for this label, and the text box origin, for
    the code size and place measured on the printed label."""
    sheet = get_layout(layout)
    version = (symbol.matrix.shape[0] - 17) // 4
    on_top = symbol.y < (sheet.label_h * per_mm(dpi) - symbol.side) / 2 - symbol.dots
    geometry = label_geometry(
        sheet, version, dpi, module_mm=symbol.dots * 25.4 / dpi, code_on_top=on_top
    )
    box = geometry.text
    if geometry.strip is None:
        lines = layout_text(label, box.w * PT_PER_MM, box.h * PT_PER_MM)
    else:
        lines = fit_box(label, TextBox.of(geometry)).lines
    return lines, box.x * per_mm(dpi), box.y * per_mm(dpi)


@pytest.mark.parametrize(
    "layout, dpi, product",
    [
        ("roll-50x30", 203, 0),
        ("roll-40x30", 203, 1),
        ("roll-50x30", 300, 2),
        ("roll-40x30", 300, 2),  # long name: the code goes to the top, text under it
        ("roll-40x30", 300, 0),
    ],
)
def test_text_is_the_pdf_text_rendered_at_printer_resolution(layout, dpi, product):
    labels = run_labels(3, product=product)
    for fmt in ("tspl", "zpl"):
        data = thermal_bytes(labels, layout, fmt=fmt, dpi=dpi)
        for label, printed in zip(labels, parse(data, fmt, dpi)):
            page = printed.image()
            symbol = find_symbol(page)
            text = page.copy()
            text[symbol.y : symbol.y + symbol.side, symbol.x : symbol.x + symbol.side] = False
            assert text.sum() > 500
            lines, x, y = expected_text(label, layout, dpi, symbol)
            assert "".join(x.text for x in lines if x.role == SERIAL) == label.serial_display
            # Glyphs hinted a dot past the text box are nudged back by a dot or two.
            fresh = render_lines(page.shape, lines, x, y, dpi)
            (fy, fx), (ty, tx) = (np.argwhere(a).min(axis=0) for a in (fresh, text))
            dy, dx = int(ty - fy), int(tx - fx)
            assert abs(dx) <= 3 and abs(dy) <= 3, (dx, dy)
            fresh = render_lines(page.shape, lines, x + dx, y + dy, dpi)
            differ = int((fresh ^ text).sum())
            assert differ == 0, f"text differs from a fresh rendering in {differ} dots"


def test_only_the_serial_changes_between_labels_of_a_run():
    labels = run_labels(3)
    data = thermal_bytes(labels, "roll-40x30", fmt="tspl", dpi=203)
    pages = [p.image() for p in parse(data, "tspl", 203)]
    symbol = find_symbol(pages[0])
    serial_rows = slice(pages[0].shape[0] * 2 // 3, None)
    body = []
    for page in pages:
        page = page.copy()
        page[symbol.y : symbol.y + symbol.side, symbol.x : symbol.x + symbol.side] = False
        body.append(page)
        assert page[serial_rows].any()
    top = slice(0, pages[0].shape[0] // 2)
    assert np.array_equal(body[0][top], body[1][top]) and np.array_equal(body[0][top], body[2][top])
    assert not np.array_equal(body[0][serial_rows], body[1][serial_rows])


# ------------------------------------------------------------------------------- ZPL


def test_zpl_compression_round_trips():
    rng = np.random.default_rng(7)
    cases = [
        np.zeros((5, 3), dtype=np.uint8),
        np.full((4, 6), 0xFF, dtype=np.uint8),
        rng.integers(0, 256, size=(40, 17), dtype=np.uint8),
        np.repeat(rng.integers(0, 2, size=(10, 30), dtype=np.uint8) * 0xF0, 4, axis=0),
        np.pad(np.full((3, 60), 0x0F, dtype=np.uint8), ((2, 2), (0, 500))),  # runs > 400
    ]
    for packed in cases:
        data = zpl_compress(packed)
        assert zpl_hex_rows(data, packed.shape[1], packed.size) == packed.tobytes()
    assert zpl_compress(np.zeros((3, 4), dtype=np.uint8)) == ",::"
    assert zpl_compress(np.array([[0xAB, 0x00], [0xFF, 0xF0]], dtype=np.uint8)) == "AB,IF0"


def test_compressed_and_plain_zpl_print_the_same_labels():
    labels = run_labels(3)
    packed = thermal_bytes(labels, "roll-50x30", fmt="zpl", dpi=203)
    plain = thermal_bytes(labels, "roll-50x30", fmt="zpl", dpi=203, compress=False)
    assert len(packed) * 2 < len(plain)
    for a, b in zip(parse_zpl(packed.decode()), parse_zpl(plain.decode())):
        assert np.array_equal(a.image(), b.image())


# ------------------------------------------------------------------ offsets, errors


@pytest.mark.parametrize("fmt", ["tspl", "zpl"])
def test_offset_moves_the_print_by_whole_dots(fmt):
    labels = run_labels(2)
    plain = parse(thermal_bytes(labels, "roll-40x30", fmt=fmt, dpi=203), fmt, 203)
    moved = parse(
        thermal_bytes(labels, "roll-40x30", fmt=fmt, dpi=203, offset=(1.0, -0.5)), fmt, 203
    )
    dx, dy = round(1.0 * per_mm(203)), round(-0.5 * per_mm(203))
    for a, b in zip(plain, moved):
        assert (b.graphics[0].x, b.graphics[0].y) == (a.graphics[0].x + dx, a.graphics[0].y + dy)
        assert decode(b.image()) == decode(a.image())
    with pytest.raises(ValueError, match="offset"):
        thermal_bytes(labels, "roll-40x30", fmt=fmt, dpi=203, offset=(6.0, 0.0))


def test_sheet_layouts_other_dpis_and_formats_are_refused():
    labels = run_labels(1)
    with pytest.raises(LayoutError, match="roll"):
        thermal_bytes(labels, "a4-3x8", fmt="tspl", dpi=203)
    for dpi in (600, 200, 0, True):
        with pytest.raises(ValueError, match="dpi"):
            thermal_bytes(labels, "roll-40x30", fmt="zpl", dpi=dpi)
    with pytest.raises(ValueError, match="fmt"):
        thermal_bytes(labels, "roll-40x30", fmt="epl", dpi=203)
    with pytest.raises(ValueError, match="no labels"):
        thermal_bytes([], "roll-40x30", fmt="tspl", dpi=203)
    with pytest.raises(LayoutError, match="unknown label layout"):
        thermal_bytes(labels, "roll-99x99", fmt="tspl", dpi=203)


def test_a_code_too_big_for_4_dot_modules_is_refused_before_writing():
    long_url = BASE + "/p/" + "X" * 32 + "/10/" + "L" * 20 + "/21/" + "S" * 20 + "?17=261231"
    label = replace(run_labels(1)[0], url=long_url)
    out = io.BytesIO()
    with pytest.raises(LayoutError, match="dots"):
        write_thermal(out, [label], "roll-40x30", fmt="tspl", dpi=203, ecc="Q")
    assert out.getvalue() == b""


def test_a_longer_address_later_in_the_run_gets_a_bigger_code():
    # The run's version is fixed by its first chunk; a longer address after it gets more.
    labels = list(lazy_labels(CHUNK_LABELS + 1))
    labels[-1] = replace(labels[-1], url=labels[-1].url + "&x=" + "ab" * 20)
    buf = io.BytesIO()
    result = write_thermal(buf, labels, "roll-50x30", fmt="zpl", dpi=300)
    pages = parse(buf.getvalue(), "zpl", 300)
    assert len(pages) == result.labels == CHUNK_LABELS + 1
    first, last = (find_symbol(pages[i].image()) for i in (0, -1))
    assert first.matrix.shape[0] == 4 * result.qr_version + 17 < last.matrix.shape[0]
    check_label(pages[-1].image(), "roll-50x30", 300, labels[-1], "M")
    check_label(pages[0].image(), "roll-50x30", 300, labels[0], "M")


# ------------------------------------------------------------------------- streaming


class Sink:
    def __init__(self):
        self.size = 0
        self.writes = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        self.writes += 1
        return len(data)


def lazy_labels(count: int):
    signer = SerialSigner(KEY)
    template = run_labels(1)[0]
    url_for = label_url_factory(BASE, gtin14="08939999000017", product_code=None, lot=LOT,
                                expiry=EXPIRY)
    for serial in signer.iter_many("08939999000017", LOT, 0, count):
        yield replace(template, url=url_for(serial), serial_display=display(serial))


def test_written_in_chunks_with_progress_and_flat_memory():
    seen = []
    sink = Sink()
    result = write_thermal(sink, lazy_labels(CHUNK_LABELS * 2 + 5), "roll-40x30", fmt="tspl",
                           dpi=203, progress=seen.append)
    assert result.labels == CHUNK_LABELS * 2 + 5
    assert seen == [CHUNK_LABELS, CHUNK_LABELS * 2, CHUNK_LABELS * 2 + 5]
    assert sink.writes == 3

    def peak(count: int) -> int:
        tracemalloc.start()
        write_thermal(Sink(), lazy_labels(count), "roll-40x30", fmt="zpl", dpi=203)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(CHUNK_LABELS * 2), peak(CHUNK_LABELS * 8)
    assert large < small * 1.5, (small, large)
