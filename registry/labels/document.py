"""One A4 page of Vietnamese text (and drawings) as a PDF, on the label engine's streaming
writer with the embedded DejaVu fonts: the rating certificate, the demo's documents."""
from __future__ import annotations

import io

from .fonts import label_fonts
from .pdfwriter import EmbeddedFont, PageTree, PdfStreamWriter, pdf_string

PT_PER_MM = 72 / 25.4
A4_W, A4_H = 210 * PT_PER_MM, 297 * PT_PER_MM


class A4Page:
    def __init__(self) -> None:
        self._out = io.BytesIO()
        self._writer = PdfStreamWriter(self._out)
        self._pages = PageTree(self._writer)
        self._regular, self._bold = (EmbeddedFont(self._writer, f) for f in label_fonts())
        self._resources = self._writer.add_object(
            f"<< /Font << /F1 {self._regular.number} 0 R /F2 {self._bold.number} 0 R >> >>")
        self._ops: list[str] = []

    def text(self, y_mm: float, content: str, size: float, *, bold: bool = False,
             x_mm: float | None = None) -> None:
        """A line whose baseline is ``y_mm`` from the top; centred unless ``x_mm``."""
        font = self._bold if bold else self._regular
        width = font.font.width(content, size)
        x = (A4_W - width) / 2 if x_mm is None else x_mm * PT_PER_MM
        self._ops.append(f"BT /{'F2' if bold else 'F1'} {size:.1f} Tf 1 0 0 1 {x:.2f} "
                         f"{A4_H - y_mm * PT_PER_MM:.2f} Tm {font.encode(content)} Tj ET\n")

    def draw(self, operators: str) -> None:
        """Raw PDF drawing operators (a frame, a QR code's modules)."""
        self._ops.append(operators)

    def finish(self, title: str) -> bytes:
        content = self._writer.add_stream("".join(self._ops).encode("latin-1"))
        self._pages.add_page(f"/MediaBox [0 0 {A4_W:.2f} {A4_H:.2f}] /Resources "
                             f"{self._resources} 0 R /Contents {content} 0 R")
        self._regular.finish()
        self._bold.finish()
        root = self._pages.finish()
        catalog = self._writer.add_object(f"<< /Type /Catalog /Pages {root} 0 R >>")
        info = self._writer.add_object(f"<< /Title {pdf_string(title)} >>")
        self._writer.finish(catalog, info)
        return self._out.getvalue()
