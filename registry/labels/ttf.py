"""The few TrueType facts a PDF writer and the label text need, and a font cut down to
its used glyphs; both with fontTools.

Embedding a TrueType font in a PDF (as ``FontFile2``) needs: the character to glyph map
(``cmap``), glyph advance widths (``hhea``/``hmtx``), units per em and the bounding box
(``head``), ascent/descent/cap height (``OS/2``), the italic angle (``post``) and the
PostScript name (``name``); the label text also places glyphs by their outline boxes
(``glyf``).

:func:`subset_truetype` makes the font program that is embedded: only the glyphs a PDF
shows, with their glyph ids unchanged, built with fontTools' subsetter (the outlines
are not parsed here).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Iterable


class FontFormatError(ValueError):
    """Not a TrueType font this reader understands."""


@dataclass(frozen=True)
class TrueTypeTables:
    ps_name: str
    units_per_em: int
    bbox: tuple[int, int, int, int]  # font units
    ascent: int  # font units
    descent: int
    cap_height: int
    weight_class: int
    italic_angle: float
    cmap: dict[int, int]  # code point -> glyph id
    advances: list[int]  # glyph id -> advance width, font units
    # glyph id -> outline box (xMin, yMin, xMax, yMax) in font units; None: no outline
    glyph_boxes: tuple = ()


def read_truetype(data: bytes) -> TrueTypeTables:
    """The metrics of the TrueType font file ``data``, read with fontTools."""
    # Imported here: fontTools takes a noticeable time to import, and only processes
    # that lay out or print labels need it.
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        for tag in ("glyf", "cmap", "head", "hhea", "hmtx", "maxp"):
            if tag not in font:
                raise FontFormatError(f"not a TrueType font with outlines: no {tag} table")
        order = font.getGlyphOrder()
        gids = {name: gid for gid, name in enumerate(order)}
        cmap = font.getBestCmap()  # format 12 (full Unicode) if present, else format 4
        if cmap is None:
            raise FontFormatError("no Unicode cmap (format 4 or 12)")
        metrics = font["hmtx"].metrics
        glyf = font["glyf"]
        boxes = tuple(_glyph_box(glyf, name) for name in order)
        head, hhea = font["head"], font["hhea"]
        ascent, descent, cap_height, weight = hhea.ascent, hhea.descent, hhea.ascent, 400
        if "OS/2" in font:
            os2 = font["OS/2"]
            ascent, descent, weight = os2.sTypoAscender, os2.sTypoDescender, os2.usWeightClass
            cap_height = os2.sCapHeight if os2.version >= 2 else ascent
        name = font["name"].getDebugName(6) if "name" in font else None
        italic_angle = float(font["post"].italicAngle) if "post" in font else 0.0
    except (TTLibError, struct.error, KeyError) as error:
        raise FontFormatError(f"not a font this reader understands: {error}") from error
    return TrueTypeTables(
        # PDF names: printable ASCII without delimiters.
        ps_name="".join(ch for ch in name or "" if ch.isascii() and ch.isalnum()
                        or ch in "-_") or "Font",
        units_per_em=head.unitsPerEm,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        ascent=ascent,
        descent=descent,
        cap_height=cap_height,
        weight_class=weight,
        italic_angle=italic_angle,
        cmap={code: gids[glyph] for code, glyph in cmap.items()},
        advances=[metrics[glyph][0] for glyph in order],
        glyph_boxes=boxes,
    )


def _glyph_box(glyf, name: str) -> tuple[int, int, int, int] | None:
    """A glyph's outline box (None: no outline, as a space). The box is what ink a glyph
    leaves around its origin: labels keep every printed mark inside the safe margin
    with it (diacritics reach above the nominal ascent). Read from the glyph record's
    header while fontTools has not expanded it (expanding 6,000 glyphs takes 0.7 s)."""
    glyph = glyf.glyphs[name]
    raw = glyph.__dict__.get("data")
    if raw is not None:
        return struct.unpack_from(">4h", raw, 2) if raw else None
    if not getattr(glyph, "numberOfContours", 0):
        return None
    return (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)


# What an embedded TrueType program for a CIDFontType2 keeps (PDF 1.7, 9.9: "head",
# "hhea", "loca", "maxp", "cvt ", "prep", "glyf", "hmtx" and "fpgm" are required; "cmap"
# is not needed with a CIDFont but is kept, cut to the kept glyphs, for tools that look
# for one). OS/2, post, name and gasp are small and carry the embedding permissions,
# metrics, names and hinting behaviour. Everything else (GSUB, GPOS, kern, MATH, ...)
# serves text layout, which the PDF has already done: it is dropped before subsetting,
# so fontTools does not spend its time decoding it.
SUBSET_TABLES = frozenset(
    ["head", "hhea", "hmtx", "maxp", "loca", "glyf", "cvt ", "fpgm", "prep", "gasp",
     "cmap", "OS/2", "post", "name"]
)


def subset_truetype(data: bytes, gids: Iterable[int]) -> bytes:
    """The font program ``data`` cut down to glyphs ``gids``, glyph ids unchanged.

    Glyph 0 (.notdef) keeps its outline, composite glyphs keep their components, and
    every other glyph up to the highest one kept is left empty (``retain_gids``), so
    text already written as glyph ids shows the same glyphs and the ``hmtx`` advances
    of the kept glyphs are those of the full font. Hinting is kept. The result depends
    only on ``data`` and the set of ``gids`` (no timestamps), so identical input gives
    identical bytes.
    """
    # Imported here: fontTools takes a noticeable time to import and only PDF output
    # needs it, not every process that imports the label engine.
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), recalcBBoxes=False, recalcTimestamp=False)
        if "glyf" not in font:
            raise FontFormatError("not a TrueType (glyf) font file")
        for tag in list(font.keys()):
            if tag != "GlyphOrder" and tag not in SUBSET_TABLES:
                del font[tag]
        options = subset.Options()
        options.retain_gids = True
        options.notdef_glyph = True
        options.notdef_outline = True
        options.hinting = True
        options.layout_features = []
        options.glyph_names = False
        options.recalc_bounds = False
        options.recalc_timestamp = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=sorted(set(gids) | {0}))
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    except TTLibError as error:
        raise FontFormatError(str(error)) from error
    return out.getvalue()
