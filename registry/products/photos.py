"""Product photos: checked by content, then re-encoded from their pixels.

Nothing of the uploaded file survives but its pixels: EXIF (GPS position, camera,
owner's name), XMP, comments and colour profiles are dropped by building a fresh image.
The EXIF orientation is applied first, so a phone photo taken upright stays upright;
a colour profile is converted to sRGB before it is dropped, so colours do not shift.
Transparent areas become white. The photo is at most ``MAX_SIDE`` px on its long side,
its thumbnail (lists, product pages) at most ``THUMB_SIDE`` px; both are JPEG.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from ..exceptions import OperationRefused
from ..exceptions import gettext as _
from ..files.validation import MB, check_upload

#: Largest photo accepted (phones write 2–6 MB; the request itself is capped at 12 MiB).
MAX_PHOTO_BYTES = 8 * MB
MAX_SIDE = 1600
THUMB_SIDE = 480
JPEG_QUALITY = 85
THUMB_QUALITY = 80
CONTENT_TYPE = "image/jpeg"


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: the re-encoded image and its thumbnail."""

    image: Rendition
    thumb: Rendition


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Check ``data`` (type by content, size, declared pixels) and re-encode it.

    Raises ``OperationRefused`` (400, or 413 when too large) with a Vietnamese message.
    """
    check_upload(data, allow_pdf=False, max_bytes=MAX_PHOTO_BYTES)
    try:
        with Image.open(io.BytesIO(data)) as source:
            # JPEG only: decode at a reduced scale when the photo is much larger than
            # needed (never below MAX_SIDE on either side), saving time and memory.
            source.draft("RGB", (MAX_SIDE, MAX_SIDE))
            source.load()
            pixels = _upright_srgb(source)
    except Image.DecompressionBombError:
        raise OperationRefused(_("Ảnh quá lớn để xử lý."), 413) from None
    except Exception:  # noqa: BLE001 - Pillow raises many types for broken files
        raise OperationRefused(_("Ảnh bị hỏng hoặc không đọc được.")) from None

    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    image = _clean_copy(pixels)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return PreparedPhoto(image=_encode(image, JPEG_QUALITY), thumb=_encode(thumb, THUMB_QUALITY))


def _upright_srgb(source: Image.Image) -> Image.Image:
    """The decoded picture, rotated as its EXIF says, in sRGB, RGB mode, no alpha."""
    try:
        image = ImageOps.exif_transpose(source)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not refuse the photo
        image = source.copy()
    icc = source.info.get("icc_profile")
    if icc and image.mode in ("RGB", "CMYK"):
        image = _to_srgb(image, icc)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P"
                                              and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    try:
        from PIL import ImageCms

        source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source_profile,
                                         ImageCms.createProfile("sRGB"), outputMode="RGB")
    except Exception:  # noqa: BLE001 - an unusable profile: keep the pixels as they are
        return image


def _clean_copy(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels: no ``info``, no EXIF, no profile."""
    return Image.frombytes("RGB", image.size, image.tobytes())


def _encode(image: Image.Image, quality: int) -> Rendition:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return Rendition(out.getvalue(), image.width, image.height)
