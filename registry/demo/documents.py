"""One-page A4 PDFs for the demo's evidence documents (Vietnamese text, embedded font)."""
from __future__ import annotations

import io

from ..labels.fonts import label_fonts
from ..labels.pdfwriter import EmbeddedFont, PageTree, PdfStreamWriter, pdf_string

PT_PER_MM = 72 / 25.4
A4_W, A4_H = 210 * PT_PER_MM, 297 * PT_PER_MM


def text_pdf(title: str, lines: list[str]) -> bytes:
    out = io.BytesIO()
    writer = PdfStreamWriter(out)
    pages = PageTree(writer)
    regular, bold = (EmbeddedFont(writer, f) for f in label_fonts())
    resources = writer.add_object(
        f"<< /Font << /F1 {regular.number} 0 R /F2 {bold.number} 0 R >> >>")
    ops = [f"BT /F2 14 Tf 1 0 0 1 {25 * PT_PER_MM:.2f} {A4_H - 30 * PT_PER_MM:.2f} Tm "
           f"{bold.encode(title)} Tj ET\n"]
    for i, line in enumerate(lines):
        y = A4_H - (45 + 9 * i) * PT_PER_MM
        ops.append(f"BT /F1 11 Tf 1 0 0 1 {25 * PT_PER_MM:.2f} {y:.2f} Tm "
                   f"{regular.encode(line)} Tj ET\n")
    content = writer.add_stream("".join(ops).encode("latin-1"))
    pages.add_page(f"/MediaBox [0 0 {A4_W:.2f} {A4_H:.2f}] /Resources {resources} 0 R "
                   f"/Contents {content} 0 R")
    regular.finish()
    bold.finish()
    root = pages.finish()
    catalog = writer.add_object(f"<< /Type /Catalog /Pages {root} 0 R >>")
    info = writer.add_object(f"<< /Title {pdf_string(title)} >>")
    writer.finish(catalog, info)
    return out.getvalue()
