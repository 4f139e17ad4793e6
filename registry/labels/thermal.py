"""Native thermal-printer label files (TSPL, ZPL) for the roll layouts, written as a stream.

Small producers print on 203 dpi (sometimes 300 dpi) direct-thermal printers that speak
TSPL (TSC, Xprinter and their clones) or ZPL (Zebra). A label PDF rescaled by their
driver puts QR modules on fractions of a dot; these files are drawn at the printer's own
resolution instead, and sent to it as they are (``lp -o raw``, port 9100; see README).

Each label is ONE 1-bit bitmap covering the label's safe area (everything printed stays
``SAFE_MM`` = 2 mm inside the label edge), so what the printer prints is exactly the
bitmap built here - the tests rebuild every label from the file and decode it:

* the QR code is drawn from our own :class:`~registry.labels.qr.QRBatchEncoder` matrix
  (so version, level and mask are exactly those of the PDF), every module a whole number
  of printer dots - at least ``MIN_DOTS[203]`` = 4 dots (0.50 mm) at 203 dpi - with its
  4-module quiet zone on the label. Printer-native QR commands were not used: their
  module size, version and mask choice differ between firmwares.
* the text is drawn with Pillow from the DejaVu fonts of ``static/fonts`` (printer fonts
  have no Vietnamese letters). What it says and where it goes come from the same text
  engine as the PDF (:func:`~registry.labels.plan.plan_label`, whose text is
  :func:`~registry.labels.labeltext.layout_text`'s for a plain column), so the thermal
  label says what the PDF label says. Glyphs are placed one by one at the PDF's pen
  positions (font advances, no kerning, rounded to whole dots) at ``size_pt * dpi / 72``
  pixels, each rasterised by FreeType in monochrome, so lines are as wide as in the PDF.
  Only the serial differs between the labels of a run: the rest of the text is rendered
  once per run and each label only adds its QR code and its serial.

Bitmap polarity and layout (the two languages disagree, so it is worth writing down):

* TSPL ``BITMAP x,y,width_bytes,height,mode,data`` (TSC TSPL/TSPL2 Programming Manual,
  BITMAP command): raw binary data, ``height`` rows of ``width_bytes`` bytes, the most
  significant bit the leftmost dot; mode 0 is OVERWRITE (1 = OR, 2 = XOR) and in it a
  **0 bit prints a black dot, a 1 bit leaves the dot white** (open-source TSPL drivers
  do the same: white = 0xFF). We use mode 0 and invert our bitmap (True = black).
* ZPL ``^GFA,total,total,row_bytes,data`` (ZPL II Programming Guide, ^GF Graphic Field):
  ASCII hex, most significant bit leftmost, **a 1 bit prints black**. With
  ``compress=True`` (the default) the data uses Zebra's ASCII compression (ZPL II
  Programming Guide, "Alternative Data Compression Scheme"): ``G``..``Y`` repeat the next
  hex digit 1..19 times and ``g``..``z`` 20..400 times (counts add up: ``hK0`` = 43 zeros),
  ``,`` fills the rest of the row with zeros and ``:`` repeats the previous row. The
  total (uncompressed) byte count is given in both count fields, as for plain hex.

A TSPL file is ``SIZE``/``GAP``/``DIRECTION`` once, then per label ``CLS``, one
``BITMAP`` and ``PRINT 1,1``; a ZPL file is one ``^XA ... ^XZ`` per label (``^PW``,
``^LL``, ``^LH0,0``, one ``^FO`` + ``^GFA`` field, ``^PQ1``). The printer offset (x right,
y down, mm) moves the bitmap by whole dots; it may use up the 2 mm margin, and an offset
that would push printed dots off the label is refused.

Built for long runs like :func:`~registry.labels.pdf.write_label_pdf`: labels are read
from the iterable ``CHUNK_LABELS`` at a time, their codes encoded together, and written
to ``out`` chunk by chunk, so memory stays flat however many labels there are.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .content import COMFORT_SCALE, SERIAL, LabelContent, LabelTextError
from .fonts import BOLD, FONT_DIR, REGULAR, label_fonts
from .labeltext import fit_box
from .layouts import (
    EDGE_MM,
    LAYOUTS,
    LayoutError,
    SheetLayout,
    get_layout,
    label_geometry,
    module_size,
)
from .plan import plan_label
from .qr import MIN_MODULE_MM, QUIET_ZONE, QRBatchEncoder, QRSymbol
from .serialtext import widest_serial
from .textlayout import LabelPlan, TextBox, TextLine

FORMATS = ("tspl", "zpl")
DPIS = (203, 300)
MIN_DOTS = {203: 4, 300: 5}  # fewest dots a module: 0.50 mm at 203 dpi, 0.42 mm at 300
SAFE_MM = max(2.0, EDGE_MM)  # nothing printed closer than this to the label edge
CHUNK_LABELS = 240  # labels encoded (and written) together
SNAP_TOLERANCE = 0.05  # dot: 0.5 mm is 3.996 dots at 203 dpi, which is 4 dots, not 3
GAP_MM = 2.0  # the gap between die-cut labels on the roll (TSPL GAP)
PLAN_CACHE_SIZE = 64


@dataclass(frozen=True)
class ThermalResult:
    """What :func:`write_thermal` wrote: the run's code version and module size."""

    labels: int
    qr_version: int
    module_dots: int
    module_mm: float
    dpi: int
    fmt: str
    layout: str = ""


