"""Helpers for the label tests: sample label runs, rendering PDFs, decoding QR codes."""

from __future__ import annotations

import io
from dataclasses import dataclass
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


# ------------------------------------------------------------------ text as printed

SAFE_MM = 2.0  # nothing may be printed closer than this to a label edge


@dataclass(frozen=True)
class Glyph:
    """One printed character and its real glyph box, in mm from the page's top left."""

    char: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def inked(self) -> bool:
        return not self.char.isspace() and self.x1 > self.x0 and self.bottom > self.top


def page_glyphs(pdf_bytes: bytes) -> list[list[Glyph]]:
    """Every page's characters in text order, with pdfium's glyph boxes (tight boxes:
    the glyph outlines, not the font's ascent and descent). Line breaks pdfium adds
    come as '\\n' glyphs without a box."""
    doc = pdfium.PdfDocument(pdf_bytes)
    pages = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            height = page.get_height()
            textpage = page.get_textpage()
            glyphs = []
            for index in range(textpage.count_chars()):
                char = textpage.get_text_range(index, 1)
                if char in "\r\n":
                    glyphs.append(Glyph("\n", 0, 0, 0, 0))
                    continue
                left, bottom, right, top = textpage.get_charbox(index)
                mm = 25.4 / 72
                glyphs.append(
                    Glyph(char, left * mm, (height - top) * mm, right * mm, (height - bottom) * mm)
                )
            pages.append(glyphs)
    finally:
        doc.close()
    return pages


def _inside(glyph: Glyph, rect: Rect) -> bool:
    cx, cy = (glyph.x0 + glyph.x1) / 2, (glyph.top + glyph.bottom) / 2
    return rect.x <= cx <= rect.right and rect.y <= cy <= rect.bottom


def label_texts(glyphs: list[Glyph], rects: list[Rect]) -> list[str]:
    """The text printed on each label (lines joined by '\\n'), in reading order."""
    texts = [[] for _ in rects]
    current = None
    for glyph in glyphs:
        if glyph.char == "\n":
            if current is not None:
                texts[current].append("\n")
            continue
        for i, rect in enumerate(rects):
            if _inside(glyph, rect):
                current = i
                break
        else:
            raise AssertionError(f"{glyph} is on no label")
        texts[current].append(glyph.char)
    return ["".join(chars) for chars in texts]


def glyphs_outside_safe_area(glyphs: list[Glyph], rects: list[Rect], margin: float = SAFE_MM):
    """Glyphs whose box is not inside its label shrunk by ``margin`` mm on every side."""
    bad = []
    for glyph in glyphs:
        if not glyph.inked:
            continue
        rect = next((r for r in rects if _inside(glyph, r)), None)
        if rect is None:
            bad.append((glyph, None))
            continue
        if (
            glyph.x0 < rect.x + margin - 1e-6
            or glyph.top < rect.y + margin - 1e-6
            or glyph.x1 > rect.right - margin + 1e-6
            or glyph.bottom > rect.bottom - margin + 1e-6
        ):
            bad.append((glyph, rect))
    return bad


def ink_in_margins(image, rects: list[Rect], dpi: int, margin: float = SAFE_MM) -> list[int]:
    """For each label, how many dark pixels lie between its edge and ``margin`` mm inside
    (QR modules or text printed too close to the edge); one pixel of rounding allowed."""
    import numpy as np

    pixels = np.asarray(image) < 128
    px = dpi / 25.4
    counts = []
    for rect in rects:
        x0, y0 = round(rect.x * px), round(rect.y * px)
        x1, y1 = round(rect.right * px), round(rect.bottom * px)
        inner = pixels[y0:y1, x0:x1].copy()
        m = round(margin * px) - 1
        inner[m : inner.shape[0] - m, m : inner.shape[1] - m] = False
        counts.append(int(inner.sum()))
    return counts


def squash(text: str) -> str:
    return " ".join(text.split())


def unspaced(text: str) -> str:
    return "".join(text.split())


def decode_pdf(path_or_bytes, dpi: int = 200) -> list[str]:
    """Every QR code of every page, in reading order (rows top to bottom)."""
    doc = pdfium.PdfDocument(path_or_bytes)
    found: list[str] = []
    try:
        for page in doc:
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            codes.sort(key=lambda c: (round(c.position.top_left.y / 40), c.position.top_left.x))
            found.extend(c.text for c in codes)
    finally:
        doc.close()
    return found
