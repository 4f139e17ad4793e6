"""A printable A4 certificate for a rating decision, with a QR code to the public page.

Built on the label engine's streaming PDF writer and embedded DejaVu fonts, so the
Vietnamese text prints the same on any computer.
"""
from __future__ import annotations

from ..labels.document import A4_W, PT_PER_MM, A4Page
from ..labels.pdf import qr_path_operators
from ..labels.qr import qr_matrix
from ..models import RatingDecision
from ..ocop.criteria import COUNCIL_LEVEL_LABELS


def _d(value) -> str:
    return value.strftime("%d/%m/%Y")


def certificate_pdf(decision: RatingDecision, public_url: str) -> bytes:
    page = A4Page()
    page.draw("0.043 0.365 0.231 RG 2 w 36 36 523.3 769.9 re S 0 g\n")
    product, producer = decision.product, decision.product.producer
    page.text(30, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    page.text(37, "Độc lập – Tự do – Hạnh phúc", 11)
    page.text(58, decision.issuing_body.upper(), 12, bold=True)
    page.text(80, "GIẤY CHỨNG NHẬN", 24, bold=True)
    page.text(92, "SẢN PHẨM OCOP", 18, bold=True)
    page.text(110, product.name_vi, 18, bold=True)
    if product.name_en:
        page.text(118, product.name_en, 11)
    page.text(132, f"Chủ thể: {producer.name}", 12)
    if producer.commune is not None:
        page.text(140, producer.commune.address_line, 10)
    page.text(160, "★" * decision.stars + "☆" * (5 - decision.stars), 34, bold=True)
    page.text(172, f"Đạt hạng {decision.stars} sao"
              + (f" · {decision.points:.2f} điểm" if decision.points is not None else ""), 14)
    page.text(186, f"Quyết định số {decision.decision_number} ngày {_d(decision.decided_on)}", 12)
    page.text(194, f"Hội đồng {COUNCIL_LEVEL_LABELS[decision.issuing_level][0]} · "
              f"bộ tiêu chí {decision.criteria_set.label}"
              + (f" · bộ sản phẩm {decision.product_set_def.label_vi}"
                 if decision.product_set_def else ""), 10)
    page.text(204, f"Có giá trị đến ngày {_d(decision.valid_until)}", 13, bold=True)
    if decision.revoked_on is not None:
        page.text(214, f"ĐÃ THU HỒI NGÀY {_d(decision.revoked_on)}", 16, bold=True)
    if decision.is_demo:
        page.text(222, "Dữ liệu minh hoạ — không phải giấy chứng nhận thật", 10)

    matrix = qr_matrix(public_url, "M")
    module = 0.8 * PT_PER_MM
    size = matrix.shape[0] * module
    page.draw("0 g\n")
    # the code's top edge 72 mm above the bottom of the page, the caption under it
    page.draw(qr_path_operators(matrix, (A4_W - size) / 2, 72 * PT_PER_MM, module).decode())
    page.text(297 - 36, "Quét mã để kiểm tra hạng sao và hiệu lực trên sổ đăng ký:", 9)
    page.text(297 - 31, public_url, 9)
    return page.finish("Giấy chứng nhận OCOP " + product.name_vi)
