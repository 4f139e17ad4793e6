"""Label PDFs: every code decodes, in order; text is real text; layouts and offsets hold."""

from __future__ import annotations

import io
import math
import re
import tracemalloc
import zlib

import numpy as np
import pypdf
import pytest

from registry.labels.layouts import LAYOUTS, get_layout, label_geometry
from registry.labels.pdf import (
    CHUNK_LABELS,
    LabelContent,
    LabelTextError,
    label_pdf_bytes,
    layout_text,
    layouts_that_fit,
    rects_operators,
    write_alignment_pdf,
    write_label_pdf,
)

from .support import (
    crop_mm,
    decode_all,
    decode_one,
    glyphs_outside_safe_area,
    label_texts,
    page_glyphs,
    pdf_bytes_of,
    render_pages,
    sample_labels,
    unspaced,
)

PT_PER_MM = 72 / 25.4


def squash(text: str) -> str:
    return " ".join(text.split())


def check_every_code(pdf: bytes, layout_name: str, labels: list[LabelContent], offset=(0.0, 0.0)):
    """Decode the code of every label position, page by page, in label order."""
    layout = get_layout(layout_name)
    rects = layout.label_rects(offset)
    decoded = []
    for page in render_pages(pdf):
        for rect in rects[: len(labels) - len(decoded)]:
            decoded.append(decode_one(crop_mm(page, rect)))
    assert decoded == [label.url for label in labels]


@pytest.mark.parametrize("layout_name", list(LAYOUTS))
def test_every_code_decodes_in_label_order(layout_name):
    layout = get_layout(layout_name)
    count = layout.per_page + 3 if not layout.roll else 3
    labels = sample_labels(count, product=count % 2)
    pdf = label_pdf_bytes(labels, layout_name)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == math.ceil(count / layout.per_page)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (width, height) == pytest.approx(
        (layout.page_w * PT_PER_MM, layout.page_h * PT_PER_MM), abs=0.01
    )
    check_every_code(pdf, layout_name, labels)


@pytest.mark.parametrize("layout_name", ["a4-3x8", "roll-40x30"])
def test_text_is_extractable_with_vietnamese_diacritics(layout_name):
    layout = get_layout(layout_name)
    labels = sample_labels(layout.per_page + 1) if not layout.roll else sample_labels(2, product=1)
    reader = pypdf.PdfReader(io.BytesIO(label_pdf_bytes(labels, layout_name)))
    per_page = [labels[i : i + layout.per_page] for i in range(0, len(labels), layout.per_page)]
    for page, page_labels in zip(reader.pages, per_page):
        text = squash(page.extract_text())
        for label in page_labels:
            assert label.product_name in text
            assert label.producer_name in text
            assert f"Lô: {label.lot}" in text
            assert label.serial_display in text
            assert "OCOP " + "★" * label.stars in text
            assert "HSD: 31/12/2026" in text


def test_ecc_q_and_image_style_decode_too():
    labels = sample_labels(24, product=1)
    for options in (dict(ecc="Q"), dict(qr_style="image"), dict(ecc="Q", qr_style="image")):
        check_every_code(label_pdf_bytes(labels, "a4-3x8", **options), "a4-3x8", labels)


def test_codes_without_gtin_and_with_odd_lots_decode():
    from registry.labels.links import label_url

    labels = [
        LabelContent(
            label_url(
                "https://ocop.example.vn",
                gtin14=None,
                product_code="OCOP-ST-0042",
                lot=lot,
                serial="ABCD2345EFGH",
            ),
            "ABCD-2345-EFGH",
            "Mắm tôm",
            "Cơ sở Ba Làng",
            lot,
        )
        for lot in ("L/1", "A&B?C", "2024.10", "x" * 20)
    ]
    check_every_code(label_pdf_bytes(labels, "a4-4x10"), "a4-4x10", labels)


def test_offset_moves_the_codes():
    labels = sample_labels(3)
    plain = render_pages(label_pdf_bytes(labels, "a4-3x8"))[0]
    moved = render_pages(label_pdf_bytes(labels, "a4-3x8", offset=(3.0, -2.0)))[0]

    def corners(image):
        import zxingcpp

        found = sorted(
            zxingcpp.read_barcodes(image),
            key=lambda b: (b.position.top_left.y, b.position.top_left.x),
        )
        return [(b.position.top_left.x, b.position.top_left.y) for b in found]

    px = 300 / 25.4
    for (x0, y0), (x1, y1) in zip(corners(plain), corners(moved), strict=True):
        assert (x1 - x0) / px == pytest.approx(3.0, abs=0.2)
        assert (y1 - y0) / px == pytest.approx(-2.0, abs=0.2)
    # The moved codes still decode where the moved labels are.
    check_every_code(
        label_pdf_bytes(labels, "a4-3x8", offset=(3.0, -2.0)), "a4-3x8", labels, (3.0, -2.0)
    )