# ----------------------------------------------------------------------------- text


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


# ------------------------------------------------------------------------------ plan


def _whole_dot_plan(content: LabelContent, sheet: SheetLayout, version: int, dpi: int):
    """The plan with modules of whole dots when :func:`plan_label` finds none: the same
    preferences (code centred, then at the top; larger modules first; text at least
    ``COMFORT_SCALE``) over modules of ``MIN_DOTS`` dots and more."""
    dots_per_mm = dpi / 25.4
    low = max(MIN_DOTS[dpi], math.ceil(MIN_MODULE_MM * dots_per_mm - 1e-9))
    preferred = module_size(sheet, version)  # LayoutError if no code of this version fits
    high = max(low, math.floor(preferred * dots_per_mm + SNAP_TOLERANCE))
    candidates = []
    for on_top in (False, True):
        for dots in range(high, low - 1, -1):
            try:
                geometry = label_geometry(
                    sheet, version, dpi, module_mm=dots / dots_per_mm, code_on_top=on_top
                )
            except LayoutError:
                continue
            if not on_top or geometry.strip is not None:
                candidates.append(geometry)
    if not candidates:
        raise LayoutError(
            f"a version {version} QR code with modules of {low} printer dots "
            f"({low / dots_per_mm:.2f} mm at {dpi} dpi) does not fit a {sheet.label_w:g} x "
            f"{sheet.label_h:g} mm label; use a shorter address, error correction M, a "
            "larger label or a 300 dpi printer"
        )
    best = None
    for geometry in candidates:
        text = fit_box(content, TextBox.of(geometry))
        if text is None:
            continue
        if text.scale >= COMFORT_SCALE - 1e-9:
            return LabelPlan(geometry, text)
        if best is None or text.scale > best.text.scale + 1e-9:
            best = LabelPlan(geometry, text)
    if best is None:
        raise LabelTextError(
            f"thông tin trên tem không in trọn được trên khổ {sheet.name} khi mã QR cần "
            f"mô-đun {low} điểm in ({dpi} dpi), kể cả ở cỡ chữ nhỏ nhất; hãy chọn khổ tem "
            "lớn hơn hoặc máy in 300 dpi"
        )
    return best


def thermal_plan(content: LabelContent, sheet: SheetLayout, version: int, dpi: int) -> LabelPlan:
    """Code geometry and text for ``content`` at ``dpi``: :func:`plan_label` (the plan
    of the PDF for that dpi), or, where its dot snapping finds no module size, the same
    choice over whole-dot modules of at least ``MIN_DOTS`` dots."""
    try:
        return plan_label(content, sheet, version, dpi)
    except LabelTextError:
        raise
    except LayoutError:
        return _whole_dot_plan(content, sheet, version, dpi)


