"""Uploads are checked by content and size, whatever their name says."""
import io
import struct
import zlib

import pytest
from PIL import Image

from registry.exceptions import OperationRefused
from registry.files.validation import MB, check_upload


def _png(w=20, h=10) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), "green").save(buf, "PNG")
    return buf.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous size (a decompression bomb)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b""))


def test_a_real_png_passes():
    checked = check_upload(_png(), allow_pdf=False, max_bytes=5 * MB)
    assert checked.content_type == "image/png"


def test_html_named_jpg_is_refused():
    with pytest.raises(OperationRefused, match="không phải"):
        check_upload(b"<html><script>alert(1)</script></html>", allow_pdf=False,
                     max_bytes=5 * MB)


def test_an_oversized_file_is_refused_with_413():
    with pytest.raises(OperationRefused) as refused:
        check_upload(b"\xff\xd8\xff" + b"0" * (30 * MB), allow_pdf=False, max_bytes=10 * MB)
    assert refused.value.status == 413 and "tối đa 10 MB" in refused.value.message


def test_a_png_declaring_a_huge_size_is_refused_before_decoding():
    with pytest.raises(OperationRefused) as refused:
        check_upload(_png_declaring(100_000, 100_000), allow_pdf=False, max_bytes=5 * MB)
    assert refused.value.status == 413 and "quá lớn" in refused.value.message
    with pytest.raises(OperationRefused) as refused:  # below Pillow's own bomb limit
        check_upload(_png_declaring(10_000, 9_000), allow_pdf=False, max_bytes=5 * MB)
    assert refused.value.status == 413 and "10000 × 9000" in refused.value.message


def test_pdf_only_where_allowed():
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert check_upload(pdf, allow_pdf=True, max_bytes=MB).kind == "pdf"
    with pytest.raises(OperationRefused):
        check_upload(pdf, allow_pdf=False, max_bytes=MB)


def test_truncated_image_is_refused():
    with pytest.raises(OperationRefused, match="hỏng"):
        check_upload(_png()[:40], allow_pdf=False, max_bytes=MB)
