"""TrueType fonts for labels: metrics, glyph lookup, and fitting text into a width.

Labels are set in DejaVu Sans (regular and bold), shipped in ``static/fonts`` with
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

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
ELLIPSIS = "\u2026"
FALLBACK = "?"
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


@lru_cache(maxsize=SUBSET_CACHE_SIZE)
def _subset(font: TrueTypeFont, gids: tuple[int, ...]) -> bytes:
    return subset_truetype(font.data, gids)


@lru_cache(maxsize=None)
def load_font(filename: str, directory: str | None = None) -> TrueTypeFont:
    """The font ``filename`` from ``static/fonts`` (or ``directory``), loaded once."""
    return TrueTypeFont.load((Path(directory) if directory else FONT_DIR) / filename)


def label_fonts() -> tuple[TrueTypeFont, TrueTypeFont]:
    """(regular, bold) label fonts."""
    return load_font(REGULAR), load_font(BOLD)


# ------------------------------------------------------------------------- text fitting


def ellipsize(text: str, font: TrueTypeFont, size: float, max_width: float) -> str:
    """``text`` cut at a word (or, failing that, a character) with '…' so it fits."""
    if font.width(text, size) <= max_width:
        return text
    words = text.split()
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",.;:-") + ELLIPSIS
        if font.width(candidate, size) <= max_width:
            return candidate
    chars = text
    while chars:
        chars = chars[:-1].rstrip()
        candidate = chars + ELLIPSIS
        if font.width(candidate, size) <= max_width:
            return candidate
    return ""


def _pieces(words: list[str], font: TrueTypeFont, size: float, max_width: float):
    """Words, with any word wider than a line split into pieces that fit."""
    for word in words:
        while font.width(word, size) > max_width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and font.width(word[:cut], size) > max_width:
                cut -= 1
            yield word[:cut]
            word = word[cut:]
        yield word


def wrap(
    text: str, font: TrueTypeFont, size: float, max_width: float, max_lines: int
) -> tuple[list[str], bool]:
    """Greedy word wrap into at most ``max_lines`` lines.

    Returns (lines, complete). When the text needs more lines, the last line kept ends
    with '…' and complete is False.
    """
    lines: list[str] = []
    current = ""
    for word in _pieces(text.split(), font, size, max_width):
        candidate = f"{current} {word}" if current else word
        if current and font.width(candidate, size) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines, True
    kept = lines[: max_lines - 1]
    kept.append(ellipsize(" ".join(lines[max_lines - 1 :]), font, size, max_width))
    return kept, False


def fit_size(
    text: str, font: TrueTypeFont, size: float, max_width: float, min_size: float
) -> float:
    """The largest size <= ``size`` (down to ``min_size``) at which ``text`` fits."""
    width = font.width(text, size)
    if width <= max_width or width == 0:
        return size
    return max(min_size, size * max_width / width * (1 - 1e-9))  # stay under, not on, the edge
