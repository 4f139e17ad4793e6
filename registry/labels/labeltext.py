"""The text of a label, fitted whole: what each line says, in which font, at which size.

Every value a label shows - product name, OCOP stars (and until when the decision
holds), producer, lot, expiry date, serial - is printed in full or not at all: nothing
is ever cut short with '…'. To make room, in this order of preference:

* names and producers wrap over as many lines as needed (words are only broken, without
  losing a letter, at the smallest size);
* a caption and its value ("Lô: L2024-001", "HSD: 31/12/2026") shrink a little on one
  line, else the value moves to a line of its own ("Lô:" / "L2024-001"), shrinking
  further if needed; only at the smallest size is a lot value itself broken over lines
  (after a '-', '/', '.' when it can);
* the stars statement "OCOP ★★★★ · QĐ đến 28/12/2026" may wrap after the stars;
* everything shrinks together, from 1.2 down to the point where every line is at
  ``MIN_SIZE`` (4.5 pt, the smallest legible on a label);
* the QR code gets smaller modules (never below ``MIN_MODULE_MM``) to give the text a
  wider column, or moves to the top-left corner so that lines can also run under it
  (:func:`plan_label`);
* as the very last resort, with every line at ``MIN_SIZE``, lines close up
  (``TIGHT_LEADING``).

If even that does not fit, :class:`LabelTextError` says so - before anything is printed
(:func:`check_label_fits`) - with the layouts on which the label would fit.

Glyphs are placed by their real outline boxes (Vietnamese capitals carry accents well
above the nominal ascent; DejaVu's J descends), so all ink stays inside the text box,
which itself keeps the 2 mm safe margin (:mod:`~registry.labels.layouts`).

Only the serial differs between the labels of a run and its length is fixed, so a plan
is made once per run: the serial gets room for the widest serial of that length and each
label's own serial is fitted into that room (:func:`serial_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from .fonts import (
    TrueTypeFont,
    fit_size,
    fits,
    fitting_size,
    label_fonts,
    split_value,
    wrap,
)
from .layouts import (
    LAYOUTS,
    LabelGeometry,
    LayoutError,
    SheetLayout,
    get_layout,
    label_geometry,
    module_sizes,
)
from .qr import QRBatchEncoder
from .serials import ALPHABET

STAR = "\u2605"

# Text roles: (font, size at scale 1 in pt)
NAME, STARS, PRODUCER, LOT, EXPIRY, SERIAL = "name", "stars", "producer", "lot", "expiry", "serial"
_ROLES = {
    NAME: ("bold", 9.0),
    STARS: ("bold", 8.0),
    PRODUCER: ("regular", 6.5),
    LOT: ("regular", 6.5),
    EXPIRY: ("regular", 6.5),
    SERIAL: ("bold", 7.5),
}
ROLE_TITLES = {  # for messages to people
    NAME: "tên sản phẩm",
    STARS: "dòng hạng OCOP",
    PRODUCER: "tên cơ sở sản xuất",
    LOT: "số lô",
    EXPIRY: "hạn sử dụng",
    SERIAL: "số sê-ri",
}
LEADING = 1.2
TIGHT_LEADING = 1.1  # only with every line at MIN_SIZE, when nothing else fits
MIN_SIZE = 4.5  # pt; smaller is not legible on a label
SCALES = [round(1.2 - 0.025 * i, 3) for i in range(29)]  # 1.2 .. 0.5 (every role at MIN_SIZE)
ONE_LINE_SHRINK = 0.85  # a caption and value shrink this far on one line before splitting
COMFORT_SCALE = 0.7  # below this the code gives up module size to give the text room
ASCENT = 0.76  # DejaVu Sans nominal ascent and descent, in em (kept for callers)
DESCENT = 0.24


@dataclass(frozen=True)
class LabelContent:
    """What one label shows. ``url`` goes in the QR code; the rest is printed text.

    ``stars_until``: the last day of the OCOP decision, shown after the stars.
    """

    url: str
    serial_display: str
    product_name: str
    producer_name: str
    lot: str
    stars: int | None = None  # OCOP rating, only when the decision is valid
    expiry: date | None = None
    stars_until: date | None = None

    def __post_init__(self):
        if self.stars is not None and self.stars not in range(1, 6):
            raise ValueError("OCOP ratings have 1 to 5 stars")


class LabelTextError(LayoutError):
    """The text of a label cannot be printed whole on a layout, even at the smallest size.

    ``fits``: the layouts on which it would fit (see :func:`layouts_that_fit`).
    """


@dataclass(frozen=True)
class TextLine:
    role: str
    bold: bool
    size: float  # pt
    text: str
    baseline: float  # pt below the top of the text box
    x: float = 0.0  # pt right of the text box's left edge, where the text starts


@dataclass(frozen=True)
class SerialBlock:
    """Room kept for the serial at the bottom of the text box (the same for a run)."""

    lines: int  # lines kept (2 or 3 only where even the widest serial needs them)
    size: float  # pt
    bold: bool  # whether the run's serials may be bold
    width: float  # pt
    baselines: tuple[float, ...]  # pt below the top of the text box, top to bottom
    x: float = 0.0  # pt right of the text box's left edge (negative: under the code)


@dataclass(frozen=True)
class TextLayout:
    """A fitted text block: every line but the serial, and the room for the serial."""

    lines: tuple[TextLine, ...]  # the serial last, set with the serial it was fitted for
    serial: SerialBlock
    scale: float
    body: tuple[TextLine, ...] = ()  # every line but the serial
    leading: float = LEADING

    def serial_lines(self, serial: str) -> list[TextLine]:
        """The serial ``serial`` set in the room kept for it (bottom-aligned)."""
        block = self.serial
        if block.lines == 1:  # the usual case, once per label: :func:`serial_lines`, inlined
            fonts = label_fonts()
            for bold in (True, False) if block.bold else (False,):
                _adv, left, right, _bottom, _top = fonts[bold].ink(serial)
                shift = -min(0.0, left) / 1000
                need = right / 1000 + shift  # width per pt of size
                size = block.size
                if need * size > block.width:
                    size = size * block.width / (need * size) * (1 - 1e-9)
                if size >= MIN_SIZE:
                    return [TextLine(SERIAL, bold, size, serial, block.baselines[-1],
                                     block.x + shift * size)]
        pieces = serial_lines(serial, block.width, block.size, block.lines, block.bold)
        if pieces is None:  # cannot happen: the room is for the widest serial
            raise LabelTextError(f"số sê-ri {serial} không vừa chỗ dành cho nó trên tem")
        baselines = block.baselines[len(block.baselines) - len(pieces) :]
        fonts = label_fonts()
        return [
            TextLine(SERIAL, bold, size, text, baseline, block.x + _x(fonts[bold], text, size))
            for (bold, size, text), baseline in zip(pieces, baselines)
        ]

    @property
    def smallest(self) -> float:
        return min(line.size for line in self.lines)


@dataclass(frozen=True)
class TextBox:
    """Where text may go, in pt from the top-left corner of the text column.

    The column is ``width`` x ``height``. From ``wide_top`` down (when set: the code
    sits at the top and leaves a band below it) lines may instead start ``wide_x`` from
    the column's left edge (negative: under the code) and be ``wide_width`` wide.
    """

    width: float
    height: float
    wide_top: float | None = None
    wide_x: float = 0.0
    wide_width: float = 0.0

    @classmethod
    def of(cls, geometry: LabelGeometry) -> TextBox:
        text, strip = geometry.text, geometry.strip
        if strip is None:
            return cls(text.w * PT_PER_MM, text.h * PT_PER_MM)
        return cls(
            text.w * PT_PER_MM,
            text.h * PT_PER_MM,
            (strip.y - text.y) * PT_PER_MM,
            (strip.x - text.x) * PT_PER_MM,
            strip.w * PT_PER_MM,
        )

    def widths(self) -> list[tuple[float, float, float | None]]:
        """(width, x, lowest top) for lines: under the code first, then the column."""
        column = (self.width, 0.0, None)
        if self.wide_top is None:
            return [column]
        return [(self.wide_width, self.wide_x, self.wide_top), column]


@dataclass(frozen=True)
class LabelPlan:
    """Where everything of a run's labels goes: the code's geometry and the text."""

    geometry: LabelGeometry
    text: TextLayout


PT_PER_MM = 72 / 25.4


# ---------------------------------------------------------------------------- pieces

Piece = tuple[bool, float, str]  # (bold, size, text) of one line


def _role_size(role: str, scale: float) -> float:
    return max(MIN_SIZE, round(_ROLES[role][1] * scale, 3))


def _at_min(size: float) -> bool:
    return size <= MIN_SIZE + 1e-9


def stars_text(content: LabelContent, font: TrueTypeFont | None = None) -> tuple[str, str | None]:
    """("OCOP ★★★★", "QĐ đến 28/12/2026" or None): the two parts of the stars line."""
    font = font or label_fonts()[1]
    stars = STAR * content.stars if font.has_glyphs(STAR) else f"{content.stars}/5"
    until = None if content.stars_until is None else f"QĐ đến {content.stars_until:%d/%m/%Y}"
    return f"OCOP {stars}", until


def _words(text: str, font, bold, size, width) -> list[Piece] | None:
    lines = wrap(text, font, size, width, break_words=_at_min(size))
    return None if lines is None else [(bold, size, line) for line in lines]


def _stars(content, font, size, width) -> list[Piece] | None:
    head, tail = stars_text(content, font)
    whole = head if tail is None else f"{head} · {tail}"
    if fits(font, whole, size, width):
        return [(True, size, whole)]
    parts = [_words(head, font, True, size, width)]
    if tail is not None:
        parts.append(_words(tail, font, True, size, width))
    if any(part is None for part in parts):
        return None
    return [piece for part in parts for piece in part]


def _captioned(caption, value, font, size, width, compact, breakable) -> list[Piece] | None:
    """A caption and its value: one line, else the value on its own line, never cut."""
    whole = f"{caption} {value}"
    if fits(font, whole, size, width):
        return [(False, size, whole)]
    floor = MIN_SIZE if compact else max(MIN_SIZE, size * ONE_LINE_SHRINK)
    shrunk = fitting_size(whole, font, size, width, floor)
    if shrunk is not None:
        return [(False, shrunk, whole)]
    if fits(font, caption, size, width):
        value_size = fitting_size(value, font, size, width, MIN_SIZE)
        if value_size is not None:
            return [(False, size, caption), (False, value_size, value)]
    if breakable and _at_min(size):  # last resort: the value itself over several lines
        lines = split_value(value, font, size, width, prefix=f"{caption} ")
        if lines is not None:
            return [(False, size, line) for line in lines]
    return None


def _serial_shape(serial: str) -> str:
    return "".join("-" if ch == "-" else "X" for ch in serial)


@cache
def _widest_serial_char() -> str:
    regular, bold = label_fonts()
    return max(ALPHABET, key=lambda ch: max(regular.width(ch, 1), bold.width(ch, 1)))


def widest_serial(serial: str) -> str:
    """The widest serial of the same shape (every character the widest of the alphabet)."""
    wide = _widest_serial_char()
    return "".join(ch if ch == "-" else wide for ch in serial)


def _pack_serial(serial: str, font, size, width) -> list[str] | None:
    """The serial over lines, broken after its group dashes (ABCD-EFGH- / JKMN)."""
    groups, current = [], ""
    for ch in serial:
        current += ch
        if ch == "-":
            groups.append(current)
            current = ""
    if current:
        groups.append(current)
    lines, line = [], ""
    for group in groups:
        if fits(font, line + group, size, width):
            line += group
            continue
        if line:
            lines.append(line)
        if fits(font, group, size, width):
            line = group
            continue
        pieces = split_value(group, font, size, width)
        if pieces is None:
            return None
        lines += pieces[:-1]
        line = pieces[-1]
    if line:
        lines.append(line)
    return lines


def serial_lines(
    serial: str, width: float, size: float, max_lines: int = 1, allow_bold: bool = True
) -> list[Piece] | None:
    """The serial in at most ``max_lines`` lines of ``width`` pt, never cut: one line,
    bold if it fits at ``MIN_SIZE`` or more, else regular, shrunk as needed; else broken
    after its dashes. None if that does not fit at ``MIN_SIZE``."""
    regular, bold = label_fonts()
    for font, is_bold in ((bold, True), (regular, False)) if allow_bold else ((regular, False),):
        fitted = fitting_size(serial, font, size, width, MIN_SIZE)
        if fitted is not None:
            return [(is_bold, fitted, serial)]
    if max_lines > 1:
        steps = max(1, int((size - MIN_SIZE) / 0.25))
        for i in range(steps + 1):
            step_size = max(MIN_SIZE, size - i * 0.25) if i < steps else MIN_SIZE
            lines = _pack_serial(serial, regular, step_size, width)
            if lines is not None and len(lines) <= max_lines:
                return [(False, step_size, line) for line in lines]
    return None


def fit_serial(
    serial: str, width: float, size: float, allow_bold: bool = True
) -> tuple[bool, float]:
    """(bold, size) for the serial on one line: bold if it fits at a legible size, else
    regular, shrunk as far as needed (check the result with :func:`~.fonts.fits`)."""
    regular, bold = label_fonts()
    size = max(MIN_SIZE, size)
    bold_size = fit_size(serial, bold, size, width, MIN_SIZE)
    if allow_bold and fits(bold, serial, bold_size, width):
        return True, bold_size
    return False, fit_size(serial, regular, size, width, 0.1)


@cache
def _serial_bottom() -> float:
    """How far (em) the serial's ink may reach below its baseline (DejaVu's J descends)."""
    return max(-font.ink(ch)[3] for font in label_fonts() for ch in ALPHABET + "-") / 1000


@cache
def _serial_top() -> float:
    """How far (em) the serial's ink may reach above its baseline (no accents there)."""
    return max(font.ink(ch)[4] for font in label_fonts() for ch in ALPHABET + "-") / 1000


