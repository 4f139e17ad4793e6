"""Checking uploads by their content, never by their name.

A file named ``.jpg`` that holds HTML, an image that declares 100,000 × 100,000 pixels,
or a 30 MB photo are refused with a message the user can act on.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from ..exceptions import OperationRefused
from ..exceptions import gettext as _

MB = 1024 * 1024
#: Largest image we agree to decode (a 60-megapixel photo is plenty for a product page).
MAX_IMAGE_PIXELS = 60_000_000

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    kind: str  # "pdf" or "image"


def sniff(data: bytes) -> str | None:
    """The real type from the first bytes: 'pdf', 'jpeg', 'png', 'webp' or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_upload(data: bytes, *, allow_pdf: bool, max_bytes: int) -> CheckedFile:
    """Refuse anything but a real PDF (when allowed) or JPEG/PNG/WebP within the limits."""
    if not data:
        raise OperationRefused(_("Tệp rỗng."))
    if len(data) > max_bytes:
        raise OperationRefused(
            _("Tệp quá lớn (%(size)s MB); tối đa %(max)s MB.", size=f"{len(data) / MB:.1f}",
              max=max_bytes // MB), 413)
    kind = sniff(data)
    if kind == "pdf":
        if not allow_pdf:
            raise OperationRefused(_("Chỉ nhận ảnh JPEG, PNG hoặc WebP."))
        if b"%%EOF" not in data[-2048:]:
            raise OperationRefused(_("Tệp PDF bị hỏng hoặc không đầy đủ."))
        return CheckedFile(data, "application/pdf", "pdf")
    if kind is None:
        if allow_pdf:
            raise OperationRefused(_("Nội dung tệp không phải PDF, JPEG, PNG hoặc WebP "
                                     "(tên tệp không quyết định loại tệp)."))
        raise OperationRefused(_("Nội dung tệp không phải JPEG, PNG hoặc WebP "
                                 "(tên tệp không quyết định loại tệp)."))
    check_image(data)
    return CheckedFile(data, IMAGE_TYPES[kind.upper()], "image")


def check_image(data: bytes) -> Image.Image:
    """Open an image safely: the declared size is checked before any pixel is decoded."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise OperationRefused(
            _("Ảnh quá lớn; tối đa %(max)s triệu điểm ảnh.", max=MAX_IMAGE_PIXELS // 1_000_000),
            413) from None
    except (UnidentifiedImageError, OSError):
        raise OperationRefused(_("Ảnh bị hỏng hoặc không đọc được.")) from None
    if image.format not in IMAGE_TYPES:
        raise OperationRefused(_("Chỉ nhận ảnh JPEG, PNG hoặc WebP."))
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise OperationRefused(
            _("Ảnh quá lớn (%(width)s × %(height)s điểm ảnh); tối đa %(max)s triệu điểm ảnh.",
              width=width, height=height, max=MAX_IMAGE_PIXELS // 1_000_000), 413)
    try:
        image.verify()  # structure check; the caller re-opens to decode
    except Exception:  # noqa: BLE001 - Pillow raises many types for broken files
        raise OperationRefused(_("Ảnh bị hỏng hoặc không đọc được.")) from None
    return image
