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
centred; text goes to its right. Everything printed - the code's dark modules and every
glyph of the text - stays at least ``EDGE_MM`` (2 mm) inside the label edge, so a die
cut a little off or a printer a little off never clips it; the white quiet zone may
reach into that margin but stays ``QUIET_EDGE_MM`` on the label. Module size: as large
as fits, up to codes of 25 mm, using at most half the label width - unless that would
make modules smaller than 0.5 mm, in which case the text gets less room rather than the
code getting smaller. Never below 0.4 mm (phones start missing codes). When the text of
a label needs more room than that leaves, the text engine asks for smaller modules
(:func:`module_sizes`, still never below 0.4 mm).

Printers shift sheets by a few mm; a per-printer offset moves everything printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .qr import MIN_MODULE_MM, QUIET_ZONE, TARGET_MODULE_MM

MAX_SYMBOL_MM = 25.0  # "Target 20-25 mm codes where the label allows"
MAX_MODULE_MM = 0.99  # GS1 General Specifications upper limit for retail
QR_WIDTH_SHARE = 0.5  # the code takes at most this share of the label width...
EDGE_MM = 2.0  # dark modules stay this far inside the label edge (the safe margin)...
TEXT_EDGE_MM = 2.0  # ...and so does every glyph of the text
QUIET_EDGE_MM = 1.0  # the (white) quiet zone may enter the margin, but stays on the label
TEXT_GAP_MM = 0.5  # between the quiet zone and the text
MIN_TEXT_MM = 8.0  # narrower than this, a text column next to the code is useless
MODULE_STEP_MM = 0.02  # how much smaller each module size tried for long texts is


class LayoutError(ValueError):
    """A code or text that cannot be placed on the chosen label stock.

    ``fits``: when known, the names of the layouts on which the same labels would fit
    (empty when none would, or when it was not worked out).
    """

    def __init__(self, message: str, fits: list[str] | None = None):
        super().__init__(message)
        self.fits: list[str] = list(fits or [])


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

    def check_start_position(self, start_position: int) -> None:
        """ValueError unless ``start_position`` (1-based) is a label of the sheet.

        Rolls have one label per page, so only 1 is accepted there."""
        if isinstance(start_position, bool) or not isinstance(start_position, int):
            raise ValueError("start_position must be a whole number")  # noqa: TRY004
        if self.roll and start_position != 1:
            raise ValueError("a roll has no start position: start_position must be 1")
        if not 1 <= start_position <= self.per_page:
            raise ValueError(
                f"start_position must be between 1 and {self.per_page} on {self.name}"
            )


def sheet_positions(layout: str, start_position: int, count: int) -> list[bool]:
    """Which positions of the FIRST sheet get a label, row by row from the top left.

    ``start_position`` (1-based) is the first free label of a partly used sheet:
    positions before it stay blank; ``count`` labels follow (those that do not fit go
    on the next sheets, from position 1). A pure helper for drawing the sheet.
    """
    sheet = get_layout(layout)
    sheet.check_start_position(start_position)
    if count < 0:
        raise ValueError("count must not be negative")
    first = start_position - 1
    return [first <= i < first + count for i in range(sheet.per_page)]


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
    text: Rect  # where text lines go: the column right of the code
    # With the code at the top: the full-width band below it, where lines may run
    # under the code (the column continues down beside it).
    strip: Rect | None = None


def _snap(module_mm: float, dpi: int | None) -> float:
    """Round down to whole printer dots (thermal printers) or to 0.01 mm."""
    if dpi:
        return math.floor(module_mm * dpi / 25.4 + 1e-9) * 25.4 / dpi
    return math.floor(module_mm * 100 + 1e-9) / 100


def _fit_height(layout: SheetLayout, version: int) -> float:
    """The largest module (mm) at which the dark modules keep the safe margin and the
    quiet zone stays on the label, top and bottom."""
    symbol_modules = 4 * version + 17
    total = symbol_modules + 2 * QUIET_ZONE
    return min(
        (layout.label_h - 2 * EDGE_MM) / symbol_modules,
        (layout.label_h - 2 * QUIET_EDGE_MM) / total,
    )