# ---------------------------------------------------------------------------- fitting


def _roles(content: LabelContent) -> list[str]:
    roles = [NAME] if content.product_name.strip() else []
    if content.stars:
        roles.append(STARS)
    if content.producer_name.strip():
        roles.append(PRODUCER)
    roles.append(LOT)
    if content.expiry is not None:
        roles.append(EXPIRY)
    return roles


def _pieces(role, content, scale, width, compact, fonts) -> list[Piece] | None:
    size = _role_size(role, scale)
    regular, bold = fonts
    if role == NAME:
        return _words(" ".join(content.product_name.split()), bold, True, size, width)
    if role == PRODUCER:
        return _words(" ".join(content.producer_name.split()), regular, False, size, width)
    if role == STARS:
        return _stars(content, bold, size, width)
    if role == LOT:
        return _captioned("Lô:", content.lot, regular, size, width, compact, breakable=True)
    return _captioned(
        "HSD:", f"{content.expiry:%d/%m/%Y}", regular, size, width, compact, breakable=False
    )


def _x(font: TrueTypeFont, text: str, size: float) -> float:
    """Where a line starts so that ink reaching left of the origin stays in the box."""
    return -min(0.0, font.ink(text)[1]) * size / 1000


def _top(font: TrueTypeFont, text: str, size: float) -> float:
    """How far (pt) the ink of ``text`` reaches above its baseline."""
    return max(0.0, font.ink(text)[4]) * size / 1000


