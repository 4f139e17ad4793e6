"""One thermal label: its plan in whole printer dots, and its bitmap: the frame of the
label's safe area at the printer's resolution, and the art shared by a run (the text but
the serial), which each label completes with its QR code and serial (see
:mod:`~registry.labels.thermal`)."""

from __future__ import annotations

import math

import numpy as np

from .content import COMFORT_SCALE, SERIAL, LabelContent, LabelTextError
from .labeltext import fit_box
from .layouts import (
    EDGE_MM,
    LayoutError,
    SheetLayout,
    label_geometry,
    module_size,
)
from .plan import plan_label
from .qr import MIN_MODULE_MM, QUIET_ZONE, QRSymbol
from .serialtext import widest_serial
from .textlayout import LabelPlan, TextBox
from .thermal_text import draw_line

MIN_DOTS = {203: 4, 300: 5}  # fewest dots a module: 0.50 mm at 203 dpi, 0.42 mm at 300
SAFE_MM = max(2.0, EDGE_MM)  # nothing printed closer than this to the label edge
SNAP_TOLERANCE = 0.05  # dot: 0.5 mm is 3.996 dots at 203 dpi, which is 4 dots, not 3
PLAN_CACHE_SIZE = 64


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