def test_labels_without_rating_or_expiry():
    labels = sample_labels(2, stars=None, expiry=None)
    text = squash(
        pypdf.PdfReader(io.BytesIO(label_pdf_bytes(labels, "roll-50x30"))).pages[0].extract_text()
    )
    assert "OCOP" not in text and "HSD" not in text and "★" not in text
    assert labels[0].product_name in text and labels[0].serial_display in text


def test_long_names_wrap_and_shrink_whole_or_are_refused():
    name = "Trà " + "Shan tuyết cổ thụ " * 8 + "Hà Giang"
    producer = "Hợp tác xã " + "Nông nghiệp sạch " * 6
    label = sample_labels(1)[0]
    long_label = LabelContent(
        label.url, label.serial_display, name, producer, label.lot, 5, label.expiry
    )
    fits = layouts_that_fit(long_label)
    assert "a4-3x7" in fits and "roll-40x30" not in fits
    for layout_name in LAYOUTS:
        layout = get_layout(layout_name)
        if layout_name not in fits:
            with pytest.raises(LabelTextError) as refused:
                label_pdf_bytes([long_label], layout_name)
            assert refused.value.fits == fits
            continue
        pdf = label_pdf_bytes([long_label] * layout.per_page, layout_name)
        glyphs = page_glyphs(pdf)[0]
        rects = layout.label_rects()
        assert "…" not in "".join(g.char for g in glyphs)
        assert not glyphs_outside_safe_area(glyphs, rects)
        for text in label_texts(glyphs, rects):
            assert squash(name) in squash(text) and squash(producer) in squash(text)
            assert label.serial_display in unspaced(text)
        page = render_pages(pdf, dpi=150)[0]
        _assert_blank_outside_labels(page, layout_name, dpi=150)
        decode_one(crop_mm(render_pages(pdf)[0], layout.label_rects()[0]))


def test_text_layout_prefers_whole_names_to_big_type():
    label = sample_labels(1)[0]
    geometry = label_geometry(get_layout("roll-40x30"), 5)
    lines = layout_text(label, geometry.text.w * PT_PER_MM, geometry.text.h * PT_PER_MM)
    shown = squash(" ".join(line.text for line in lines))
    assert label.product_name in shown and label.producer_name in shown and "…" not in shown
    assert lines[-1].role == "serial"
    baselines = [line.baseline for line in lines]
    assert baselines == sorted(baselines)


def _assert_blank_outside_labels(image, layout_name: str, dpi: int):
    """Nothing printed in the page margins and column gaps (no text runs over)."""
    layout = get_layout(layout_name)
    pixels = np.array(image) < 128
    px = dpi / 25.4
    inside = np.zeros_like(pixels)
    for r in layout.label_rects():
        inside[round(r.y * px) : round(r.bottom * px), round(r.x * px) : round(r.right * px)] = True
    assert not (pixels & ~inside).any()


def test_pdf_structure_fonts_embedded_once_and_one_path_per_code():
    labels = sample_labels(24 * 3)
    pdf = label_pdf_bytes(labels, "a4-3x8")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    assert pdf.count(b"/FontFile2") == 2  # DejaVu Sans and Bold, once each
    assert pdf.count(b"/Subtype /Type0") == 2
    assert b"/PrintScaling /None" in pdf
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [fonts[k]["/BaseFont"] for k in fonts]  # subsets: /ABCDEF+DejaVuSans
    assert sorted(name[8:] for name in names) == ["DejaVuSans", "DejaVuSans-Bold"]
    assert all(re.fullmatch(r"/[A-Z]{6}\+", name[:8]) for name in names)
    for page in reader.pages:
        content = page.get_contents().get_data()
        assert content.count(b"\nf\n") == 24  # one fill per code
        assert content.count(b" re\n") < 24 * 450
        assert len(zlib.compress(content)) < 40_000  # a page of 24 labels stays small


def test_cross_reference_table_points_at_every_object():
    pdf = label_pdf_bytes(sample_labels(30), "a4-3x7")
    pypdf.PdfReader(io.BytesIO(pdf), strict=True)  # no repairs needed
    xref = int(re.findall(rb"startxref\n(\d+)", pdf)[-1])
    lines = pdf[xref:].split(b"\n")
    count = int(lines[1].split()[1])
    for number in range(1, count):
        offset = int(lines[2 + number][:10])
        assert pdf[offset:].startswith(b"%d 0 obj" % number)


def test_rects_operators_match_plain_formatting():
    x = np.array([0, 5, 12, 40, 9])
    y = np.array([0, 1, 33, 40, 7])
    w = np.array([1, 10, 3, 1, 2])
    expected = "".join(f"{a:>2} {b:>2} {c:>2} 1 re\n" for a, b, c in zip(x, y, w))
    assert rects_operators(x, y, w).decode() == expected
    assert re.fullmatch(rb"( *\d+ +\d+ +\d+ 1 re\n)+", rects_operators(x, y, w))


class WriteOnly:
    """A sink with nothing but write(), like a streamed HTTP response."""

    def __init__(self):
        self.chunks = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)


class Discard:
    def write(self, data: bytes) -> int:
        return len(data)