def _serial_room(content, scale, width) -> tuple[int, float, bool] | None:
    """(lines, size, bold) kept for the serial in ``width`` pt: room for the widest
    serial of the run's shape (in regular type, shrunk or broken as far as needed)."""
    size = _role_size(SERIAL, scale)
    regular = label_fonts()[0]
    worst = widest_serial(content.serial_display)
    room = width - 0.1 * size  # side bearings of the widest letters
    if fitting_size(worst, regular, size, room, MIN_SIZE) is not None:
        lines = 1
    else:
        packed = _pack_serial(worst, regular, MIN_SIZE, room)
        if packed is None:
            return None
        lines = len(packed)
    reference = serial_lines(content.serial_display, width, size, lines)
    if reference is None:
        return None
    return lines, size, reference[0][0]


def _stack(pieces: list[Piece], role: str, previous: float | None, x0: float, fonts, leading):
    """Lines of one role below the line whose baseline is ``previous`` (None: at top)."""
    lines = []
    baseline = previous
    for bold, size, text in pieces:
        font = fonts[bold]
        if baseline is None:
            baseline = _top(font, text, size)  # the first line's ink touches the top
        else:
            baseline += size * leading
        lines.append(TextLine(role, bold, size, text, baseline, x0 + _x(font, text, size)))
    return lines


