"""Inline SVG bar charts: no script, nothing from another host, readable on a phone.

Each bar's label stands above it, whole: long labels wrap onto further lines, never cut.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

#: Characters per label line at 12 px in a 320-unit-wide chart (DejaVu/Arial widths).
LINE_CHARS = 46
LINE_H = 15
BAR_H = 14


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


#: Labels up to this many characters (dates, "4 ★") sit beside their bar instead.
SHORT_LABEL = 8


def bar_chart(bars: list[Bar], *, title: str, width: int = 320, row: int = 24) -> str:
    """Horizontal bars with their values at the bar's end; each bar's label, whole,
    beside it when every label is short, above it (wrapped) otherwise."""
    top = max((b.value for b in bars), default=0) or 1
    value_w = 40
    if all(len(b.label) <= SHORT_LABEL for b in bars):
        return _inline_chart(bars, title=title, width=width, row=row, top=top)
    parts, y = [], 4
    for bar in bars:
        lines = textwrap.wrap(bar.label, LINE_CHARS) or [""]
        text = "".join(f'<tspan x="0" dy="{LINE_H if i else 0}">{escape(line)}</tspan>'
                       for i, line in enumerate(lines))
        parts.append(f'<text x="0" y="{y + 12}" font-size="12">{text}</text>')
        y += LINE_H * len(lines) + 2
        w = max(1.0, (width - value_w) * bar.value / top)
        parts.append(f'<rect x="0" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="#1f8a55" '
                     f'rx="2"/><text x="{w + 4:.1f}" y="{y + BAR_H - 2}" font-size="12">'
                     f"{bar.value}</text>")
        y += BAR_H + 10
    return (f'<svg class="chart" viewBox="0 0 {width} {max(y, 8)}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(title)}</title>{''.join(parts)}</svg>")


def _inline_chart(bars: list[Bar], *, title: str, width: int, row: int, top: int) -> str:
    label_w, value_w = 64, 40
    parts = []
    for i, bar in enumerate(bars):
        y = 4 + i * row
        w = max(1.0, (width - label_w - value_w) * bar.value / top)
        parts.append(
            f'<text x="0" y="{y + row * 0.62:.1f}" font-size="12">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" '
            f'fill="#1f8a55" rx="2"/><text x="{label_w + w + 4:.1f}" y="{y + row * 0.62:.1f}" '
            f'font-size="12">{bar.value}</text>')
    height = max(1, len(bars)) * row + 8
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(title)}</title>{''.join(parts)}</svg>")
