"""Every value whole on every label, 2 mm inside the edge; refusals say where it fits.

The PDFs are read back the way a printer would show them: pdfium's glyph boxes (the real
outlines of every printed character) and a 300 dpi rendering for the codes and for
anything printed in the 2 mm margin.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest

from registry.labels import content
from registry.labels import plan as label_plan
from registry.labels.layouts import LAYOUTS, LayoutError, get_layout, sheet_positions
from registry.labels.links import label_url_factory
from registry.labels.pdf import (
    MIN_SIZE,
    LabelContent,
    LabelTextError,
    check_label_fits,
    label_pdf_bytes,
    layouts_that_fit,
    plan_label,
    write_label_pdf,
)
from registry.labels.qr import MIN_MODULE_MM, QRBatchEncoder
from registry.labels.serials import SerialSigner, display

from .support import (
    BASE,
    GTIN,
    KEY,
    crop_mm,
    decode_all,
    decode_one,
    glyphs_outside_safe_area,
    ink_in_margins,
    label_texts,
    page_glyphs,
    render_pages,
    squash,
    unspaced,
)

# 60 characters with diacritics, and a producer name of the same length.
NAME = "Trà Shan tuyết cổ thụ Hà Giang hảo hạng đặc biệt loại một hũ"
PRODUCER = "Hợp tác xã Nông nghiệp Chè Shan Tuyết Hoàng Su Phì, Hà Giang"
TOKEN = "k7m2x9qp4tz8w3ra"  # a product's 16-character public token (no GTIN)
LOT = "LOT-2026-ABCDEFGHIJK"  # 20 characters: the most GS1 allows
WIDE_LOT = "W" * 20  # the widest 20-character lot there is
EXPIRY = date(2027, 3, 31)
UNTIL = date(2026, 12, 28)
WIDEST_SERIAL = "WWWWWWWWWWWW"  # W is the widest letter of the serial alphabet
DPI = 300


class Sink:
    def __init__(self):
        self.chunks = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)


def run(count: int, *, address: str = "gtin", lot: str = LOT, name: str = NAME,
        producer: str = PRODUCER, stars: int | None = 4, until: date | None = UNTIL,
        expiry: date | None = EXPIRY, widest_first: bool = True) -> list[LabelContent]:
    """``count`` labels of one run; the first one (by default) with the widest serial."""
    gtin, code = (GTIN, None) if address == "gtin" else (None, TOKEN)
    url_for = label_url_factory(BASE, gtin14=gtin, product_code=code, lot=lot, expiry=expiry)
    serials = SerialSigner(KEY).make_many(gtin or code, lot, 0, count)
    if widest_first:
        serials[0] = WIDEST_SERIAL
    return [
        LabelContent(url_for(s), display(s), name, producer, lot, stars, expiry, until)
        for s in serials
    ]


def stars_statement_ok(text: str) -> bool:
    text = squash(text)
    return "OCOP ★★★★ · QĐ đến 28/12/2026" in text or "OCOP ★★★★ QĐ đến 28/12/2026" in text


def check_printed_whole(pdf: bytes, layout_name: str, labels: list[LabelContent],
                        first_position: int = 1):
    """Every value of every label complete, all ink 2 mm inside, every code decodes."""
    layout = get_layout(layout_name)
    rects = layout.label_rects()
    pages = page_glyphs(pdf)
    images = render_pages(pdf, dpi=DPI)
    assert len(pages) == len(images)
    done = 0
    for number, (glyphs, image) in enumerate(zip(pages, images)):
        assert "…" not in "".join(g.char for g in glyphs)
        assert not glyphs_outside_safe_area(glyphs, rects)
        assert ink_in_margins(image, rects, DPI) == [0] * len(rects)
        texts = label_texts(glyphs, rects)
        skip = first_position - 1 if number == 0 else 0
        for position, (rect, text) in enumerate(zip(rects, texts)):
            index = done + position - skip
            if position < skip or index >= len(labels):
                assert text == "" and not decode_all(crop_mm(image, rect))
                continue
            label = labels[index]
            assert squash(label.product_name) in squash(text)
            assert squash(label.producer_name) in squash(text)
            assert unspaced(f"Lô: {label.lot}") in unspaced(text)
            if label.expiry is not None:
                assert unspaced(f"HSD: {label.expiry:%d/%m/%Y}") in unspaced(text)
            if label.stars and label.stars_until:
                assert stars_statement_ok(text), text
            assert label.serial_display in unspaced(text)
            assert decode_one(crop_mm(image, rect)) == label.url
        done += len(rects) - skip
    assert done >= len(labels)


@pytest.mark.parametrize("lot", [LOT, WIDE_LOT], ids=["lot", "wide-lot"])
@pytest.mark.parametrize("address", ["gtin", "product-code"])
@pytest.mark.parametrize("ecc", ["M", "Q"])
@pytest.mark.parametrize("layout_name", list(LAYOUTS))
def test_longest_values_print_whole_inside_the_safe_margin(layout_name, ecc, address, lot):
    layout = get_layout(layout_name)
    labels = run(2 if layout.roll else layout.cols + 1, address=address, lot=lot)
    fits = layouts_that_fit(labels[0], ecc=ecc)
    if lot == LOT:  # the longest realistic label prints on every stock
        assert fits == list(LAYOUTS)
    if layout_name not in fits:
        with pytest.raises(LabelTextError) as refused:
            check_label_fits(labels[0], layout_name, ecc=ecc)
        assert refused.value.fits == fits
        sink = Sink()
        with pytest.raises(LabelTextError):
            write_label_pdf(sink, labels, layout_name, ecc=ecc)
        assert sink.chunks == []
        return
    check_label_fits(labels[0], layout_name, ecc=ecc)
    version = QRBatchEncoder(ecc).fix_version([labels[0].url])
    plan = plan_label(labels[0], layout_name, version)
    assert min(line.size for line in plan.text.lines) >= MIN_SIZE - 1e-9
    assert plan.geometry.module_mm >= MIN_MODULE_MM - 1e-9
    pdf = label_pdf_bytes(labels, layout_name, ecc=ecc)
    check_printed_whole(pdf, layout_name, labels)


def test_a_200_character_name_is_refused_where_it_cannot_fit():
    name = ("Mật ong hoa nhãn rừng tự nhiên nguyên chất Hưng Yên " * 4)[:200].strip()
    assert len(name) >= 199
    labels = run(3, name=name)
    fits = layouts_that_fit(labels[0])
    assert fits and set(fits) < set(LAYOUTS)
    for layout_name in LAYOUTS:
        if layout_name in fits:  # the list is true: it really prints whole there
            check_label_fits(labels[0], layout_name)
            check_printed_whole(label_pdf_bytes(labels, layout_name), layout_name, labels)
            continue
        with pytest.raises(LabelTextError) as refused:
            check_label_fits(labels[0], layout_name)
        error = refused.value
        assert isinstance(error, LayoutError) and error.fits == fits
        message = str(error)
        assert f"khổ tem {layout_name}" in message and "cỡ chữ nhỏ nhất" in message
        assert all(fit in message for fit in fits)
        sink = Sink()
        with pytest.raises(LabelTextError) as refused:
            write_label_pdf(sink, iter(labels), layout_name)
        assert refused.value.fits == fits and sink.chunks == []


def test_text_that_fits_nowhere_says_so():
    labels = run(1, name="Nước mắm cốt nhĩ cá cơm than truyền thống " * 30)
    assert layouts_that_fit(labels[0]) == []
    with pytest.raises(LabelTextError) as refused:
        check_label_fits(labels[0], "a4-3x7", ecc="Q")
    assert refused.value.fits == [] and "Không khổ tem nào" in str(refused.value)


def test_the_check_uses_the_code_the_run_gets():
    labels = run(1, address="product-code")
    version_q = QRBatchEncoder("Q").fix_version([labels[0].url])
    assert version_q > QRBatchEncoder("M").fix_version([labels[0].url])
    with pytest.raises(LayoutError):  # a code far too big for the label
        check_label_fits(labels[0], "a4-4x10", version=15)


def test_stars_until_reads_as_a_date_and_needs_stars():
    label = run(1)[0]
    assert content.stars_text(label) == ("OCOP ★★★★", "QĐ đến 28/12/2026")
    assert content.stars_text(replace(label, stars_until=None)) == ("OCOP ★★★★", None)
    pdf = label_pdf_bytes([replace(label, stars=None)], "a4-3x7")
    text = label_texts(page_glyphs(pdf)[0], get_layout("a4-3x7").label_rects())[0]
    assert "OCOP" not in text and "QĐ" not in text
    roomy = label_pdf_bytes([label], "a4-3x7")
    text = label_texts(page_glyphs(roomy)[0], get_layout("a4-3x7").label_rects())[0]
    assert stars_statement_ok(text)


def test_start_position_finishes_a_partly_used_sheet():
    labels = run(30, widest_first=False)
    assert sheet_positions("a4-3x8", 19, 30) == [False] * 18 + [True] * 6
    buf, seen = io.BytesIO(), []
    result = write_label_pdf(buf, iter(labels), "a4-3x8", start_position=19, progress=seen.append)
    assert (result.labels, result.pages) == (30, 2)
    assert seen == [6, 30]
    pdf = buf.getvalue()
    rects = get_layout("a4-3x8").label_rects()
    first, second = render_pages(pdf, dpi=DPI)
    on_first = [decode_all(crop_mm(first, rect)) for rect in rects]
    assert on_first == [[]] * 18 + [[label.url] for label in labels[:6]]
    assert [bool(codes) for codes in on_first] == sheet_positions("a4-3x8", 19, 30)
    assert [decode_one(crop_mm(second, rect)) for rect in rects] == [l.url for l in labels[6:]]
    glyph_pages = page_glyphs(pdf)
    texts = label_texts(glyph_pages[0], rects)
    assert texts[:18] == [""] * 18 and all(texts[18:])
    check_printed_whole(pdf, "a4-3x8", labels, first_position=19)


def test_start_position_edges_and_refusals():
    labels = run(25, widest_first=False)
    result = write_label_pdf(io.BytesIO(), labels[:1], "a4-4x10", start_position=40)
    assert (result.labels, result.pages) == (1, 1)
    result = write_label_pdf(io.BytesIO(), labels, "a4-3x8", start_position=24)
    assert (result.labels, result.pages) == (25, 2)
    result = write_label_pdf(io.BytesIO(), labels[:3], "roll-50x30", start_position=1)
    assert result.pages == 3
    for layout_name, start in (("a4-3x8", 0), ("a4-3x8", 25), ("a4-3x7", 22),
                               ("roll-40x30", 2), ("a4-3x8", 1.5)):
        sink = Sink()
        with pytest.raises(ValueError):
            write_label_pdf(sink, labels, layout_name, start_position=start)
        assert sink.chunks == []


def test_the_text_is_laid_out_once_per_run(monkeypatch):
    calls = []
    real = label_plan._make_plan

    def counting(*args):
        calls.append(args[1].name)
        return real(*args)

    monkeypatch.setattr(label_plan, "_make_plan", counting)
    label_plan._PLANS.clear()
    write_label_pdf(Sink(), run(600), "a4-3x8")
    assert calls == ["a4-3x8"]


def test_any_serial_of_the_run_fits_the_room_kept_for_it():
    labels = run(200)
    for layout_name in LAYOUTS:
        version = QRBatchEncoder("M").fix_version([labels[0].url])
        plan = plan_label(labels[5], layout_name, version)  # fitted for an ordinary one
        for label in labels:
            lines = plan.text.serial_lines(label.serial_display)
            assert "".join(line.text for line in lines) == label.serial_display
            assert all(line.size >= MIN_SIZE - 1e-9 for line in lines)


@pytest.mark.parametrize(
    "layout_name, ecc, address, lot",
    [
        ("roll-40x30", "Q", "product-code", "L2024-001"),  # was "HSD…" with no date
        ("roll-40x30", "M", "gtin", "LOT-2026-0042"),  # 13 characters: was "Lô…"
        ("roll-40x30", "M", "gtin", LOT),  # 20 characters: the lot was lost
        ("a4-4x10", "M", "gtin", LOT),
        ("a4-4x10", "Q", "product-code", LOT),
    ],
)
def test_the_values_that_used_to_vanish_are_printed(layout_name, ecc, address, lot):
    labels = run(2, address=address, lot=lot, name="Bưởi Năm Roi Kế Thành",
                 producer="HTX Nông nghiệp Kế Thành, Sóc Trăng", until=None)
    layout = get_layout(layout_name)
    pdf = label_pdf_bytes(labels * layout.per_page if not layout.roll else labels, layout_name,
                          ecc=ecc)
    check_printed_whole(pdf, layout_name, labels * layout.per_page if not layout.roll else labels)
