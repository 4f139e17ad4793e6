"""Thermal files (TSPL, ZPL) read back independently of the writer: parsed into labels,
each rebuilt as the printer would print it, its QR code found and decoded."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import zxingcpp
from PIL import Image

ROLLS = ["roll-50x30", "roll-40x30"]
PT_PER_MM = 72 / 25.4
SAFE_MM = 2.0
QUIET = 4


def per_mm(dpi: int) -> float:
    return dpi / 25.4


# --------------------------------------------------------------- independent parsers


@dataclass
class Graphic:
    x: int
    y: int
    black: np.ndarray  # bool (rows, cols), True = black


@dataclass
class ParsedLabel:
    width: int  # dots
    height: int
    graphics: list[Graphic]

    def image(self) -> np.ndarray:
        """The label as printed: bool (height, width), True = black."""
        page = np.zeros((self.height, self.width), dtype=bool)
        for g in self.graphics:
            h, w = g.black.shape
            assert g.x >= 0 and g.y >= 0, "graphic placed off the label"
            visible = g.black[: max(0, self.height - g.y), : max(0, self.width - g.x)]
            assert visible.sum() == g.black.sum(), "black dots beyond the label edge"
            page[g.y : g.y + h, g.x : g.x + w] |= visible
        return page


def parse_tspl(data: bytes, dpi: int) -> tuple[list[bytes], list[ParsedLabel]]:
    """Header commands and labels. A label is CLS, BITMAPs, one PRINT; BITMAP data is
    read by its byte count (it is binary)."""
    pos, header, labels, current = 0, [], [], None
    size = None
    while pos < len(data):
        end = data.index(b"\r\n", pos)
        line = data[pos:end]
        if line.startswith(b"BITMAP "):
            fields = line[7:].split(b",", 5)
            x, y, width_bytes, rows, mode = (int(v) for v in fields[:5])
            start = pos + 7 + sum(len(f) + 1 for f in fields[:5])
            raw = data[start : start + width_bytes * rows]
            assert len(raw) == width_bytes * rows
            assert data[start + len(raw) : start + len(raw) + 2] == b"\r\n"
            assert mode == 0, "OVERWRITE mode expected"
            bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8)).reshape(rows, width_bytes * 8)
            assert current is not None, "BITMAP outside a label"
            current.graphics.append(Graphic(x, y, bits == 0))  # mode 0: a 0 bit is black
            pos = start + len(raw) + 2
            continue
        pos = end + 2
        text = line.decode("ascii")
        if text == "CLS":
            assert current is None, "CLS inside a label"
            w_mm, h_mm = size
            current = ParsedLabel(round(w_mm * per_mm(dpi)), round(h_mm * per_mm(dpi)), [])
        elif text.startswith("PRINT "):
            assert text == "PRINT 1,1", text
            assert current is not None, "PRINT without a label"
            labels.append(current)
            current = None
        else:
            assert not labels and current is None, f"{text!r} after the first label"
            header.append(line)
            match = re.fullmatch(r"SIZE ([\d.]+) mm,([\d.]+) mm", text)
            if match:
                size = (float(match[1]), float(match[2]))
    assert current is None, "a label without PRINT"
    return header, labels


def zpl_hex_rows(data: str, row_bytes: int, total: int) -> bytes:
    """ZPL ^GFA data (plain or compressed ASCII hex) -> the bitmap bytes."""
    width = 2 * row_bytes
    rows: list[str] = []
    row, count = "", 0
    for ch in data:
        if "G" <= ch <= "Y":
            count += ord(ch) - ord("F")
        elif "g" <= ch <= "z":
            count += 20 * (ord(ch) - ord("f"))
        elif ch in "0123456789ABCDEF":
            row += ch * (count or 1)
            count = 0
        elif ch == ",":
            row = row.ljust(width, "0")
        elif ch == "!":
            row = row.ljust(width, "F")
        elif ch == ":":
            assert row == "" and rows, "':' must start a row"
            row = rows[-1]
        else:
            raise AssertionError(f"unexpected {ch!r} in ^GFA data")
        assert len(row) <= width, "row longer than its byte count"
        if len(row) == width:
            rows.append(row)
            row = ""
    assert row == "" and count == 0
    out = bytes.fromhex("".join(rows))
    assert len(out) == total
    return out


def parse_zpl(text: str) -> list[ParsedLabel]:
    labels = []
    assert text.strip().startswith("^XA") and text.strip().endswith("^XZ")
    for body in re.findall(r"\^XA(.*?)\^XZ", text, flags=re.DOTALL):
        assert "^XA" not in body
        width = height = None
        origin = (0, 0)
        graphics = []
        for command in body.split("^")[1:]:
            command = command.strip()
            if command.startswith("PW"):
                width = int(command[2:])
            elif command.startswith("LL"):
                height = int(command[2:])
            elif command.startswith("LH"):
                assert command == "LH0,0"
            elif command.startswith("FO"):
                origin = tuple(int(v) for v in command[2:].split(","))
            elif command.startswith("GFA"):
                _, b, c, d, data = command.split(",", 4)
                b, c, d = int(b), int(c), int(d)
                assert b == c and c % d == 0
                raw = zpl_hex_rows(data, d, c)
                bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8)).reshape(c // d, d * 8)
                graphics.append(Graphic(*origin, bits == 1))  # ZPL: a 1 bit is black
            elif command in ("FS", "PQ1"):
                pass
            else:
                raise AssertionError(f"unexpected ZPL command ^{command[:10]}")
        assert body.count("^PQ1") == 1
        labels.append(ParsedLabel(width, height, graphics))
    assert text.count("^XA") == text.count("^XZ") == len(labels)
    return labels


def parse(data: bytes, fmt: str, dpi: int) -> list[ParsedLabel]:
    if fmt == "tspl":
        header, labels = parse_tspl(data, dpi)
        assert header[1:] == [b"GAP 2 mm,0 mm", b"DIRECTION 1"]
        return labels
    return parse_zpl(data.decode("ascii"))


# ------------------------------------------------------------------------ measuring


@dataclass
class Symbol:
    x: int
    y: int
    dots: int
    matrix: np.ndarray

    @property
    def side(self) -> int:
        return self.matrix.shape[0] * self.dots


def find_symbol(page: np.ndarray) -> Symbol:
    """The QR symbol's square on the page, its module size and its modules (each
    module must be a uniform square of whole dots)."""
    image = Image.fromarray(~page)
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    pos = found[0].position
    xs = [p.x for p in (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)]
    ys = [p.y for p in (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)]
    pad = 8  # dots: less than the 4-module quiet zone
    area = page[max(0, min(ys) - pad) : max(ys) + pad, max(0, min(xs) - pad) : max(xs) + pad]
    rows, cols = np.nonzero(area)
    y0, x0 = rows.min() + max(0, min(ys) - pad), cols.min() + max(0, min(xs) - pad)
    side_h = rows.max() - rows.min() + 1
    side_w = cols.max() - cols.min() + 1
    assert side_h == side_w, "the symbol is not square"
    top = page[y0, x0 : x0 + side_w]
    finder = int(np.argmin(top)) if not top.all() else side_w
    assert finder % 7 == 0, f"finder pattern {finder} dots wide: modules are not whole dots"
    dots = finder // 7
    assert side_w % dots == 0
    n = side_w // dots
    assert (n - 17) % 4 == 0
    blocks = page[y0 : y0 + side_w, x0 : x0 + side_w].reshape(n, dots, n, dots)
    uniform = blocks.all(axis=(1, 3)) | ~blocks.any(axis=(1, 3))
    assert uniform.all(), "modules are not uniform squares of whole dots"
    return Symbol(int(x0), int(y0), dots, blocks.all(axis=(1, 3)))


def decode(page: np.ndarray) -> str:
    found = zxingcpp.read_barcodes(
        Image.fromarray(~page),
        formats=zxingcpp.BarcodeFormat.QRCode,
        text_mode=zxingcpp.TextMode.Plain,
    )
    assert len(found) == 1
    return found[0].text
