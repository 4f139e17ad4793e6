"""The serial on a label: the only value that differs between the labels of a run.

Room is kept once per run for the widest serial of the run's shape
(:func:`widest_serial`); each label's own serial is then fitted into it
(:func:`serial_lines`): one line, bold when it fits, else regular and smaller, else
broken after its group dashes - never cut.
"""

from __future__ import annotations

from functools import cache

from .content import MIN_SIZE, Piece
from .fonts import TrueTypeFont, fit_size, fits, fitting_size, label_fonts, split_value
from .serials import ALPHABET


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


def _x(font: TrueTypeFont, text: str, size: float) -> float:
    """Where a line starts so that ink reaching left of the origin stays in the box."""
    return -min(0.0, font.ink(text)[1]) * size / 1000


def _top(font: TrueTypeFont, text: str, size: float) -> float:
    """How far (pt) the ink of ``text`` reaches above its baseline."""
    return max(0.0, font.ink(text)[4]) * size / 1000
