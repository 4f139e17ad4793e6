"""Embedded fonts are subsets: only the glyphs a PDF shows, glyph ids unchanged.

A whole DejaVu Sans and Sans Bold (760 KB + 709 KB) made every label PDF weigh 0.75 MB
or more; producers download them on slow connections. These tests check that the
subsets are small, that they are what a PDF consumer needs (the TrueType tables the PDF
specification requires, the used glyphs with their outlines, widths that agree with
/W), and that pages look and read exactly as with the whole fonts.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from datetime import date
from types import SimpleNamespace

import numpy as np
import pypdf
import pytest
from fontTools.ttLib import TTFont

from registry.labels import fonts as label_font_module
from registry.labels.fonts import BOLD, FONT_DIR, REGULAR, TrueTypeFont, label_fonts
from registry.labels.layouts import get_layout
from registry.labels.pdf import label_pdf_bytes, write_alignment_pdf
from registry.labels.pdfwriter import EmbeddedFont, PageTree, PdfStreamWriter, subset_tag
from registry.labels.ttf import FontFormatError, subset_truetype

from .support import crop_mm, decode_one, pdf_bytes_of, render_pages, sample_labels

POMELO = "Bưởi Năm Roi Kế Thành"
STAR_APPLE = "Mứt vú sữa tím"
STAR_APPLE_MAKER = "Cơ sở Mứt Trinh Phú, xã Trinh Phú"
# PDF 1.7, 9.9: tables an embedded TrueType program must have ("cmap" only for simple fonts).
REQUIRED_TABLES = {"head", "hhea", "loca", "maxp", "cvt ", "prep", "glyf", "hmtx", "fpgm"}
FONT_FILES = {"DejaVuSans": REGULAR, "DejaVuSans-Bold": BOLD}


def squash(text: str) -> str:
    return " ".join(text.split())


def vietnamese_sheet(count: int = 24) -> list:
    """A run of labels, every other one of purple star apple jam instead of pomelo."""
    labels = sample_labels(count)
    assert labels[0].product_name == POMELO
    return [
        dataclasses.replace(
            label, product_name=STAR_APPLE, producer_name=STAR_APPLE_MAKER, stars=3
        )
        if i % 2
        else label
        for i, label in enumerate(labels)
    ]


def embedded_fonts(pdf: bytes) -> dict[str, dict]:
    """Per font resource: its names, /W widths (gid -> width) and font program."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            type0 = ref.get_object()
            cid = type0["/DescendantFonts"][0].get_object()
            descriptor = cid["/FontDescriptor"].get_object()
            stream = descriptor["/FontFile2"].get_object()
            widths, w = {}, list(cid["/W"])
            for first, run in zip(w[::2], w[1::2]):
                widths.update((int(first) + i, float(v)) for i, v in enumerate(run))
            program = stream.get_data()
            assert stream["/Length1"] == len(program)
            fonts[str(type0["/BaseFont"])[1:]] = {
                "names": {str(type0["/BaseFont"]), str(cid["/BaseFont"]),
                          str(descriptor["/FontName"])},
                "widths": widths,
                "program": program,
            }
    return fonts


def whole_font_pdf(monkeypatch, make):
    """``make()`` with the whole fonts embedded, as before subsetting."""
    with monkeypatch.context() as patch:
        patch.setattr(TrueTypeFont, "subset", lambda self, gids: self.data)
        return make()


# ---------------------------------------------------------------------------- size


def test_a_sheet_of_vietnamese_labels_is_small():
    pdf = label_pdf_bytes(vietnamese_sheet(24), "a4-3x8")
    # About 33 KB (QR paths ~12 KB, font subsets ~16 KB); the whole fonts made it 750 KB.
    assert len(pdf) < 64_000, len(pdf)
    one = label_pdf_bytes(vietnamese_sheet(1), "a4-3x8")
    assert len(one) < 40_000, len(one)  # ~18 KB, was 740 KB
    align = pdf_bytes_of(write_alignment_pdf, "a4-3x8")
    assert len(align) < 40_000, len(align)  # ~13 KB, was 739 KB