def test_streams_to_a_write_only_sink_and_reports_progress():
    sink, seen = WriteOnly(), []
    result = write_label_pdf(sink, iter(sample_labels(50)), "a4-3x8", progress=seen.append)
    assert (result.labels, result.pages, result.qr_version) == (50, 3, 5)
    assert seen == [24, 48, 50]
    assert len(sink.chunks) > 10  # written as it went, not in one piece at the end
    assert len(pypdf.PdfReader(io.BytesIO(b"".join(sink.chunks))).pages) == 3


def test_labels_are_consumed_lazily():
    consumed = []

    def labels():
        for label in sample_labels(600):
            consumed.append(label)
            yield label

    pages_seen = []

    def progress(n):
        pages_seen.append((n, len(consumed)))

    write_label_pdf(WriteOnly(), labels(), "a4-3x8", progress=progress)
    first_written, consumed_then = pages_seen[0]
    assert first_written == 24 and consumed_then < 600  # pages go out before the input ends


def test_memory_stays_flat_as_runs_grow():
    def peak(count: int) -> int:
        labels = sample_labels(1)[0]

        def stream():
            for i in range(count):
                yield LabelContent(
                    labels.url[:-16] + f"{i:012d}" + labels.url[-4:],
                    f"{i:012d}",
                    labels.product_name,
                    labels.producer_name,
                    labels.lot,
                    4,
                    None,
                )

        tracemalloc.start()
        try:
            write_label_pdf(Discard(), stream(), "a4-3x8")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(500), peak(3000)
    assert large < 1.5 * small, (small, large)


def test_empty_runs_and_bad_options_are_refused_before_writing():
    sink = WriteOnly()
    with pytest.raises(ValueError):
        write_label_pdf(sink, [], "a4-3x8")
    with pytest.raises(ValueError):
        write_label_pdf(sink, sample_labels(1), "a4-3x8", qr_style="dots")
    with pytest.raises(ValueError):
        write_label_pdf(sink, sample_labels(1), "no-such-layout")
    assert sink.chunks == []


@pytest.mark.parametrize("layout_name", list(LAYOUTS))
def test_alignment_page(layout_name):
    layout = get_layout(layout_name)
    offset = (1.5, -0.5)
    pdf = pdf_bytes_of(write_alignment_pdf, layout_name, offset=offset)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = squash(reader.pages[0].extract_text())
    assert layout_name in text and "X +1.5 mm" in text and "Y -0.5 mm" in text
    image = render_pages(pdf, dpi=150)[0]
    pixels = np.array(image) < 160
    px = 150 / 25.4
    for rect in layout.label_rects(offset):
        if rect.x < 0 or rect.y < 0:
            continue  # the outline is off the page
        # Outline drawn along the label's top edge; centre cross at its centre.
        row = round(rect.y * px)
        middle = round((rect.x + rect.w / 2) * px)
        assert pixels[max(0, row - 1) : row + 2, middle].any()
        cy, cx = round((rect.y + rect.h / 2) * px), round((rect.x + rect.w / 2) * px)
        assert pixels[cy - 1 : cy + 2, cx - 1 : cx + 2].any()
    assert not decode_all(image)


def test_printer_dots_fixed_version_and_a_longer_address_late_in_the_run():
    labels = sample_labels(4, product=1)
    # Thermal printer at 203 dpi, version forced up to 6: still every code decodes.
    pdf = label_pdf_bytes(labels, "roll-50x30", dpi=203, version=6)
    check_every_code(pdf, "roll-50x30", labels)
    # A longer address after the first chunk of pages (which fixed the run's version)
    # gets a bigger code instead of failing or being cut.
    first = sample_labels(CHUNK_LABELS)
    longer = LabelContent(
        first[0].url + "&extra=" + "x" * 30, "2222-2222-2222", "Mắm tôm", "Cơ sở Ba Làng", "L1"
    )
    buf = io.BytesIO()
    result = write_label_pdf(buf, first + [longer], "a4-3x8")
    assert result.qr_version == 5 and result.labels == CHUNK_LABELS + 1
    last_page = render_pages(buf.getvalue())[-1]
    rect = get_layout("a4-3x8").label_rects()[0]
    assert decode_one(crop_mm(last_page, rect)) == longer.url


def test_star_counts_are_checked():
    label = sample_labels(1)[0]
    with pytest.raises(ValueError):
        LabelContent(label.url, label.serial_display, "x", "y", "L1", stars=6)


@pytest.mark.parametrize(
    "layout_name, name_size", [("a4-3x8", 9), ("a4-3x7", 9), ("roll-50x30", 8)]
)
def test_roomy_labels_keep_big_type_and_a_bold_serial(layout_name, name_size):
    label = sample_labels(1)[0]
    geometry = label_geometry(get_layout(layout_name), 5)
    lines = layout_text(label, geometry.text.w * PT_PER_MM, geometry.text.h * PT_PER_MM)
    name_sizes = {line.size for line in lines if line.role == "name"}
    assert min(name_sizes) >= name_size  # wrapped rather than shrunk to one line
    serial = lines[-1]
    assert serial.role == "serial" and serial.bold
