"""Helpers for the label tests: sample label runs, rendering PDFs, decoding QR codes."""

from __future__ import annotations

import io
from datetime import date

import pypdfium2 as pdfium
import zxingcpp

from registry.labels.layouts import Rect
from registry.labels.links import label_url_factory
from registry.labels.pdf import LabelContent
from registry.labels.serials import SerialSigner, display

KEY = b"test-key-for-label-serials-0123456789"
GTIN = "08939999000017"
LOT = "L2024-001"
BASE = "https://ocop.example.vn"
EXPIRY = date(2026, 12, 31)
PRODUCTS = [
    ("Bưởi Năm Roi Kế Thành", "HTX Nông nghiệp Kế Thành, Sóc Trăng", 4),
    ("Nấm linh chi thái lát", "Cơ sở Nấm Linh Chi Đà Lạt", 3),
    (
        "Trà Shan tuyết cổ thụ Hà Giang hảo hạng đặc biệt loại một",
        "Công ty TNHH Chè Shan Tuyết Hoàng Su Phì",
        5,
    ),
]


def sample_labels(
    count: int,
    *,
    start: int = 0,
    product: int = 0,
    stars: int | None = -1,
    expiry: date | None = EXPIRY,
    lot: str = LOT,
) -> list[LabelContent]:
    """``count`` serialized labels of one run (stars -1 = the product's own rating)."""
    name, producer, own_stars = PRODUCTS[product]
    signer = SerialSigner(KEY)
    url_for = label_url_factory(BASE, gtin14=GTIN, product_code=None, lot=lot, expiry=expiry)
    return [
        LabelContent(
            url_for(s), display(s), name, producer, lot, own_stars if stars == -1 else stars, expiry
        )
        for s in signer.make_many(GTIN, lot, start, count)
    ]


def render_pages(pdf_bytes: bytes, dpi: int = 300) -> list:
    """Every page as a greyscale PIL image at ``dpi``."""
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        return [
            doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(doc))
        ]
    finally:
        doc.close()


def crop_mm(image, rect: Rect, dpi: int = 300, margin_mm: float = 0.0):
    px = dpi / 25.4
    return image.crop(
        (
            max(0, round((rect.x - margin_mm) * px)),
            max(0, round((rect.y - margin_mm) * px)),
            min(image.width, round((rect.right + margin_mm) * px)),
            min(image.height, round((rect.bottom + margin_mm) * px)),
        )
    )


def decode_all(image) -> list[str]:
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain
    )
    return [b.text for b in found]


def decode_one(image) -> str:
    found = decode_all(image)
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    return found[0]


def pdf_bytes_of(write, *args, **kwargs) -> bytes:
    buf = io.BytesIO()
    write(buf, *args, **kwargs)
    return buf.getvalue()