def test_the_font_programs_are_small_subsets_with_the_used_glyphs():
    labels = vietnamese_sheet(24)
    pdf = label_pdf_bytes(labels, "a4-3x8")
    fonts = embedded_fonts(pdf)
    assert sorted(name.split("+")[1] for name in fonts) == ["DejaVuSans", "DejaVuSans-Bold"]
    regular, bold = label_fonts()
    for name, embedded in fonts.items():
        tag, ps_name = name.split("+")
        assert re.fullmatch(r"[A-Z]{6}", tag)
        assert embedded["names"] == {"/" + name}  # Type0, CIDFont and descriptor agree
        source = regular if ps_name == "DejaVuSans" else bold
        original = (FONT_DIR / FONT_FILES[ps_name]).read_bytes()
        program = embedded["program"]
        assert len(program) < len(original) / 10, len(program)

        full, sub = TTFont(io.BytesIO(original)), TTFont(io.BytesIO(program))
        assert REQUIRED_TABLES <= set(sub.keys())
        assert not {"GSUB", "GPOS", "kern"} & set(sub.keys())  # layout is done: dropped
        assert sub["head"].unitsPerEm == full["head"].unitsPerEm
        full_glyf, sub_glyf = full["glyf"], sub["glyf"]
        full_order, sub_order = full.getGlyphOrder(), sub.getGlyphOrder()
        used = embedded["widths"]  # /W lists the glyphs the text uses
        # Names are set in bold, producers, lots and dates in regular.
        shown = {label.product_name if source is bold else label.producer_name + "Lô: HSD"
                 for label in labels}
        for ch in set("".join(shown)):
            assert source.cmap[ord(ch)] in used, ch

        upm = sub["head"].unitsPerEm
        for gid, width in used.items():
            # Glyph ids are kept: the same glyph, the same advance, the same outline.
            sub_name, full_name = sub_order[gid], full_order[gid]
            advance = sub["hmtx"][sub_name][0]
            assert advance == full["hmtx"][full_name][0]
            assert advance * 1000 / upm == pytest.approx(width, abs=0.5)  # /W: whole units
            sub_glyph, full_glyph = sub_glyf[sub_name], full_glyf[full_name]
            assert sub_glyph.numberOfContours == full_glyph.numberOfContours
            if full_glyph.numberOfContours:
                sub_coords, sub_ends, _ = sub_glyph.getCoordinates(sub_glyf)
                full_coords, full_ends, _ = full_glyph.getCoordinates(full_glyf)
                assert list(sub_coords) == list(full_coords) and sub_ends == full_ends
        # .notdef keeps its outline (the box a missing glyph shows)
        assert sub_glyf[sub_order[0]].numberOfContours == full_glyf[full_order[0]].numberOfContours
        # Nothing else: only the used glyphs (and components of composite ones) have outlines.
        outlined = [g for g in sub_order if sub_glyf[g].numberOfContours]
        assert len(outlined) <= len(used) + 20
        assert sum(1 for g in full_order if full_glyf[g].numberOfContours) > 3000
        euro = source.cmap[0x20AC]  # a glyph no label shows
        assert euro >= len(sub_order) or not sub_glyf[sub_order[euro]].numberOfContours


def test_text_extracts_with_vietnamese_diacritics():
    labels = vietnamese_sheet(24)
    text = squash(pypdf.PdfReader(io.BytesIO(label_pdf_bytes(labels, "a4-3x8"))).pages[0]
                  .extract_text())
    for label in labels:
        assert label.product_name in text and label.producer_name in text
        assert label.serial_display in text and f"Lô: {label.lot}" in text
    assert "OCOP ★★★★" in text and "OCOP ★★★" in text and "HSD: 31/12/2026" in text


def test_pages_render_exactly_as_with_the_whole_fonts(monkeypatch):
    labels = vietnamese_sheet(24)
    subset = label_pdf_bytes(labels, "a4-3x8")
    whole = whole_font_pdf(monkeypatch, lambda: label_pdf_bytes(labels, "a4-3x8"))
    assert len(whole) > 10 * len(subset)
    (subset_page,), (whole_page,) = render_pages(subset), render_pages(whole)
    assert np.array_equal(np.array(subset_page), np.array(whole_page))
    # and every code still decodes, in order
    rects = get_layout("a4-3x8").label_rects()
    assert [decode_one(crop_mm(subset_page, r)) for r in rects] == [l.url for l in labels]


# ---------------------------------------------------------------- poppler, if installed

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="poppler-utils (pdftoppm, pdftotext) not installed",
)


def poppler_render(pdf: bytes, tmp_path, name: str, dpi: int = 300):
    from PIL import Image

    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-gray", "-r", str(dpi), "-singlefile", source, tmp_path / name],
        check=True, capture_output=True,
    )
    return Image.open(tmp_path / f"{name}.png").convert("L")