def _place_block(role, content, scale, box, compact, previous, leading, fonts):
    """A role's lines in the column or under the code (there, possibly after skipping
    down to where the band under the code starts): wherever the block ends highest."""
    best = None
    for width, x0, lowest_top in box.widths():
        pieces = _pieces(role, content, scale, width, compact, fonts)
        if pieces is None:
            continue
        block = _stack(pieces, role, previous, x0, fonts, leading)
        first = block[0]
        top = first.baseline - _top(fonts[first.bold], first.text, first.size)
        if lowest_top is not None and top < lowest_top:
            shift = lowest_top - top  # start under the code
            block = [replace(line, baseline=line.baseline + shift) for line in block]
        if best is None or block[-1].baseline < best[-1].baseline - 1e-9:
            best = block
    return best


def _take_line(words: list[str], font, size, width, break_words) -> tuple[str, list[str]] | None:
    """The first line of ``words`` at ``width`` (greedy) and the words left over."""
    line, i = "", 0
    while i < len(words):
        candidate = f"{line} {words[i]}" if line else words[i]
        if fits(font, candidate, size, width):
            line, i = candidate, i + 1
            continue
        break
    if line:
        return line, words[i:]
    if not break_words:  # the first word alone is too wide
        return None
    pieces = split_value(words[0], font, size, width)
    if pieces is None:
        return None
    return pieces[0], ["".join(pieces[1:])] + words[1:]


