"""A label's fitted text: the lines, the room kept for the serial, the text box."""

from __future__ import annotations

from dataclasses import dataclass

from .content import LEADING, MIN_SIZE, PT_PER_MM, SERIAL, LabelTextError
from .fonts import label_fonts
from .layouts import LabelGeometry
from .serialtext import _x, serial_lines


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
