"""Inline SVG bar charts: no script, nothing from another host, readable on a phone."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def bar_chart(bars: list[Bar], *, title: str, width: int = 320, row: int = 28) -> str:
    """Horizontal bars with their labels and values; scales to the container width."""
    height = max(1, len(bars)) * row + 8
    top = max((b.value for b in bars), default=0) or 1
    label_w, value_w = width * 0.42, 36
    bar_space = width - label_w - value_w
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i, bar in enumerate(bars):
        y = 4 + i * row
        w = bar_space * bar.value / top
        parts.append(
            f'<text x="0" y="{y + row * 0.62:.1f}" font-size="12">{escape(bar.label[:28])}</text>'
            f'<rect x="{label_w:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" '
            f'fill="#1f8a55" rx="2"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + row * 0.62:.1f}" font-size="12">'
            f"{bar.value}</text>")
    parts.append("</svg>")
    return "".join(parts)
