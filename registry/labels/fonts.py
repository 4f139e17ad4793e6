"""TrueType fonts for labels: metrics, glyph lookup, and fitting text into a width.

Labels are set in DejaVu Sans (regular and bold), shipped in ``registry/static/fonts`` with
their licence, so printed labels never depend on the fonts of the server. DejaVu has
every precomposed Vietnamese letter and the black star used for OCOP ratings.

The TTF tables are read by :mod:`registry.labels.ttf`; nothing here draws anything.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .ttf import read_truetype, subset_truetype

FONT_DIR = Path(__file__).resolve().parents[1] / "static" / "fonts"
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
FALLBACK = "?"
# Ink boxes are taken this much (1/1000 em) larger on every side than the outlines:
# hinting and renderers move outlines a little (pdfium's glyph boxes of DejaVu's
# composite accented letters are up to ~15/1000 em larger than their glyf headers).
INK_SLACK = 30.0
SUBSET_CACHE_SIZE = 16  # subset programs kept (tens of KB each): reprints of one run


@dataclass(eq=False)
class TrueTypeFont:
    """A TrueType font file with the metrics a PDF writer needs."""

    ps_name: str
    data: bytes
    cmap: dict[int, int]  # code point -> glyph id
    advances: list[int]  # glyph id -> advance width in font units
    units_per_em: int
    ascent: float  # in 1/1000 em, as PDF font descriptors want them
    descent: float
    cap_height: float
    bbox: tuple[float, float, float, float]
    italic_angle: float
    stem_v: float
    boxes: tuple = ()  # glyph id -> ink box (xMin, yMin, xMax, yMax) in font units, or None

    @classmethod
    def load(cls, path: str | Path) -> "TrueTypeFont":
        data = Path(path).read_bytes()
        tables = read_truetype(data)
        per_mille = 1000.0 / tables.units_per_em
        return cls(
            ps_name=tables.ps_name,
            data=data,
            cmap=tables.cmap,
            advances=tables.advances,
            units_per_em=tables.units_per_em,
            ascent=tables.ascent * per_mille,
            descent=tables.descent * per_mille,
            cap_height=tables.cap_height * per_mille,
            bbox=tuple(v * per_mille for v in tables.bbox),
            italic_angle=tables.italic_angle,
            # The usual estimate from the weight class (PDF wants some StemV).
            stem_v=50 + (tables.weight_class / 65) ** 2,
            boxes=tables.glyph_boxes,
        )

    def glyph_width(self, gid: int) -> float:
        """Advance of glyph ``gid`` in 1/1000 em (PDF glyph space)."""
        advances = self.advances
        aw = advances[gid] if gid < len(advances) else advances[-1]
        return aw * 1000.0 / self.units_per_em

    def has_glyphs(self, text: str) -> bool:
        return all(ord(ch) in self.cmap for ch in text)

    def glyphs(self, text: str) -> tuple[tuple[int, str], ...]:
        """(glyph id, character) pairs for ``text`` after NFC normalisation.

        A character without a glyph is decomposed (base letter + combining marks) when
        the font has those, else shown as '?'. Bounded cache: label runs repeat the
        same product and producer names thousands of times.
        """
        return _glyphs(self, text)

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` in points at ``size`` points."""
        return _width_units(self, text) * size / 1000.0

    def ink(self, text: str) -> tuple[float, float, float, float, float]:
        """(advance, left, right, bottom, top) of ``text`` set from the origin, in 1/1000
        em: the pen advance and the box of the ink its glyph outlines leave (y up from
        the baseline), widened by ``INK_SLACK``. Accents on Vietnamese capitals reach
        well above the nominal ascent, so placing text by these boxes is what keeps it
        inside a margin."""
        return _ink(self, text)

    def subset(self, gids: Iterable[int]) -> bytes:
        """The font program with only glyphs ``gids`` (plus .notdef), ids unchanged.

        See :func:`~registry.labels.ttf.subset_truetype`. Cached by glyph set: the same
        labels printed again embed the same program without subsetting again.
        """
        return _subset(self, tuple(sorted(set(gids) | {0})))


@lru_cache(maxsize=4096)
def _glyphs(font: TrueTypeFont, text: str) -> tuple[tuple[int, str], ...]:
    out: list[tuple[int, str]] = []
    for ch in unicodedata.normalize("NFC", text):
        gid = font.cmap.get(ord(ch))
        if gid is not None:
            out.append((gid, ch))
            continue
        parts = unicodedata.normalize("NFD", ch)
        if len(parts) > 1 and font.has_glyphs(parts):
            out.extend((font.cmap[ord(p)], p) for p in parts)
        else:
            out.append((font.cmap[ord(FALLBACK)], FALLBACK))
    return tuple(out)


@lru_cache(maxsize=8192)
def _width_units(font: TrueTypeFont, text: str) -> float:
    return sum(font.glyph_width(gid) for gid, _ in _glyphs(font, text))