def _module_dots(module_mm: float, dpi: int, version: int) -> int:
    exact = module_mm * dpi / 25.4
    dots = round(exact)
    if abs(exact - dots) > 1e-6:
        raise LayoutError(
            f"QR modules of {module_mm:.4f} mm are {exact:.3f} dots at {dpi} dpi, not a "
            "whole number of printer dots"
        )
    if dots < MIN_DOTS[dpi]:
        raise LayoutError(
            f"a version {version} QR code would get modules of {dots} dots "
            f"({module_mm:.2f} mm) at {dpi} dpi; at least {MIN_DOTS[dpi]} dots are needed "
            "for phones to read it: use a shorter address or a larger label"
        )
    return dots


# ----------------------------------------------------------------------------- label


class _Frame:
    """The label in printer dots: its size, the safe area, and the offset."""

    def __init__(self, sheet: SheetLayout, dpi: int, offset: tuple[float, float]):
        self.dpi = dpi
        self.per_mm = per_mm = dpi / 25.4
        self.width = round(sheet.label_w * per_mm)
        self.height = round(sheet.label_h * per_mm)
        # The safe area: dots whose whole extent is at least SAFE_MM from every edge.
        self.x0 = math.ceil(SAFE_MM * per_mm - 1e-9)
        self.y0 = math.ceil(SAFE_MM * per_mm - 1e-9)
        x1 = math.floor((sheet.label_w - SAFE_MM) * per_mm + 1e-9)
        self.y1 = math.floor((sheet.label_h - SAFE_MM) * per_mm + 1e-9)
        # Bitmap rows are whole bytes: the canvas may be a few (white) dots wider.
        self.canvas_w = (x1 - self.x0 + 7) // 8 * 8
        self.x1 = x1
        self.canvas_h = self.y1 - self.y0
        self.dx = round(offset[0] * per_mm)
        self.dy = round(offset[1] * per_mm)
        # Where the canvas lands with the offset, clipped to the label (whole bytes).
        x, y = self.x0 + self.dx, self.y0 + self.dy
        cut_left = max(0, -x)
        cut_right = max(0, x + self.canvas_w - self.width)
        self.cols = (cut_left, self.canvas_w - cut_right)
        self.rows = (max(0, -y), self.canvas_h - max(0, y + self.canvas_h - self.height))
        if self.cols[0] >= self.cols[1] or self.rows[0] >= self.rows[1]:
            raise ValueError(f"the printer offset {offset} moves the print off the label")
        self.x, self.y = x + cut_left, y + self.rows[0]
        self.clipped = self.cols != (0, self.canvas_w) or self.rows != (0, self.canvas_h)

    def visible(self, canvas: np.ndarray) -> np.ndarray:
        """The part of ``canvas`` on the label (all of it unless the offset is large),
        padded with white to whole bytes; ValueError if printed dots fall off."""
        if not self.clipped:
            return canvas
        (c0, c1), (r0, r1) = self.cols, self.rows
        part = canvas[r0:r1, c0:c1]
        if int(part.sum()) != int(canvas.sum()):
            raise ValueError(
                f"the printer offset ({self.dx} x {self.dy} dots) moves printed parts of the "
                "label off its edge; use a smaller offset"
            )
        pad = -part.shape[1] % 8
        return np.pad(part, ((0, 0), (0, pad))) if pad else part


NUDGE_DOTS = 3  # at most this many dots of shift to keep hinted glyphs inside


def _shift(low: int, high: int, limit: int) -> int:
    """Whole dots to move ink spanning [low, high) into [0, limit) (0 if it is inside
    or cannot be helped by a small shift)."""
    if low >= 0 and high <= limit:
        return 0
    shift = -(high - limit) if high > limit else -low
    if low + shift < 0 or high + shift > limit or abs(shift) > NUDGE_DOTS:
        return 0
    return shift


def _nudge(plan: LabelPlan, x: float, y: float, frame: _Frame) -> tuple[float, float]:
    """The text origin (canvas dots) moved by whole dots so that the rasterised text -
    body and the widest serial of the run's shape - stays in the safe area. The layout
    puts ink exactly on the text box edge; FreeType's hinting and rounding to dots may
    put a dot or two past it."""
    slack = 4 * NUDGE_DOTS
    probe = np.zeros((frame.canvas_h + 2 * slack, frame.canvas_w + 2 * slack), dtype=bool)
    shape = "".join(line.text for line in plan.text.lines if line.role == SERIAL)
    lines = list(plan.text.body) + plan.text.serial_lines(widest_serial(shape))
    for line in lines:
        draw_line(probe, line, x + slack, y + slack, frame.dpi)
    rows, cols = np.nonzero(probe)
    if not len(rows):
        return x, y
    dx = _shift(cols.min() - slack, cols.max() + 1 - slack, frame.x1 - frame.x0)
    dy = _shift(rows.min() - slack, rows.max() + 1 - slack, frame.canvas_h)
    return x + dx, y + dy