def _flow_words(text, font, bold, size, role, box: TextBox, previous, leading):
    """Word-wrapped lines, each as wide as where it falls allows: beside the code in
    the column, under it across the label."""
    words = text.split()
    break_words = _at_min(size)
    lines: list[TextLine] = []
    while words:
        placed = None
        for width, x0, lowest_top in box.widths():
            taken = _take_line(words, font, size, width, break_words)
            if taken is None:
                continue
            line, rest = taken
            top = _top(font, line, size)
            baseline = top if previous is None else previous + size * leading
            if lowest_top is not None and baseline - top < lowest_top:
                continue  # this line is beside the code
            placed = TextLine(role, bold, size, line, baseline, x0 + _x(font, line, size)), rest
            break
        if placed is None:
            return None
        line, words = placed
        lines.append(line)
        previous = line.baseline
    return lines


def _attempt(content, scale, box: TextBox, compact, leading=LEADING) -> TextLayout | None:
    """The text set at one scale, or None if it does not fit ``box``."""
    fonts = label_fonts()
    lines: list[TextLine] = []
    previous = None
    for role in _roles(content):
        if role in (NAME, PRODUCER) and box.wide_top is not None:
            size = _role_size(role, scale)
            bold = role == NAME
            text = content.product_name if bold else content.producer_name
            placed = _flow_words(text, fonts[bold], bold, size, role, box, previous, leading)
        else:
            placed = _place_block(role, content, scale, box, compact, previous, leading, fonts)
        if placed is None:
            return None
        lines += placed
        previous = placed[-1].baseline
    serial = None
    for width, x0, lowest_top in box.widths():
        room = _serial_room(content, scale, width)
        if room is None:
            continue
        count, size, bold = room
        pitch = size * leading
        last = box.height - size * _serial_bottom()
        baselines = tuple(last - (count - 1 - i) * pitch for i in range(count))
        if previous is not None and baselines[0] < previous + pitch - 1e-9:
            continue  # runs into the lines above
        if previous is None and baselines[0] - size * _serial_top() < -1e-9:
            continue
        if lowest_top is not None and baselines[0] - size * _serial_top() < lowest_top:
            continue
        serial = SerialBlock(count, size, bold, width, baselines, x0)
        break
    if serial is None:
        return None
    body = tuple(lines)
    own = TextLayout(body, serial, scale, body).serial_lines(content.serial_display)
    return TextLayout(body + tuple(own), serial, scale, body, leading)


def _fits_at(content, index, box) -> TextLayout | None:
    scale = SCALES[index]
    found = _attempt(content, scale, box, False) or _attempt(content, scale, box, True)
    if found is None and index == len(SCALES) - 1:  # the very last resort
        found = _attempt(content, scale, box, True, TIGHT_LEADING)
    return found