@lru_cache(maxsize=8192)
def _ink(font: TrueTypeFont, text: str) -> tuple[float, float, float, float, float]:
    metrics = _metrics(font)
    inf = float("inf")
    pen = 0.0
    left = bottom = inf
    right = top = -inf
    for gid, _ in _glyphs(font, text):
        metric = metrics.get(gid) or _metric(font, gid)
        advance, box = metric
        if box is not None:  # plain comparisons: this runs for every label's serial
            x0, y0, x1, y1 = box
            if pen + x0 < left:
                left = pen + x0
            if pen + x1 > right:
                right = pen + x1
            if y0 < bottom:
                bottom = y0
            if y1 > top:
                top = y1
        pen += advance
    if left == inf:  # no ink at all (spaces, or a font without boxes)
        return pen, 0.0, pen, 0.0, 0.0
    slack = INK_SLACK
    return pen, left - slack, right + slack, bottom - slack, top + slack


@lru_cache(maxsize=None)
def _metrics(font: TrueTypeFont) -> dict[int, tuple]:
    """glyph id -> (advance, ink box or None) in 1/1000 em, for the glyphs used so far."""
    return {}


def _metric(font: TrueTypeFont, gid: int) -> tuple:
    boxes = font.boxes
    box = boxes[gid] if gid < len(boxes) else None
    if box is not None:
        scale = 1000.0 / font.units_per_em
        box = tuple(v * scale for v in box)
    metric = _metrics(font)[gid] = (font.glyph_width(gid), box)
    return metric


@lru_cache(maxsize=SUBSET_CACHE_SIZE)
def _subset(font: TrueTypeFont, gids: tuple[int, ...]) -> bytes:
    return subset_truetype(font.data, gids)


@lru_cache(maxsize=None)
def load_font(filename: str, directory: str | None = None) -> TrueTypeFont:
    """The font ``filename`` from ``registry/static/fonts`` (or ``directory``), loaded once."""
    return TrueTypeFont.load((Path(directory) if directory else FONT_DIR) / filename)


def label_fonts() -> tuple[TrueTypeFont, TrueTypeFont]:
    """(regular, bold) label fonts."""
    return load_font(REGULAR), load_font(BOLD)


# ------------------------------------------------------------------------- text fitting
#
# Nothing here ever cuts text short: a text either fits (possibly smaller, or over more
# lines) or the caller is told it does not (None), and decides what to do.

BREAK_AFTER = "-/._:,;"  # a value broken over lines is broken after one of these if it can


def ink_width(font: TrueTypeFont, text: str, size: float) -> float:
    """Width (pt) a line of ``text`` needs so that all of its ink stays inside: from the
    origin (or the first glyph's ink if it reaches left of the origin) to the ink's right."""
    _adv, left, right, _bottom, _top = font.ink(text)
    return (right - min(0.0, left)) * size / 1000.0


def fits(font: TrueTypeFont, text: str, size: float, max_width: float) -> bool:
    return ink_width(font, text, size) <= max_width + 1e-9


def fit_size(
    text: str, font: TrueTypeFont, size: float, max_width: float, min_size: float
) -> float:
    """The largest size <= ``size`` (down to ``min_size``) at which ``text`` fits.

    Returns ``min_size`` when even that is too wide: check with :func:`fits`, or use
    :func:`fitting_size`, which says so.
    """
    width = ink_width(font, text, size)
    if width <= max_width or width == 0:
        return size
    return max(min_size, size * max_width / width * (1 - 1e-9))  # stay under, not on, the edge


def fitting_size(
    text: str, font: TrueTypeFont, size: float, max_width: float, min_size: float
) -> float | None:
    """Like :func:`fit_size`, but None when ``text`` does not fit even at ``min_size``."""
    fitted = fit_size(text, font, size, max_width, min_size)
    return fitted if fits(font, text, fitted, max_width) else None


def split_value(
    text: str, font: TrueTypeFont, size: float, max_width: float, prefix: str = ""
) -> list[str] | None:
    """``text`` (one word: a lot code, a serial) broken into lines that each fit, all of
    it kept: each as long as possible, ending after a ``BREAK_AFTER`` character when
    that does not waste much of the line. The first line starts with ``prefix`` (a
    caption such as "Lô: "), or is the caption alone when nothing more fits after it.
    None if a line cannot hold even one character (or the caption)."""
    lines: list[str] = []
    head = prefix
    while text:
        cut = len(text)
        while cut and not fits(font, head + text[:cut], size, max_width):
            cut -= 1
        if cut == 0:
            if not head or not fits(font, head.rstrip(), size, max_width):
                return None
            lines.append(head.rstrip())  # the caption alone; the value starts below
            head = ""
            continue
        if cut < len(text):
            nice = max(text.rfind(ch, 0, cut) for ch in BREAK_AFTER)
            if nice >= 0 and nice + 1 >= cut // 2:
                cut = nice + 1
        lines.append(head + text[:cut])
        text = text[cut:]
        head = ""
    return lines


def wrap(
    text: str, font: TrueTypeFont, size: float, max_width: float, *, break_words: bool = True
) -> list[str] | None:
    """Greedy word wrap of the whole of ``text`` into lines that fit ``max_width``.

    A word wider than a line is broken into pieces (:func:`split_value`) when
    ``break_words``; otherwise the result is None. Nothing is ever dropped.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(font, candidate, size, max_width):
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        if fits(font, word, size, max_width):
            current = word
            continue
        if not break_words:
            return None
        pieces = split_value(word, font, size, max_width)
        if pieces is None:
            return None
        lines += pieces[:-1]
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines
