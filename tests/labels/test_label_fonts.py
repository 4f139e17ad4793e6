"""Shipped fonts and text fitting."""

from __future__ import annotations

import unicodedata

import pytest

from registry.labels.fonts import (
    BOLD,
    FONT_DIR,
    REGULAR,
    fit_size,
    fits,
    fitting_size,
    ink_width,
    label_fonts,
    split_value,
    wrap,
)

VIETNAMESE = "Bưởi Năm Roi Kế Thành Nấm linh chi thái lát ĐđƯưƠơ ẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặ ỸỹỴỵỶỷ"


def test_fonts_and_licence_are_shipped_with_the_app():
    for name in (REGULAR, BOLD, "LICENSE-DejaVu.txt"):
        assert (FONT_DIR / name).is_file()
    assert "Bitstream" in (FONT_DIR / "LICENSE-DejaVu.txt").read_text()
    assert FONT_DIR.parts[-2:] == ("static", "fonts")


@pytest.mark.parametrize("font", label_fonts(), ids=["regular", "bold"])
def test_fonts_have_every_glyph_labels_use(font):
    assert font.has_glyphs(VIETNAMESE + "★·" + "-/:0123456789")
    assert font.ps_name in ("DejaVuSans", "DejaVuSans-Bold")


def test_decomposed_input_uses_precomposed_glyphs():
    regular, _ = label_fonts()
    nfd = unicodedata.normalize("NFD", "Bưởi Kế Thành")
    assert regular.glyphs(nfd) == regular.glyphs("Bưởi Kế Thành")
    assert "?" not in "".join(ch for _, ch in regular.glyphs(nfd))


def test_missing_glyphs_fall_back_to_a_question_mark():
    regular, _ = label_fonts()
    assert [ch for _, ch in regular.glyphs("a\u4e2db")] == ["a", "?", "b"]  # no CJK in DejaVu


def test_width_scales_with_size():
    regular, bold = label_fonts()
    assert regular.width("Bưởi", 10) == pytest.approx(2 * regular.width("Bưởi", 5))
    assert bold.width("Bưởi", 10) > regular.width("Bưởi", 10)


def test_wrap_keeps_lines_within_the_width_and_never_drops_text():
    regular, _ = label_fonts()
    text = "Hợp tác xã Nông nghiệp Kế Thành, huyện Kế Sách, tỉnh Sóc Trăng"
    lines = wrap(text, regular, 7, 60)
    assert " ".join(lines) == text and len(lines) > 1
    assert all(ink_width(regular, line, 7) <= 60 for line in lines)
    assert "…" not in "".join(lines)


def test_overlong_words_are_split_or_refused():
    regular, _ = label_fonts()
    lines = wrap("X" * 40, regular, 8, 50)
    assert "".join(lines) == "X" * 40
    assert all(fits(regular, line, 8, 50) for line in lines)
    assert wrap("X" * 40, regular, 8, 50, break_words=False) is None


def test_values_break_after_dashes_and_keep_every_character():
    regular, _ = label_fonts()
    lines = split_value("LOT-2026-ABCDEFGHIJK", regular, 6, 50, prefix="Lô: ")
    assert lines[0].startswith("Lô: ") and lines[0].endswith("-")
    assert "".join(lines) == "Lô: LOT-2026-ABCDEFGHIJK"
    assert all(fits(regular, line, 6, 50) for line in lines)
    assert split_value("W", regular, 6, 2) is None


def test_ink_boxes_reach_above_the_nominal_ascent():
    regular, bold = label_fonts()
    top = bold.ink("Ẩ")[4]
    assert top > 1000 > bold.ascent  # the stacked accents of Vietnamese capitals
    assert regular.ink("J")[3] < -150  # DejaVu's J descends below the baseline
    space = regular.glyph_width(regular.cmap[32])
    assert regular.ink(" ") == (space, 0.0, space, 0.0, 0.0)


def test_fit_size():
    regular, _ = label_fonts()
    size = fit_size("2222-CDTT-4L44", regular, 9, 40, 3)
    assert size < 9 and ink_width(regular, "2222-CDTT-4L44", size) <= 40 + 1e-6
    assert fit_size("2222-CDTT-4L44", regular, 9, 40, 6) == 6  # not below the minimum
    assert fitting_size("2222-CDTT-4L44", regular, 9, 40, 6) is None  # ...and says so


@pytest.mark.parametrize("filename", [REGULAR, BOLD])
def test_truetype_reader_agrees_with_reportlab(filename):
    ttfonts = pytest.importorskip("reportlab.pdfbase.ttfonts")
    from registry.labels.fonts import TrueTypeFont

    ours = TrueTypeFont.load(FONT_DIR / filename)
    theirs = ttfonts.TTFontFile(str(FONT_DIR / filename))
    assert ours.ps_name == theirs.name.decode()
    # reportlab maps U+00A0 (no-break space) to the space glyph on purpose; we keep
    # the font's own mapping.
    assert {k: v for k, v in ours.cmap.items() if k != 0xA0} == {
        k: v for k, v in theirs.charToGlyph.items() if k != 0xA0
    }
    assert ours.units_per_em == theirs.unitsPerEm
    assert ours.ascent == pytest.approx(theirs.ascent)
    assert ours.descent == pytest.approx(theirs.descent)
    assert ours.bbox == pytest.approx(tuple(theirs.bbox))
    assert ours.stem_v == pytest.approx(theirs.stemV, abs=1)
    for code, width in theirs.charWidths.items():  # every character's advance
        if code in ours.cmap:
            assert ours.glyph_width(ours.cmap[code]) == pytest.approx(width), hex(code)


def test_truetype_reader_refuses_other_files(tmp_path):
    from registry.labels.ttf import FontFormatError, read_truetype

    with pytest.raises(FontFormatError):
        read_truetype(b"OTTO" + bytes(100))  # CFF-flavoured OpenType