def fit_box(content: LabelContent, box: TextBox) -> TextLayout | None:
    """The whole text at the largest scale at which it fits ``box``, or None if it does
    not fit even with every line at ``MIN_SIZE``. (Fitting gets easier as the scale
    goes down, so the scale is found by bisection.)"""
    best = _fits_at(content, 0, box)
    if best is not None:
        return best
    low = _fits_at(content, len(SCALES) - 1, box)
    if low is None:
        return None
    bad, good = 0, len(SCALES) - 1
    while good - bad > 1:
        middle = (bad + good) // 2
        found = _fits_at(content, middle, box)
        if found is not None:
            good, low = middle, found
        else:
            bad = middle
    return low


def fit_text(content: LabelContent, width_pt: float, height_pt: float) -> TextLayout | None:
    """:func:`fit_box` for a plain ``width_pt`` x ``height_pt`` column."""
    return fit_box(content, TextBox(width_pt, height_pt))


def layout_text(content: LabelContent, width_pt: float, height_pt: float) -> list[TextLine]:
    """Lines of a label's text block, fitted whole into ``width_pt`` x ``height_pt``.

    The serial (set for ``content.serial_display``) is on the bottom line(s), everything
    else stacks from the top. Raises LabelTextError if the text cannot fit whole.
    """
    fitted = fit_text(content, width_pt, height_pt)
    if fitted is None:
        raise LabelTextError("thông tin trên tem không vừa khung chữ, kể cả ở cỡ chữ nhỏ nhất")
    return list(fitted.lines)


# ------------------------------------------------------------------------------ plans


def _text_key(content: LabelContent) -> tuple:
    return (
        content.product_name,
        content.producer_name,
        content.stars,
        content.stars_until,
        content.lot,
        content.expiry,
        _serial_shape(content.serial_display),
    )


def plan_label(
    content: LabelContent, layout: str | SheetLayout, version: int, dpi: int | None = None
) -> LabelPlan:
    """The code geometry and the fitted text for ``content`` with codes of ``version``.

    Arrangements are tried in this order: the code centred on the left with its
    preferred modules, then with smaller modules (down to ``MIN_MODULE_MM``), then the
    code in the top-left corner with text also running under it, again from the
    preferred modules down. The first that is comfortable - text at least
    ``COMFORT_SCALE`` times its nominal size and room for any serial of the run on one
    line - wins; failing that, the one with the largest text (a serial on one line
    first). Cached per run (everything but the serial). Raises LayoutError (the code
    does not fit) or LabelTextError (the text does not fit whole); neither carries
    ``fits`` (see :func:`check_label_fits`).
    """
    sheet = get_layout(layout) if isinstance(layout, str) else layout
    key = (_text_key(content), sheet, version, dpi)
    result = _PLANS.get(key)
    if result is None:
        if len(_PLANS) >= PLAN_CACHE_SIZE:
            _PLANS.clear()
        result = _PLANS[key] = _make_plan(content, sheet, version, dpi)
    if isinstance(result, LayoutError):
        raise type(result)(str(result))
    return result


PLAN_CACHE_SIZE = 256
_PLANS: dict[tuple, LabelPlan | LayoutError] = {}


def _make_plan(content, sheet: SheetLayout, version, dpi) -> LabelPlan | LayoutError:
    try:
        modules = module_sizes(sheet, version, dpi)
    except LayoutError as error:
        return error
    arrangements: list[list[LabelGeometry]] = []
    error = None
    for on_top in (False, True):
        geometries = []
        for module in modules:
            try:
                geometry = label_geometry(sheet, version, dpi, module_mm=module, code_on_top=on_top)
            except LayoutError as exc:
                error = exc
                continue
            if not on_top or geometry.strip is not None:
                geometries.append(geometry)
        if geometries:
            arrangements.append(geometries)
    if not arrangements:
        return error
    # Preference: the code centred, then at the top (text under it); larger modules first.
    candidates = [g for geometries in arrangements for g in geometries]
    results: dict[int, TextLayout | None] = {}

    def fitted(i: int) -> TextLayout | None:
        if i not in results:
            results[i] = fit_box(content, TextBox.of(candidates[i]))
        return results[i]

    def comfortable(text: TextLayout | None) -> bool:
        # Type not too small, and any serial of the run on one line.
        return text is not None and text.scale >= COMFORT_SCALE - 1e-9 and text.serial.lines == 1

    def score(text: TextLayout) -> tuple:
        return (text.serial.lines == 1, text.scale, text.leading)

    first = fitted(0)
    if comfortable(first):
        return LabelPlan(candidates[0], first)
    # The smallest modules leave the text the most room: if nothing fits there, give up.
    ends, i = [], 0
    for geometries in arrangements:
        i += len(geometries)
        ends.append(i - 1)
    if all(fitted(i) is None for i in ends):
        widest = max(g.strip.w if g.strip else g.text.w for g in candidates)
        return LabelTextError(_refusal(content, sheet, widest * PT_PER_MM))
    best = None
    for i in range(len(candidates)):
        text = fitted(i)
        if text is None:
            continue
        if comfortable(text):
            return LabelPlan(candidates[i], text)
        if best is None or score(text) > score(results[best]):
            best = i
    return LabelPlan(candidates[best], results[best])


