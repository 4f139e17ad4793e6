"""Thermal label text: DejaVu glyphs rasterised by FreeType at the printer's dots, placed
at the PDF's pen positions (see :mod:`~registry.labels.thermal`)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .fonts import BOLD, FONT_DIR, REGULAR, label_fonts
from .textlayout import TextLine


@lru_cache(maxsize=64)
def _pil_font(bold: bool, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        str(FONT_DIR / (BOLD if bold else REGULAR)), size_px, layout_engine=ImageFont.Layout.BASIC
    )


@lru_cache(maxsize=8192)
def _glyph(bold: bool, size_px: float, ch: str) -> tuple[np.ndarray, int, int] | None:
    """The monochrome raster of ``ch``: (bool array, left, top) relative to the pen
    position on the baseline; None for a glyph without ink (a space)."""
    font = _pil_font(bold, size_px)
    left, top, right, bottom = font.getbbox(ch, mode="1", anchor="ls")
    if right <= left or bottom <= top:
        return None
    image = Image.new("1", (right - left, bottom - top), 0)
    ImageDraw.Draw(image).text((-left, -top), ch, fill=1, font=font, anchor="ls")
    ink = np.asarray(image, dtype=bool)
    if not ink.any():
        return None
    return ink, left, top


def _blit(canvas: np.ndarray, ink: np.ndarray, x: int, y: int) -> int:
    """OR ``ink`` into ``canvas`` at (x, y), clipped; returns the ink dots clipped off."""
    h, w = ink.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas.shape[1], x + w), min(canvas.shape[0], y + h)
    if x0 >= x1 or y0 >= y1:
        return int(ink.sum())
    part = ink[y0 - y : y1 - y, x0 - x : x1 - x]
    canvas[y0:y1, x0:x1] |= part
    if part.shape == ink.shape:
        return 0
    return int(ink.sum() - part.sum())


def glyph_positions(line: TextLine, origin_x: float, origin_y: float, dpi: int):
    """(character, x, baseline) in dots for every glyph of ``line``, whose text box has its
    top-left corner at (``origin_x``, ``origin_y``) dots: the PDF's pen positions (font
    advances at ``line.size``, no kerning) rounded to whole dots. Characters are the ones
    the PDF shows (NFC; a letter missing from the font decomposed, or '?')."""
    font = label_fonts()[line.bold]
    px_per_pt = dpi / 72
    baseline = round(origin_y + line.baseline * px_per_pt)
    pen = origin_x + line.x * px_per_pt
    out = []
    for gid, ch in font.glyphs(line.text):
        out.append((ch, round(pen), baseline))
        pen += font.glyph_width(gid) * line.size / 1000 * px_per_pt
    return out


def draw_line(
    canvas: np.ndarray, line: TextLine, origin_x: float, origin_y: float, dpi: int
) -> int:
    """Draw ``line`` into ``canvas`` (bool, True = black); returns ink dots clipped off."""
    size_px = line.size * dpi / 72
    clipped = 0
    for ch, x, baseline in glyph_positions(line, origin_x, origin_y, dpi):
        glyph = _glyph(line.bold, size_px, ch)
        if glyph is not None:
            ink, left, top = glyph
            clipped += _blit(canvas, ink, x + left, baseline + top)
    return clipped
