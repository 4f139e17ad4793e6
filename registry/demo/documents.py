"""One-page A4 PDFs for the demo's evidence documents (Vietnamese text, embedded font)."""
from __future__ import annotations

from ..labels.document import A4Page


def text_pdf(title: str, lines: list[str]) -> bytes:
    page = A4Page()
    page.text(30, title, 14, bold=True, x_mm=25)
    for i, line in enumerate(lines):
        page.text(45 + 9 * i, line, 11, x_mm=25)
    return page.finish(title)
