"""A printable A4 certificate for a rating decision, with a QR code to the public page.

Built on the label engine's streaming PDF writer and embedded DejaVu fonts, so the
Vietnamese text prints the same on any computer.
"""
from __future__ import annotations

import io

from ..labels.fonts import label_fonts
from ..labels.pdf import qr_path_operators
from ..labels.pdfwriter import EmbeddedFont, PageTree, PdfStreamWriter, pdf_string
from ..labels.qr import qr_matrix
from ..models import RatingDecision
from ..ocop.criteria import COUNCIL_LEVEL_LABELS

PT_PER_MM = 72 / 25.4
A4_W, A4_H = 210 * PT_PER_MM, 297 * PT_PER_MM


def _d(value) -> str:
    return value.strftime("%d/%m/%Y")


def certificate_pdf(decision: RatingDecision, public_url: str) -> bytes:
    out = io.BytesIO()
    writer = PdfStreamWriter(out)
    pages = PageTree(writer)
    regular, bold = (EmbeddedFont(writer, f) for f in label_fonts())
    resources = writer.add_object(
        f"<< /Font << /F1 {regular.number} 0 R /F2 {bold.number} 0 R >> >>")
    ops: list[str] = ["0.043 0.365 0.231 RG 2 w 36 36 523.3 769.9 re S 0 g\n"]

    def text(y_mm: float, content: str, size: float, *, font=regular, centre=True) -> None:
        face = bold.font if font is bold else regular.font
        width = face.width(content, size)
        x = (A4_W - width) / 2 if centre else 30 * PT_PER_MM
        name = "F2" if font is bold else "F1"
        ops.append(f"BT /{name} {size:.1f} Tf 1 0 0 1 {x:.2f} {A4_H - y_mm * PT_PER_MM:.2f} Tm "
                   f"{font.encode(content)} Tj ET\n")

    product, producer = decision.product, decision.product.producer
    text(30, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, font=bold)
    text(37, "Độc lập – Tự do – Hạnh phúc", 11)
    text(58, decision.issuing_body.upper(), 12, font=bold)
    text(80, "GIẤY CHỨNG NHẬN", 24, font=bold)
    text(92, "SẢN PHẨM OCOP", 18, font=bold)
    text(110, product.name_vi, 18, font=bold)
    if product.name_en:
        text(118, product.name_en, 11)
    text(132, f"Chủ thể: {producer.name}", 12)
    if producer.commune is not None:
        text(140, producer.commune.address_line, 10)
    text(160, "★" * decision.stars + "☆" * (5 - decision.stars), 34, font=bold)
    text(172, f"Đạt hạng {decision.stars} sao"
              + (f" · {decision.points:.2f} điểm" if decision.points is not None else ""), 14)
    text(186, f"Quyết định số {decision.decision_number} ngày {_d(decision.decided_on)}", 12)
    text(194, f"Hội đồng {COUNCIL_LEVEL_LABELS[decision.issuing_level][0]} · "
              f"bộ tiêu chí {decision.criteria_set.label}", 10)
    text(204, f"Có giá trị đến ngày {_d(decision.valid_until)}", 13, font=bold)
    if decision.revoked_on is not None:
        text(214, f"ĐÃ THU HỒI NGÀY {_d(decision.revoked_on)}", 16, font=bold)
    if decision.is_demo:
        text(222, "Dữ liệu minh hoạ — không phải giấy chứng nhận thật", 10)

    matrix = qr_matrix(public_url, "M")
    module = 0.8 * PT_PER_MM
    size = matrix.shape[0] * module
    ops.append("0 g\n")
    # the code's top edge 72 mm above the bottom of the page, the caption under it
    ops.append(qr_path_operators(matrix, (A4_W - size) / 2, 72 * PT_PER_MM, module).decode())
    text(297 - 36, "Quét mã để kiểm tra hạng sao và hiệu lực trên sổ đăng ký:", 9)
    text(297 - 31, public_url, 9)

    content = writer.add_stream("".join(ops).encode("latin-1"))
    pages.add_page(f"/MediaBox [0 0 {A4_W:.2f} {A4_H:.2f}] /Resources {resources} 0 R "
                   f"/Contents {content} 0 R")
    regular.finish()
    bold.finish()
    root = pages.finish()
    catalog = writer.add_object(f"<< /Type /Catalog /Pages {root} 0 R >>")
    info = writer.add_object(f"<< /Title {pdf_string('Giấy chứng nhận OCOP ' + product.name_vi)} >>")
    writer.finish(catalog, info)
    return out.getvalue()