class _LabelArt:
    """Everything a run's labels share: geometry, the static text bitmap, the code's place."""

    def __init__(self, plan: LabelPlan, frame: _Frame, version: int):
        geometry = plan.geometry
        dpi, per_mm = frame.dpi, frame.per_mm
        self.frame = frame
        self.plan = plan
        self.version = version
        self.dots = _module_dots(geometry.module_mm, dpi, version)
        self.module_mm = geometry.module_mm
        side = (4 * version + 17) * self.dots
        quiet = QUIET_ZONE * self.dots
        # The symbol on whole dots, inside the safe area (a rounding never costs margin).
        qx = min(max(round(geometry.symbol.x * per_mm), frame.x0), frame.x1 - side)
        qy = min(max(round(geometry.symbol.y * per_mm), frame.y0), frame.y1 - side)
        if qx < frame.x0 or qy < frame.y0 or qx - quiet < 0 or qy - quiet < 0:
            raise LayoutError(
                f"a version {version} QR code with {self.dots}-dot modules does not fit the "
                f"{frame.width} x {frame.height} dot label with its margins"
            )
        self.qr_x, self.qr_y = qx - frame.x0, qy - frame.y0  # in the canvas
        self.side = side
        # Text box origin, in canvas dots (fractional: glyphs are rounded one by one),
        # nudged by whole dots where hinting pushes ink a dot past the safe area.
        self.text_x, self.text_y = _nudge(
            plan,
            geometry.text.x * per_mm - frame.x0,
            geometry.text.y * per_mm - frame.y0,
            frame,
        )
        base = np.zeros((frame.canvas_h, frame.canvas_w), dtype=bool)
        clipped = 0
        for line in plan.text.body:
            clipped += draw_line(base, line, self.text_x, self.text_y, dpi)
        pad = base[:, frame.x1 - frame.x0 :]  # whole-byte padding, past the safe area
        self.clipped_dots = clipped + int(pad.sum())  # ink that could not be kept inside
        pad[:] = False
        q0y, q0x = max(0, self.qr_y - quiet), max(0, self.qr_x - quiet)
        if base[q0y : self.qr_y + side + quiet, q0x : self.qr_x + side + quiet].any():
            raise LayoutError("the label text runs into the QR code's quiet zone")
        self.base = base
        self.serial_lines = plan.text.serial_lines  # the serial is drawn per label

    def canvas(self, code: QRSymbol, serial: str) -> np.ndarray:
        """The label's bitmap (bool, True = black) over the frame's canvas."""
        canvas = self.base.copy()
        matrix, dots = code.matrix, self.dots
        side = matrix.shape[0] * dots
        modules = np.repeat(np.repeat(matrix, dots, axis=0), dots, axis=1)
        canvas[self.qr_y : self.qr_y + side, self.qr_x : self.qr_x + side] = modules
        for line in self.serial_lines(serial):
            draw_line(canvas, line, self.text_x, self.text_y, self.frame.dpi)
        canvas[:, self.frame.x1 - self.frame.x0 :] = False
        return self.frame.visible(canvas)


# ---------------------------------------------------------------------------- output