@needs_poppler
def test_poppler_renders_the_subsets_and_reads_their_text(monkeypatch, tmp_path):
    """A second, independent consumer: poppler renders with FreeType from the program."""
    labels = vietnamese_sheet(24)
    subset = label_pdf_bytes(labels, "a4-3x8")
    whole = whole_font_pdf(monkeypatch, lambda: label_pdf_bytes(labels, "a4-3x8"))
    (tmp_path / "labels.pdf").write_bytes(subset)
    run = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", tmp_path / "labels.pdf", "-"],
        check=True, capture_output=True,
    )
    assert not run.stderr  # no complaints about the fonts
    text = squash(run.stdout.decode("utf-8"))
    assert POMELO in text and STAR_APPLE in text and STAR_APPLE_MAKER in text
    page = poppler_render(subset, tmp_path, "subset")
    assert np.array_equal(np.array(page), np.array(poppler_render(whole, tmp_path, "whole")))
    rects = get_layout("a4-3x8").label_rects()
    assert [decode_one(crop_mm(page, r)) for r in rects] == [l.url for l in labels]


# ------------------------------------------------------------------------- determinism


def test_identical_input_gives_identical_bytes():
    labels = vietnamese_sheet(30)
    first = label_pdf_bytes(labels, "a4-3x8")
    label_font_module._subset.cache_clear()  # subset again, not from the cache
    assert label_pdf_bytes(labels, "a4-3x8") == first
    # Other glyphs, another subset: another tag.
    other = embedded_fonts(label_pdf_bytes(sample_labels(3, product=1), "a4-3x8"))
    assert not set(other) & set(embedded_fonts(first))


def test_subset_tags():
    tag = subset_tag("DejaVuSans", [0, 3, 36])
    assert re.fullmatch(r"[A-Z]{6}", tag)
    assert subset_tag("DejaVuSans", [36, 3, 0]) == tag  # the set, not its order
    assert subset_tag("DejaVuSans", [0, 3, 37]) != tag
    assert subset_tag("DejaVuSans-Bold", [0, 3, 36]) != tag


# --------------------------------------------------------------- the shared font writer


def test_a_face_never_used_still_embeds_a_valid_font():
    out = io.BytesIO()
    writer = PdfStreamWriter(out)
    pages = PageTree(writer)
    regular, bold = (EmbeddedFont(writer, f) for f in label_fonts())
    resources = writer.add_object(
        f"<< /Font << /F1 {regular.number} 0 R /F2 {bold.number} 0 R >> >>"
    )
    content = writer.add_stream(
        f"BT /F1 12 Tf 1 0 0 1 72 720 Tm {regular.encode(STAR_APPLE)} Tj ET\n".encode()
    )
    pages.add_page(f"/MediaBox [0 0 300 800] /Resources {resources} 0 R /Contents {content} 0 R")
    regular.finish()
    bold.finish()
    writer.finish(writer.add_object(f"<< /Type /Catalog /Pages {pages.finish()} 0 R >>"))
    pdf = out.getvalue()
    assert STAR_APPLE in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for embedded in embedded_fonts(pdf).values():
        TTFont(io.BytesIO(embedded["program"]))["glyf"]  # parses
    assert len(pdf) < 40_000


def test_the_decision_certificate_embeds_subsets_too():
    """The office's certificate is written by the same writer and fonts."""
    from registry.ocop.criteria import CouncilLevel
    from registry.ratings.certificate import certificate_pdf

    decision = SimpleNamespace(
        product=SimpleNamespace(
            name_vi=STAR_APPLE, name_en="Purple star apple jam",
            producer=SimpleNamespace(name=STAR_APPLE_MAKER, commune=None),
        ),
        issuing_body="UBND tỉnh Sóc Trăng", issuing_level=CouncilLevel.PROVINCE,
        criteria_set=SimpleNamespace(label="Bộ tiêu chí 2021"), stars=4, points=78.5,
        decision_number="12/QĐ-UBND", decided_on=date(2024, 1, 2),
        valid_until=date(2027, 1, 2), revoked_on=None, is_demo=False,
        product_set_def=None,
    )
    pdf = certificate_pdf(decision, "https://ocop.example.vn/01/08939999000017")
    assert len(pdf) < 60_000, len(pdf)
    text = squash(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert STAR_APPLE in text and "Độc lập – Tự do – Hạnh phúc" in text
    assert all("+" in name for name in embedded_fonts(pdf))


def test_subsetting_refuses_other_files():
    with pytest.raises(FontFormatError):
        subset_truetype(b"OTTO" + bytes(100), [0])