def module_size(layout: SheetLayout, version: int, dpi: int | None = None) -> float:
    """Module size (mm) for codes of ``version`` on ``layout`` (see module docstring)."""
    symbol_modules = 4 * version + 17
    total = symbol_modules + 2 * QUIET_ZONE
    fit_h = _fit_height(layout, version)
    module = min(
        fit_h,
        QR_WIDTH_SHARE * layout.label_w / total,
        MAX_SYMBOL_MM / symbol_modules,
        MAX_MODULE_MM,
    )
    if module < TARGET_MODULE_MM:
        module = min(TARGET_MODULE_MM, fit_h)  # keep 0.5 mm if the height allows it
    module = _snap(module, dpi)
    if dpi and module < MIN_MODULE_MM - 1e-9:
        # Whole dots rounded down fell under the minimum (0.5 mm is just under 4 dots at
        # 203 dpi): the fewest dots that make the minimum, if the height allows them.
        dots = math.ceil(MIN_MODULE_MM * dpi / 25.4 - 1e-9) * 25.4 / dpi
        if dots <= fit_h + 1e-9:
            module = dots
    if module < MIN_MODULE_MM - 1e-9:
        raise LayoutError(
            f"a version {version} QR code needs modules of {MIN_MODULE_MM} mm, which do "
            f"not fit a {layout.label_w:g} x {layout.label_h:g} mm label; use a shorter "
            "address or a larger label"
        )
    return module


def module_sizes(layout: SheetLayout, version: int, dpi: int | None = None) -> list[float]:
    """Module sizes (mm) a label may use, largest first: :func:`module_size`, then
    smaller ones (``MODULE_STEP_MM`` apart, or one printer dot apart) down to
    ``MIN_MODULE_MM``, for texts that need more room than the preferred code leaves."""
    first = module_size(layout, version, dpi)
    sizes = [first]
    step = 25.4 / dpi if dpi else MODULE_STEP_MM
    k = 1
    while True:
        module = _snap(first - k * step + 1e-9, dpi)
        if module < MIN_MODULE_MM - 1e-9:
            break
        if module < sizes[-1] - 1e-9:
            sizes.append(module)
        k += 1
    smallest = math.ceil(MIN_MODULE_MM * dpi / 25.4 - 1e-9) * 25.4 / dpi if dpi else MIN_MODULE_MM
    if smallest < sizes[-1] - 1e-9:
        sizes.append(smallest)
    return sizes


def label_geometry(
    layout: SheetLayout,
    version: int,
    dpi: int | None = None,
    *,
    module_mm: float | None = None,
    code_on_top: bool = False,
) -> LabelGeometry:
    """Where the code and the text go inside a label of ``layout``.

    ``dpi`` (for thermal printers) snaps the module size to whole printer dots;
    ``module_mm`` (one of :func:`module_sizes`) asks for smaller modules than the
    preferred ones, to leave the text more room. ``code_on_top`` puts the code in the
    top-left corner instead of centring it, leaving a full-width ``strip`` below it for
    text (None when less than 2 mm would be left).
    """
    module = module_size(layout, version, dpi) if module_mm is None else module_mm
    if module < MIN_MODULE_MM - 1e-9 or module > _fit_height(layout, version) + 1e-9:
        raise LayoutError(f"modules of {module:g} mm do not suit a version {version} code here")
    symbol_side = (4 * version + 17) * module
    quiet = QUIET_ZONE * module
    side = symbol_side + 2 * quiet
    # The dark modules keep the safe margin; the quiet zone may reach into it.
    inset = max(QUIET_EDGE_MM, EDGE_MM - quiet)
    qr = Rect(inset, inset if code_on_top else (layout.label_h - side) / 2, side, side)
    symbol = Rect(qr.x + quiet, qr.y + quiet, symbol_side, symbol_side)
    text_x = qr.right + TEXT_GAP_MM
    text = Rect(
        text_x,
        TEXT_EDGE_MM,
        layout.label_w - TEXT_EDGE_MM - text_x,
        layout.label_h - 2 * TEXT_EDGE_MM,
    )
    if text.w < MIN_TEXT_MM:
        raise LayoutError("no room left for text next to the QR code on this label")
    strip = None
    if code_on_top:
        strip_y = qr.bottom + TEXT_GAP_MM
        strip = Rect(
            TEXT_EDGE_MM,
            strip_y,
            layout.label_w - 2 * TEXT_EDGE_MM,
            layout.label_h - TEXT_EDGE_MM - strip_y,
        )
        if strip.h < 2.0:
            strip = None
    return LabelGeometry(version, module, qr, symbol, text, strip)