_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def _count_prefix(n: int) -> str:
    """Zebra's repeat count for ``n`` (>= 1): 'g'..'z' for multiples of 20 (several 'z'
    for more than 400), then 'G'..'Y' for 1..19."""
    out = "z" * (n // 400)
    n %= 400
    if n >= 20:
        out += chr(ord("f") + n // 20)
        n %= 20
    if n:
        out += chr(ord("F") + n)
    return out


@cache
def _run_tokens(max_len: int) -> np.ndarray:
    """Object array: index ``length * 16 + digit`` -> the token for that run."""
    tokens = np.empty((max_len + 1) * 16, dtype=object)
    for length in range(max_len + 1):
        for digit in range(16):
            hex_digit = "0123456789ABCDEF"[digit]
            if length <= 1:
                tokens[length * 16 + digit] = hex_digit * length
            else:
                tokens[length * 16 + digit] = _count_prefix(length) + hex_digit
    return tokens


def zpl_compress(packed: np.ndarray) -> str:
    """``packed`` (rows x row bytes, uint8) as ZPL compressed ASCII hex (see module doc).

    Rows equal to the previous one become ':'; a row's trailing zeros (from a byte
    boundary) become ','; other runs of one hex digit become count + digit.
    """
    rows, row_bytes = packed.shape
    width = 2 * row_bytes
    nibbles = np.empty((rows, width), dtype=np.uint8)
    nibbles[:, 0::2] = packed >> 4
    nibbles[:, 1::2] = packed & 0x0F
    repeat = np.zeros(rows, dtype=bool)
    repeat[1:] = (packed[1:] == packed[:-1]).all(axis=1)
    # Trailing zeros from a byte boundary: the row's data ends at its last non-zero byte.
    nonzero = packed != 0
    last = np.where(nonzero.any(axis=1), row_bytes - np.argmax(nonzero[:, ::-1], axis=1), 0)
    ends = 2 * last  # hex digits kept per row
    keep = (np.arange(width)[None, :] < ends[:, None]) & ~repeat[:, None]
    # Runs of equal digits within each row's kept part.
    row_idx, col_idx = np.nonzero(keep)
    values = nibbles[row_idx, col_idx]
    if len(values):
        starts = np.ones(len(values), dtype=bool)
        starts[1:] = (values[1:] != values[:-1]) | (row_idx[1:] != row_idx[:-1])
        start_pos = np.flatnonzero(starts)
        lengths = np.diff(np.append(start_pos, len(values)))
        run_rows = row_idx[start_pos]
        run_tokens = _run_tokens(width)[lengths * 16 + values[start_pos]]
    else:
        run_rows = np.zeros(0, dtype=np.intp)
        run_tokens = np.zeros(0, dtype=object)
    # Row ends: ':' (a repeated row), ',' (zeros to the end of the row) or nothing.
    enders = np.where(repeat, ":", np.where(ends < width, ",", "")).astype(object)
    tokens = np.concatenate([run_tokens, enders])
    order = np.argsort(np.concatenate([run_rows * 2, np.arange(rows) * 2 + 1]), kind="stable")
    return "".join(tokens[order].tolist())


def _tspl_label(frame: _Frame, bitmap: np.ndarray) -> bytes:
    height, width = bitmap.shape
    data = (~np.packbits(bitmap, axis=1)).tobytes()  # TSPL mode 0: a 0 bit is black
    head = b"CLS\r\nBITMAP %d,%d,%d,%d,0," % (frame.x, frame.y, width // 8, height)
    return head + data + b"\r\nPRINT 1,1\r\n"


def _zpl_label(frame: _Frame, bitmap: np.ndarray, compress: bool) -> bytes:
    packed = np.packbits(bitmap, axis=1)  # ZPL: a 1 bit is black
    height, row_bytes = packed.shape
    total = height * row_bytes
    data = zpl_compress(packed) if compress else packed.tobytes().hex().upper()
    return (
        f"^XA\n^PW{frame.width}\n^LL{frame.height}\n^LH0,0\n"
        f"^FO{frame.x},{frame.y}^GFA,{total},{total},{row_bytes},{data}^FS\n^PQ1\n^XZ\n"
    ).encode("ascii")


def _tspl_header(sheet: SheetLayout) -> bytes:
    return (
        f"SIZE {sheet.label_w:g} mm,{sheet.label_h:g} mm\r\n"
        f"GAP {GAP_MM:g} mm,0 mm\r\n"
        "DIRECTION 1\r\n"
    ).encode("ascii")


# ----------------------------------------------------------------------------- write


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _run_key(content: LabelContent, version: int) -> tuple:
    """Everything but the serial (whose shape counts: the room kept for it)."""
    shape = "".join("-" if ch == "-" else "X" for ch in content.serial_display)
    return (
        content.product_name,
        content.producer_name,
        content.stars,
        getattr(content, "stars_until", None),
        content.lot,
        content.expiry,
        shape,
        version,
    )


class _Arts:
    """The run's label arts, by text and code version (usually one for a whole run)."""

    def __init__(self, sheet: SheetLayout, frame: _Frame):
        self.sheet, self.frame = sheet, frame
        self.entries: dict[tuple, _LabelArt] = {}

    def get(self, content: LabelContent, version: int) -> _LabelArt:
        key = _run_key(content, version)
        art = self.entries.get(key)
        if art is None:
            if len(self.entries) >= PLAN_CACHE_SIZE:
                self.entries.clear()
            plan = thermal_plan(content, self.sheet, version, self.frame.dpi)
            art = self.entries[key] = _LabelArt(plan, self.frame, version)
        return art


def write_thermal(
    out: BinaryIO,
    labels: Iterable[LabelContent],
    layout: str,
    *,
    fmt: str,
    dpi: int,
    ecc: str = "M",
    offset: tuple[float, float] = (0.0, 0.0),
    progress: Callable[[int], None] | None = None,
    compress: bool = True,
) -> ThermalResult:
    """Write ``labels`` as a TSPL (``fmt="tspl"``) or ZPL (``fmt="zpl"``) print file for a
    ``dpi`` (203 or 300) thermal printer to ``out``, a chunk of labels at a time.

    ``layout`` must be a roll layout (``roll-50x30``, ``roll-40x30``); ``ecc`` "M" or
    "Q"; ``offset`` the printer correction (x right, y down, mm); ``progress`` is called
    with the number of labels written so far after each chunk; ``compress`` (ZPL only)
    uses Zebra's ASCII compression for the graphic data instead of plain hex.

    All codes of the run share one QR version (the smallest holding the longest address
    of the first chunk); a later address needing more gets a bigger code. Raises
    ValueError (LayoutError when the code or the text cannot be placed, e.g. modules
    of at least 4 dots do not fit) before anything is written when the first labels
    cannot be made; LayoutError mid-run if a later label cannot.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    if isinstance(dpi, bool) or dpi not in DPIS:
        raise ValueError(f"dpi must be one of {DPIS} for thermal printers, not {dpi!r}")
    sheet = get_layout(layout)
    if not sheet.roll:
        raise LayoutError(
            f"{sheet.name} is a sheet layout: thermal printer files are for the roll "
            f"layouts ({', '.join(n for n, s in LAYOUTS.items() if s.roll)})"
        )
    frame = _Frame(sheet, dpi, offset)
    chunks = _chunks(labels, CHUNK_LABELS)
    first = next(chunks, None)
    if not first:
        raise ValueError("no labels to print")
    encoder = QRBatchEncoder(ecc)
    encoder.fix_version([label.url for label in first])
    arts = _Arts(sheet, frame)
    for label in first:  # fail before writing: every text of the first chunk, the code
        arts.get(label, encoder.version)
    run_art = arts.get(first[0], encoder.version)

    if fmt == "tspl":
        def emit(bitmap):
            return _tspl_label(frame, bitmap)
    else:
        def emit(bitmap):
            return _zpl_label(frame, bitmap, compress)

    written = 0
    header_done = False
    for chunk in itertools.chain([first], chunks):
        codes = encoder.encode_details([label.url for label in chunk])
        parts = []
        for label, code in zip(chunk, codes):
            art = arts.get(label, code.version)
            parts.append(emit(art.canvas(code, label.serial_display)))
        if not header_done:
            if fmt == "tspl":
                parts.insert(0, _tspl_header(sheet))
            header_done = True
        out.write(b"".join(parts))
        written += len(chunk)
        if progress is not None:
            progress(written)
    return ThermalResult(
        written, encoder.version, run_art.dots, run_art.module_mm, dpi, fmt, sheet.name
    )


def thermal_bytes(labels: Iterable[LabelContent], layout: str, **options) -> bytes:
    """:func:`write_thermal` into memory (for small runs and tests)."""
    buf = io.BytesIO()
    write_thermal(buf, labels, layout, **options)
    return buf.getvalue()
