"""A minimal streaming PDF writer (PDF 1.7 syntax).

Objects are written to the output as soon as they are complete and only their byte
offsets are kept, so memory does not grow with the number of pages (reportlab's Canvas
keeps every page until ``save()``). Objects that must list things known only at the end
- the page tree, the fonts with the glyphs actually used - get their object number
reserved up front and are written last.

Fonts are embedded once as CIDFontType2 (TrueType outlines) in a Type0 font with
Identity-H encoding: text is written as 2-byte glyph ids, so any glyph of the font is
usable (Vietnamese diacritics, stars). A ToUnicode CMap maps glyphs back to characters
so text can be searched and extracted. Only the glyphs the document shows are embedded
(a subset named ``ABCDEF+DejaVuSans``, tens of KB instead of the 700 KB font): the
subset keeps the font's glyph ids, so the pages, written before the font, stay valid.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import BinaryIO, Iterable

from .fonts import TrueTypeFont

PAGES_PER_NODE = 64  # page tree fan-out: viewers prefer a balanced tree to one huge array
COMPRESSION = 6
ENCODE_CACHE_SIZE = 1024


def pdf_string(text: str) -> str:
    """A PDF text string: literal for ASCII, UTF-16BE hex otherwise."""
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped})"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class PdfStreamWriter:
    """Writes numbered objects to ``out`` one by one, then the xref table and trailer.

    ``out`` only needs ``write``: offsets are counted here, so an HTTP response stream
    works as well as a file.
    """

    def __init__(self, out: BinaryIO, compression: int = COMPRESSION):
        self.out = out
        self.compression = compression
        self.position = 0
        self.offsets: dict[int, int] = {}
        self.next_number = 1
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")  # binary comment marks a binary file

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def reserve(self) -> int:
        """A new object number, to be written later."""
        number = self.next_number
        self.next_number += 1
        return number

    def write_object(self, number: int, body: str | bytes) -> int:
        if number in self.offsets:
            raise ValueError(f"object {number} written twice")
        if isinstance(body, str):
            body = body.encode("latin-1")
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        return number

    def add_object(self, body: str | bytes) -> int:
        return self.write_object(self.reserve(), body)

    def write_stream(
        self, number: int, data: bytes, entries: str = "", compress: bool = True
    ) -> int:
        if compress:
            data = zlib.compress(data, self.compression)
            entries += " /Filter /FlateDecode"
        head = f"<< /Length {len(data)}{entries} >>\nstream\n".encode("latin-1")
        return self.write_object(number, head + data + b"\nendstream")

    def add_stream(self, data: bytes, entries: str = "", compress: bool = True) -> int:
        return self.write_stream(self.reserve(), data, entries, compress)

    def finish(self, root: int, info: int | None = None) -> None:
        """Write the cross-reference table and trailer; every reserved object must exist."""
        count = self.next_number
        missing = [n for n in range(1, count) if n not in self.offsets]
        if missing:
            raise ValueError(f"objects reserved but never written: {missing[:5]}")
        xref = self.position
        lines = [b"xref\n0 %d\n" % count, b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, count)]
        self._write(b"".join(lines))
        info_entry = f" /Info {info} 0 R" if info else ""
        self._write(
            f"trailer\n<< /Size {count} /Root {root} 0 R{info_entry} >>\n"
            f"startxref\n{xref}\n%%EOF\n".encode("latin-1")
        )


class PageTree:
    """Collects pages and writes a two-level page tree at the end.

    Each page needs its parent's object number when it is written, so every group of
    PAGES_PER_NODE pages gets its intermediate node number when the group starts.
    """

    def __init__(self, writer: PdfStreamWriter):
        self.writer = writer
        self.root = writer.reserve()
        self.nodes: list[tuple[int, list[int]]] = []

    def add_page(self, body_without_parent: str) -> int:
        if not self.nodes or len(self.nodes[-1][1]) == PAGES_PER_NODE:
            self.nodes.append((self.writer.reserve(), []))
        node, kids = self.nodes[-1]
        number = self.writer.add_object(
            f"<< /Type /Page /Parent {node} 0 R {body_without_parent} >>"
        )
        kids.append(number)
        return number

    @property
    def page_count(self) -> int:
        return sum(len(kids) for _, kids in self.nodes)

    def finish(self) -> int:
        for node, kids in self.nodes:
            refs = " ".join(f"{k} 0 R" for k in kids)
            self.writer.write_object(
                node,
                f"<< /Type /Pages /Parent {self.root} 0 R /Kids [{refs}] /Count {len(kids)} >>",
            )
        refs = " ".join(f"{node} 0 R" for node, _ in self.nodes)
        self.writer.write_object(
            self.root, f"<< /Type /Pages /Kids [{refs}] /Count {self.page_count} >>"
        )
        return self.root


def subset_tag(ps_name: str, gids: Iterable[int]) -> str:
    """Six capital letters naming a font subset (PDF 1.7, 9.6.4), from its glyph set.

    Derived from the font's name and the glyph ids kept, not drawn at random, so the
    same document comes out byte for byte the same; two different subsets of one font
    get different tags (but for a hash collision, one in 26**6).
    """
    key = ps_name.encode("ascii", "replace") + b":" + ",".join(map(str, sorted(gids))).encode()
    number = int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
    letters = []
    for _ in range(6):
        number, index = divmod(number, 26)
        letters.append(chr(ord("A") + index))
    return "".join(letters)


class EmbeddedFont:
    """A Type0/Identity-H font resource: encodes text now, writes the font at the end.

    Only the set of glyph ids used grows with the document (bounded by the font); the
    font program is subset once, in :meth:`finish`.
    """

    def __init__(self, writer: PdfStreamWriter, font: TrueTypeFont):
        self.writer = writer
        self.font = font
        self.number = writer.reserve()  # referenced by page resources before it exists
        self.used: dict[int, str] = {}  # glyph id -> character, for /W and ToUnicode
        self._cache: dict[str, str] = {}  # names repeat on every label of a run

    def encode(self, text: str) -> str:
        """``text`` as a hex string operand of Tj (2-byte glyph ids)."""
        hex_string = self._cache.get(text)
        if hex_string is None:
            pairs = self.font.glyphs(text)
            for gid, ch in pairs:
                self.used.setdefault(gid, ch)
            hex_string = "<" + "".join(f"{gid:04X}" for gid, _ in pairs) + ">"
            if len(self._cache) >= ENCODE_CACHE_SIZE:  # serials never repeat: stay bounded
                self._cache.clear()
            self._cache[text] = hex_string
        return hex_string

    def finish(self) -> None:
        font, w = self.font, self.writer
        if not self.used:  # keep the file valid even if this face was never used
            self.used[font.cmap.get(ord(" "), 0)] = " "
        gids = sorted(set(self.used) | {0})  # .notdef is always kept
        program = font.subset(gids)
        name = f"{subset_tag(font.ps_name, gids)}+{font.ps_name}"
        font_file = w.add_stream(program, f" /Length1 {len(program)}")
        x0, y0, x1, y1 = (round(v) for v in font.bbox)
        descriptor = w.add_object(
            f"<< /Type /FontDescriptor /FontName /{name} /Flags 32"
            f" /FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle {font.italic_angle:g}"
            f" /Ascent {round(font.ascent)} /Descent {round(font.descent)}"
            f" /CapHeight {round(font.cap_height)} /StemV {round(font.stem_v)}"
            f" /FontFile2 {font_file} 0 R >>"
        )
        cid_font = w.add_object(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name}"
            " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            f" /FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity"
            f" /DW 1000 /W {self._widths()} >>"
        )
        to_unicode = w.add_stream(self._to_unicode_cmap())
        w.write_object(
            self.number,
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H"
            f" /DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>",
        )

    def _widths(self) -> str:
        """/W array: runs of consecutive glyph ids, ``first [w1 w2 ...]``."""
        parts: list[str] = []
        run: list[int] = []
        for gid in sorted(self.used):
            if run and gid != run[-1] + 1:
                parts.append(self._width_run(run))
                run = []
            run.append(gid)
        if run:
            parts.append(self._width_run(run))
        return "[" + " ".join(parts) + "]"

    def _width_run(self, gids: list[int]) -> str:
        widths = " ".join(f"{self.font.glyph_width(g):.0f}" for g in gids)
        return f"{gids[0]} [{widths}]"

    def _to_unicode_cmap(self) -> bytes:
        entries = [
            f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>"
            for gid, ch in sorted(self.used.items())
        ]
        blocks = []
        for i in range(0, len(entries), 100):  # at most 100 mappings per bfchar block
            chunk = entries[i : i + 100]
            blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
        return (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        ).encode("ascii")
