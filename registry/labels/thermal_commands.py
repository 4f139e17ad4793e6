"""Printer languages: a label's bitmap as TSPL ``BITMAP`` or ZPL ``^GFA`` (with Zebra's
ASCII compression); polarity and layout as :mod:`~registry.labels.thermal` describes."""

from __future__ import annotations

from functools import cache

import numpy as np

from .layouts import (
    SheetLayout,
)
from .thermal_art import _Frame

GAP_MM = 2.0  # the gap between die-cut labels on the roll (TSPL GAP)



_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def _count_prefix(n: int) -> str:
    """Zebra's repeat count for ``n`` (>= 1): 'g'..'z' for multiples of 20 (several 'z'
    for more than 400), then 'G'..'Y' for 1..19."""
    out = "z" * (n // 400)
    n %= 400
    if n >= 20:
        out += chr(ord("f") + n // 20)
        n %= 20
    if n:
        out += chr(ord("F") + n)
    return out


@cache
def _run_tokens(max_len: int) -> np.ndarray:
    """Object array: index ``length * 16 + digit`` -> the token for that run."""
    tokens = np.empty((max_len + 1) * 16, dtype=object)
    for length in range(max_len + 1):
        for digit in range(16):
            hex_digit = "0123456789ABCDEF"[digit]
            if length <= 1:
                tokens[length * 16 + digit] = hex_digit * length
            else:
                tokens[length * 16 + digit] = _count_prefix(length) + hex_digit
    return tokens


def zpl_compress(packed: np.ndarray) -> str:
    """``packed`` (rows x row bytes, uint8) as ZPL compressed ASCII hex (see module doc).

    Rows equal to the previous one become ':'; a row's trailing zeros (from a byte
    boundary) become ','; other runs of one hex digit become count + digit.
    """
    rows, row_bytes = packed.shape
    width = 2 * row_bytes
    nibbles = np.empty((rows, width), dtype=np.uint8)
    nibbles[:, 0::2] = packed >> 4
    nibbles[:, 1::2] = packed & 0x0F
    repeat = np.zeros(rows, dtype=bool)
    repeat[1:] = (packed[1:] == packed[:-1]).all(axis=1)
    # Trailing zeros from a byte boundary: the row's data ends at its last non-zero byte.
    nonzero = packed != 0
    last = np.where(nonzero.any(axis=1), row_bytes - np.argmax(nonzero[:, ::-1], axis=1), 0)
    ends = 2 * last  # hex digits kept per row
    keep = (np.arange(width)[None, :] < ends[:, None]) & ~repeat[:, None]
    # Runs of equal digits within each row's kept part.
    row_idx, col_idx = np.nonzero(keep)
    values = nibbles[row_idx, col_idx]
    if len(values):
        starts = np.ones(len(values), dtype=bool)
        starts[1:] = (values[1:] != values[:-1]) | (row_idx[1:] != row_idx[:-1])
        start_pos = np.flatnonzero(starts)
        lengths = np.diff(np.append(start_pos, len(values)))
        run_rows = row_idx[start_pos]
        run_tokens = _run_tokens(width)[lengths * 16 + values[start_pos]]
    else:
        run_rows = np.zeros(0, dtype=np.intp)
        run_tokens = np.zeros(0, dtype=object)
    # Row ends: ':' (a repeated row), ',' (zeros to the end of the row) or nothing.
    enders = np.where(repeat, ":", np.where(ends < width, ",", "")).astype(object)
    tokens = np.concatenate([run_tokens, enders])
    order = np.argsort(np.concatenate([run_rows * 2, np.arange(rows) * 2 + 1]), kind="stable")
    return "".join(tokens[order].tolist())


def _tspl_label(frame: _Frame, bitmap: np.ndarray) -> bytes:
    height, width = bitmap.shape
    data = (~np.packbits(bitmap, axis=1)).tobytes()  # TSPL mode 0: a 0 bit is black
    head = b"CLS\r\nBITMAP %d,%d,%d,%d,0," % (frame.x, frame.y, width // 8, height)
    return head + data + b"\r\nPRINT 1,1\r\n"


def _zpl_label(frame: _Frame, bitmap: np.ndarray, compress: bool) -> bytes:
    packed = np.packbits(bitmap, axis=1)  # ZPL: a 1 bit is black
    height, row_bytes = packed.shape
    total = height * row_bytes
    data = zpl_compress(packed) if compress else packed.tobytes().hex().upper()
    return (
        f"^XA\n^PW{frame.width}\n^LL{frame.height}\n^LH0,0\n"
        f"^FO{frame.x},{frame.y}^GFA,{total},{total},{row_bytes},{data}^FS\n^PQ1\n^XZ\n"
    ).encode("ascii")


def _tspl_header(sheet: SheetLayout) -> bytes:
    return (
        f"SIZE {sheet.label_w:g} mm,{sheet.label_h:g} mm\r\n"
        f"GAP {GAP_MM:g} mm,0 mm\r\n"
        "DIRECTION 1\r\n"
    ).encode("ascii")
