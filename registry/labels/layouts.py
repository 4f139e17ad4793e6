"""Label stock geometry, in millimetres (pure data and arithmetic, no drawing).

Coordinates are in mm with the origin at the top-left corner of the page, y growing
downwards, which is how label vendors publish their templates. The PDF writer converts
to PDF points.

Sheet templates (A4, 210 x 297 mm), checked against their published dimensions:

* ``a4-3x8``  - Avery L7159 type: 24 labels 63.5 x 33.9, left 7.2, top 12.9, column gap 2.5
* ``a4-3x7``  - Avery L7160 type: 21 labels 63.5 x 38.1, left 7.2, top 15.15, column gap 2.5
* ``a4-4x10`` - Avery L7654 type: 40 labels 45.7 x 25.4, left 9.7, top 21.5, column gap 2.5

Thermal rolls (``roll-50x30``, ``roll-40x30``) print one label per page and the page
is the label.

Inside a label the QR code (with its 4-module quiet zone) sits on the left, vertically
centred; text goes to its right. Module size: as large as fits, up to codes of 25 mm,
using at most half the label width - unless that would make modules smaller than
0.5 mm, in which case the text gets less room rather than the code getting smaller.
Never below 0.4 mm (phones start missing codes).

Printers shift sheets by a few mm; a per-printer offset moves everything printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .qr import MIN_MODULE_MM, QUIET_ZONE, TARGET_MODULE_MM

MAX_SYMBOL_MM = 25.0  # "Target 20-25 mm codes where the label allows"
MAX_MODULE_MM = 0.99  # GS1 General Specifications upper limit for retail
QR_WIDTH_SHARE = 0.5  # the code takes at most this share of the label width...
EDGE_MM = 1.0  # ...and stays this far from the label edge (die-cut tolerance)
TEXT_EDGE_MM = 1.5  # text keeps a little more, it looks cramped otherwise
TEXT_GAP_MM = 0.5  # between the quiet zone and the text


class LayoutError(ValueError):
    """A code or text that cannot be placed on the chosen label stock."""


@dataclass(frozen=True)
class Rect:
    """A rectangle in mm; ``y`` is measured downwards from the top."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def moved(self, dx: float, dy: float) -> "Rect":
        return Rect(self.x + dx, self.y + dy, self.w, self.h)

    def contains(self, other: "Rect", tolerance: float = 1e-6) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )


@dataclass(frozen=True)
class SheetLayout:
    """One kind of label stock: the page and a grid of identical labels."""

    name: str
    title: str
    page_w: float
    page_h: float
    label_w: float
    label_h: float
    cols: int = 1
    rows: int = 1
    left: float = 0.0
    top: float = 0.0
    col_gap: float = 0.0
    row_gap: float = 0.0
    roll: bool = False

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def label_rects(self, offset: tuple[float, float] = (0.0, 0.0)) -> list[Rect]:
        """Where each label's content goes, row by row from the top left.

        ``offset`` (x, y) in mm is the printer correction: positive x moves the print
        right, positive y moves it down.
        """
        dx, dy = offset
        return [
            Rect(
                self.left + c * (self.label_w + self.col_gap) + dx,
                self.top + r * (self.label_h + self.row_gap) + dy,
                self.label_w,
                self.label_h,
            )
            for r in range(self.rows)
            for c in range(self.cols)
        ]

    def page_rect(self) -> Rect:
        return Rect(0.0, 0.0, self.page_w, self.page_h)


def _roll(name: str, w: float, h: float) -> SheetLayout:
    return SheetLayout(name, f"Thermal roll {w:g} x {h:g} mm", w, h, w, h, roll=True)


def _a4(
    name: str,
    vendor: str,
    size: tuple[float, float],
    grid: tuple[int, int],
    margins: tuple[float, float],
    col_gap: float,
) -> SheetLayout:
    """An A4 sheet: label size (w, h), grid (cols, rows), margins (left, top)."""
    (w, h), (cols, rows), (left, top) = size, grid, margins
    title = f"A4 {cols} x {rows} ({vendor} type), {w:g} x {h:g} mm"
    return SheetLayout(name, title, 210.0, 297.0, w, h, cols, rows, left, top, col_gap)


LAYOUTS: dict[str, SheetLayout] = {
    layout.name: layout
    for layout in (
        _a4("a4-3x8", "L7159", (63.5, 33.9), (3, 8), (7.2, 12.9), 2.5),
        _a4("a4-3x7", "L7160", (63.5, 38.1), (3, 7), (7.2, 15.15), 2.5),
        _a4("a4-4x10", "L7654", (45.7, 25.4), (4, 10), (9.7, 21.5), 2.5),
        _roll("roll-50x30", 50.0, 30.0),
        _roll("roll-40x30", 40.0, 30.0),
    )
}


def get_layout(name: str) -> SheetLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise LayoutError(
            f"unknown label layout {name!r}; choose one of {', '.join(LAYOUTS)}"
        ) from None


@dataclass(frozen=True)
class LabelGeometry:
    """Positions inside one label, relative to its top-left corner (mm)."""

    version: int
    module_mm: float
    qr: Rect  # the code including its quiet zone
    symbol: Rect  # the code's modules only
    text: Rect  # where text lines go


def _snap(module_mm: float, dpi: int | None) -> float:
    """Round down to whole printer dots (thermal printers) or to 0.01 mm."""
    if dpi:
        return math.floor(module_mm * dpi / 25.4 + 1e-9) * 25.4 / dpi
    return math.floor(module_mm * 100 + 1e-9) / 100


def module_size(layout: SheetLayout, version: int, dpi: int | None = None) -> float:
    """Module size (mm) for codes of ``version`` on ``layout`` (see module docstring)."""
    symbol_modules = 4 * version + 17
    total = symbol_modules + 2 * QUIET_ZONE
    fit_h = (layout.label_h - 2 * EDGE_MM) / total
    module = min(
        fit_h,
        QR_WIDTH_SHARE * layout.label_w / total,
        MAX_SYMBOL_MM / symbol_modules,
        MAX_MODULE_MM,
    )
    if module < TARGET_MODULE_MM:
        module = min(TARGET_MODULE_MM, fit_h)  # keep 0.5 mm if the height allows it
    module = _snap(module, dpi)
    if module < MIN_MODULE_MM - 1e-9:
        raise LayoutError(
            f"a version {version} QR code needs modules of {MIN_MODULE_MM} mm, which do "
            f"not fit a {layout.label_w:g} x {layout.label_h:g} mm label; use a shorter "
            "address or a larger label"
        )
    return module


def label_geometry(layout: SheetLayout, version: int, dpi: int | None = None) -> LabelGeometry:
    """Where the code and the text go inside a label of ``layout``.

    ``dpi`` (for thermal printers) snaps the module size to whole printer dots.
    """
    module = module_size(layout, version, dpi)
    symbol_side = (4 * version + 17) * module
    side = symbol_side + 2 * QUIET_ZONE * module
    qr = Rect(EDGE_MM, (layout.label_h - side) / 2, side, side)
    quiet = QUIET_ZONE * module
    symbol = Rect(qr.x + quiet, qr.y + quiet, symbol_side, symbol_side)
    text_x = qr.right + TEXT_GAP_MM
    text = Rect(
        text_x,
        TEXT_EDGE_MM,
        layout.label_w - TEXT_EDGE_MM - text_x,
        layout.label_h - 2 * TEXT_EDGE_MM,
    )
    if text.w < 8:
        raise LayoutError("no room left for text next to the QR code on this label")
    return LabelGeometry(version, module, qr, symbol, text)
