"""Read the few TrueType tables a PDF writer needs, and cut a font down to its used glyphs.

Embedding a TrueType font in a PDF (as ``FontFile2``) needs: the character to glyph map
(``cmap``), glyph advance widths (``hhea``/``hmtx``), units per em and the bounding box
(``head``), ascent/descent/cap height (``OS/2``), the italic angle (``post``) and the
PostScript name (``name``). These are read here without any third-party code.

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


def _tables(data: bytes) -> dict[bytes, tuple[int, int]]:
    version, count = struct.unpack_from(">IH", data, 0)
    if version not in (0x00010000, 0x74727565):  # 1.0 or 'true': TrueType outlines
        raise FontFormatError("not a TrueType (glyf) font file")
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        tables[tag] = (offset, length)
    for tag in (b"cmap", b"head", b"hhea", b"hmtx", b"maxp"):
        if tag not in tables:
            raise FontFormatError(f"font has no {tag.decode()} table")
    return tables


def _cmap(data: bytes, offset: int) -> dict[int, int]:
    """Unicode cmap: format 12 (full Unicode) if present, else format 4 (BMP)."""
    _version, count = struct.unpack_from(">HH", data, offset)
    subtables = {}
    for i in range(count):
        platform, encoding, sub = struct.unpack_from(">HHI", data, offset + 4 + 8 * i)
        subtables[(platform, encoding)] = offset + sub
    for key in ((3, 10), (0, 4), (3, 1), (0, 3)):
        if key in subtables:
            start = subtables[key]
            fmt = struct.unpack_from(">H", data, start)[0]
            if fmt == 12:
                return _cmap_format12(data, start)
            if fmt == 4:
                return _cmap_format4(data, start)
    raise FontFormatError("no Unicode cmap (format 4 or 12)")


def _cmap_format4(data: bytes, start: int) -> dict[int, int]:
    seg_count = struct.unpack_from(">H", data, start + 6)[0] // 2
    ends_at = start + 14
    starts_at = ends_at + 2 * seg_count + 2  # skip reservedPad
    deltas_at = starts_at + 2 * seg_count
    ranges_at = deltas_at + 2 * seg_count
    ends = struct.unpack_from(f">{seg_count}H", data, ends_at)
    starts = struct.unpack_from(f">{seg_count}H", data, starts_at)
    deltas = struct.unpack_from(f">{seg_count}h", data, deltas_at)
    ranges = struct.unpack_from(f">{seg_count}H", data, ranges_at)
    cmap = {}
    for seg in range(seg_count):
        for code in range(starts[seg], ends[seg] + 1):
            if code == 0xFFFF:
                continue
            if ranges[seg] == 0:
                gid = (code + deltas[seg]) & 0xFFFF
            else:
                # idRangeOffset is relative to its own position in the array.
                at = ranges_at + 2 * seg + ranges[seg] + 2 * (code - starts[seg])
                gid = struct.unpack_from(">H", data, at)[0]
                if gid:
                    gid = (gid + deltas[seg]) & 0xFFFF
            if gid:
                cmap[code] = gid
    return cmap


def _cmap_format12(data: bytes, start: int) -> dict[int, int]:
    groups = struct.unpack_from(">I", data, start + 12)[0]
    cmap = {}
    for i in range(groups):
        first, last, gid = struct.unpack_from(">III", data, start + 16 + 12 * i)
        for code in range(first, last + 1):
            cmap[code] = gid + code - first
    return cmap


def _ps_name(data: bytes, tables) -> str:
    if b"name" not in tables:
        return "Font"
    offset, _ = tables[b"name"]
    _fmt, count, strings = struct.unpack_from(">HHH", data, offset)
    for i in range(count):
        platform, _enc, _lang, name_id, length, at = struct.unpack_from(
            ">6H", data, offset + 6 + 12 * i
        )
        if name_id == 6:
            raw = data[offset + strings + at : offset + strings + at + length]
            name = raw.decode("utf-16-be" if platform in (0, 3) else "latin-1")
            # PDF names: keep it to printable ASCII without delimiters.
            return (
                "".join(ch for ch in name if ch.isascii() and ch.isalnum() or ch in "-_") or "Font"
            )
    return "Font"


def _glyph_boxes(data: bytes, tables, num_glyphs: int) -> tuple:
    """Every glyph's outline box from the ``glyf`` headers (``loca`` gives offsets).

    The box is what ink a glyph leaves around its origin: labels use it to keep every
    printed mark inside the safe margin (diacritics reach above the nominal ascent).
    """
    if b"loca" not in tables or b"glyf" not in tables:
        return ()
    long_offsets = struct.unpack_from(">h", data, tables[b"head"][0] + 50)[0] == 1
    loca, _ = tables[b"loca"]
    glyf, _ = tables[b"glyf"]
    if long_offsets:
        offsets = struct.unpack_from(f">{num_glyphs + 1}I", data, loca)
    else:
        offsets = [2 * v for v in struct.unpack_from(f">{num_glyphs + 1}H", data, loca)]
    boxes = []
    for gid in range(num_glyphs):
        start, end = offsets[gid], offsets[gid + 1]
        if end <= start:
            boxes.append(None)  # no outline (space)
        else:
            boxes.append(struct.unpack_from(">4h", data, glyf + start + 2))
    return tuple(boxes)


def read_truetype(data: bytes) -> TrueTypeTables:
    """The metrics of the TrueType font file ``data``."""
    tables = _tables(data)
    head, _ = tables[b"head"]
    units_per_em = struct.unpack_from(">H", data, head + 18)[0]
    bbox = struct.unpack_from(">4h", data, head + 36)
    hhea, _ = tables[b"hhea"]
    hhea_ascent, hhea_descent = struct.unpack_from(">hh", data, hhea + 4)
    metrics_count = struct.unpack_from(">H", data, hhea + 34)[0]
    num_glyphs = struct.unpack_from(">H", data, tables[b"maxp"][0] + 4)[0]
    hmtx, _ = tables[b"hmtx"]
    advances = [struct.unpack_from(">H", data, hmtx + 4 * i)[0] for i in range(metrics_count)]
    advances += [advances[-1]] * (num_glyphs - metrics_count)  # monospaced tail

    ascent, descent, cap_height, weight = hhea_ascent, hhea_descent, hhea_ascent, 400
    if b"OS/2" in tables:
        os2, length = tables[b"OS/2"]
        version, _avg, weight = struct.unpack_from(">HhH", data, os2)
        ascent, descent = struct.unpack_from(">hh", data, os2 + 68)
        cap_height = ascent
        if version >= 2 and length >= 90:
            cap_height = struct.unpack_from(">h", data, os2 + 88)[0]
    italic_angle = 0.0
    if b"post" in tables:
        italic_angle = struct.unpack_from(">i", data, tables[b"post"][0] + 4)[0] / 65536
    return TrueTypeTables(
        ps_name=_ps_name(data, tables),
        units_per_em=units_per_em,
        bbox=tuple(bbox),
        ascent=ascent,
        descent=descent,
        cap_height=cap_height,
        weight_class=weight,
        italic_angle=italic_angle,
        cmap=_cmap(data, tables[b"cmap"][0]),
        advances=advances,
        glyph_boxes=_glyph_boxes(data, tables, num_glyphs),
    )


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