def _mm(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _refusal(content: LabelContent, sheet: SheetLayout, width: float) -> str:
    """Why the text does not fit ``width`` pt at most (in Vietnamese, for people)."""
    where = f"khổ tem {sheet.name} ({_mm(sheet.label_w)} × {_mm(sheet.label_h)} mm)"
    fonts = label_fonts()
    scale = SCALES[-1]
    for role in _roles(content):
        if _pieces(role, content, scale, width, True, fonts) is None:
            title = ROLE_TITLES[role]
            return (
                f"{title[0].upper() + title[1:]} không vừa bề ngang của {where}, kể cả "
                f"với cỡ chữ nhỏ nhất {_mm(MIN_SIZE)} pt."
            )
    if _serial_room(content, scale, width) is None:
        return f"Số sê-ri không vừa bề ngang của {where}, kể cả với cỡ chữ nhỏ nhất."
    return (
        f"Tên sản phẩm, tên cơ sở sản xuất, số lô và các thông tin khác không in trọn được "
        f"trên {where}, kể cả với cỡ chữ nhỏ nhất {_mm(MIN_SIZE)} pt; hãy rút ngắn tên "
        "sản phẩm hoặc tên cơ sở, hoặc chọn khổ tem lớn hơn."
    )


def run_version(content: LabelContent, ecc: str = "M", version: int | None = None) -> int:
    """The QR version a run of such labels gets (as :func:`~.pdf.write_label_pdf` fixes it)."""
    return QRBatchEncoder(ecc, version).fix_version([content.url])


def layouts_that_fit(
    content: LabelContent, *, ecc: str = "M", version: int | None = None, dpi: int | None = None
) -> list[str]:
    """Names of the layouts (in :data:`~.layouts.LAYOUTS` order) on which labels like
    ``content`` print whole: code and every value. One content stands for its whole run
    (only the serial differs, and room is kept for the widest serial)."""
    qr_version = run_version(content, ecc, version)
    names = []
    for name in LAYOUTS:
        try:
            plan_label(content, name, qr_version, dpi)
        except LayoutError:
            continue
        names.append(name)
    return names


def with_fits(
    error: LayoutError, content: LabelContent, ecc: str, version: int | None, dpi: int | None
) -> LayoutError:
    """``error`` (of the same class), its message completed with the layouts on which
    ``content`` would fit, and those in its ``fits``."""
    fits = layouts_that_fit(content, ecc=ecc, version=version, dpi=dpi)
    if fits:
        advice = f" Nội dung này in trọn được trên khổ: {', '.join(fits)}."
    else:
        advice = (" Không khổ tem nào in trọn được nội dung này; hãy rút ngắn tên sản phẩm "
                  "hoặc tên cơ sở.")
    return type(error)(str(error) + advice, fits)


def check_label_fits(
    content: LabelContent,
    layout: str,
    *,
    ecc: str = "M",
    version: int | None = None,
    dpi: int | None = None,
) -> None:
    """Raise LabelTextError (text) or LayoutError (code) if labels like ``content``
    cannot print whole on ``layout`` at QR level ``ecc``; the error's ``fits`` lists the
    layouts on which they would. The QR version is the one a run of them gets."""
    sheet = get_layout(layout)
    qr_version = run_version(content, ecc, version)
    try:
        plan_label(content, sheet, qr_version, dpi)
    except LayoutError as error:
        raise with_fits(error, content, ecc, version, dpi) from None
