"""Print-ready PDF label sheets, written as a stream.

Each label carries its QR code (quiet zone inside the label), the product name, the
OCOP stars when the product holds a valid rating, the producer, the lot, the expiry date
when there is one, and the serial as groups of four (``ABCD-EFGH-JKMN``). Long names wrap (up to three
lines), shrink, and end with '…' rather than overflow; the serial is never cut.

Built for long runs: labels are read from an iterable a few pages at a time, their QR
codes encoded together (:class:`~registry.labels.qr.QRBatchEncoder`) and each page is
written to ``out`` as soon as it is ready, so memory stays flat however many labels
there are (100,000 labels take the memory of 10,000). A QR code is drawn as ONE path
(a rectangle per horizontal run of dark modules, one fill) or, with
``qr_style="image"``, as one inline 1-bit image mask - never as hundreds of objects.

The PDF asks viewers to print at 100 % (``/PrintScaling /None``); a per-printer offset
moves everything, and :func:`write_alignment_pdf` prints the label outlines so a user
can measure that offset.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import BinaryIO, Callable, Iterable, Iterator

import numpy as np

from .fonts import ELLIPSIS, TrueTypeFont, ellipsize, fit_size, label_fonts, wrap
from .layouts import LabelGeometry, Rect, SheetLayout, get_layout, label_geometry
from .pdfwriter import EmbeddedFont, PageTree, PdfStreamWriter, pdf_string
from .qr import QRBatchEncoder, QRSymbol, horizontal_runs

PT_PER_MM = 72 / 25.4
QR_STYLES = ("path", "image")
CHUNK_LABELS = 240  # labels encoded together: big enough for numpy, small for memory
STAR = "\u2605"
PRODUCER_NAME = "OCOP registry label engine"

# Text roles: (font, size at scale 1 in pt)
NAME, STARS, PRODUCER, LOT, EXPIRY, SERIAL = "name", "stars", "producer", "lot", "expiry", "serial"
_ROLES = {
    NAME: ("bold", 9.0),
    STARS: ("bold", 8.0),
    PRODUCER: ("regular", 6.5),
    LOT: ("regular", 6.5),
    EXPIRY: ("regular", 6.5),
    SERIAL: ("bold", 7.5),
}
LEADING = 1.2
MIN_SIZE = 4.5  # pt; smaller is not legible on a label
SCALES = [round(1.2 - 0.05 * i, 2) for i in range(13)]  # 1.2 .. 0.6
ASCENT = 0.76  # DejaVu Sans ascent and descent, in em
DESCENT = 0.24


@dataclass(frozen=True)
class LabelContent:
    """What one label shows. ``url`` goes in the QR code; the rest is printed text."""

    url: str
    serial_display: str
    product_name: str
    producer_name: str
    lot: str
    stars: int | None = None  # OCOP rating, only when the decision is valid
    expiry: date | None = None

    def __post_init__(self):
        if self.stars is not None and self.stars not in range(1, 6):
            raise ValueError("OCOP ratings have 1 to 5 stars")


@dataclass(frozen=True)
class LabelPdfResult:
    labels: int
    pages: int
    qr_version: int
    layout: str


# ----------------------------------------------------------------------------- text


@dataclass(frozen=True)
class TextLine:
    role: str
    bold: bool
    size: float  # pt
    text: str
    baseline: float  # pt below the top of the text box


def _role_text(role: str, content: LabelContent, font: TrueTypeFont) -> str:
    if role == NAME:
        return content.product_name.strip()
    if role == STARS:
        stars = STAR * content.stars if font.has_glyphs(STAR) else f"{content.stars}/5"
        return f"OCOP {stars}"
    if role == PRODUCER:
        return content.producer_name.strip()
    if role == LOT:
        return f"Lô: {content.lot}"
    if role == EXPIRY:
        return f"HSD: {content.expiry:%d/%m/%Y}"
    return content.serial_display


def _roles(content: LabelContent) -> list[str]:
    roles = [NAME]
    if content.stars:
        roles.append(STARS)
    roles += [PRODUCER, LOT]
    if content.expiry is not None:
        roles.append(EXPIRY)
    return roles + [SERIAL]


def _set_lines(content, roles, scale, max_lines, width, fonts) -> list:
    """(role, bold, size, text) for every line at one scale."""
    lines = []
    for role in roles:
        face, base = _ROLES[role]
        font = fonts[face == "bold"]
        text = _role_text(role, content, font)
        size = max(MIN_SIZE, base * scale)
        if role == SERIAL:  # never cut: a serial people cannot read in full is useless
            bold, size = fit_serial(text, width, base * scale)
            lines.append((role, bold, size, text))
        elif role in max_lines:
            parts, _ = wrap(text, font, size, width, max_lines[role])
            lines += [(role, face == "bold", size, part) for part in parts]
        else:
            size = fit_size(text, font, size, width, MIN_SIZE)
            lines.append((role, face == "bold", size, ellipsize(text, font, size, width)))
    return lines


def fit_serial(
    serial: str, width: float, size: float, allow_bold: bool = True
) -> tuple[bool, float]:
    """(bold, size) for the serial: bold if it fits at a legible size, else regular,
    shrunk as far as needed."""
    regular, bold = label_fonts()
    size = max(MIN_SIZE, size)
    bold_size = fit_size(serial, bold, size, width, MIN_SIZE)
    if allow_bold and bold.width(serial, bold_size) <= width:
        return True, bold_size
    return False, fit_size(serial, regular, size, width, 0.1)


def _height(lines) -> float:
    return sum(size * LEADING for _, _, size, _ in lines)


_LINE_LIMITS = (  # most lines for (name, producer), most generous first
    {NAME: 4, PRODUCER: 3},
    {NAME: 3, PRODUCER: 3},
    {NAME: 3, PRODUCER: 2},
    {NAME: 2, PRODUCER: 2},
    {NAME: 2, PRODUCER: 1},
    {NAME: 1, PRODUCER: 1},
)


def _shown(lines) -> int:
    """Characters of text shown (spaces do not count: wrapping turns them into breaks)."""
    return sum(len("".join(text.replace(ELLIPSIS, "").split())) for _, _, _, text in lines)


def layout_text(content: LabelContent, width_pt: float, height_pt: float) -> list[TextLine]:
    """Lines of a label's text block, fitted into ``width_pt`` x ``height_pt``.

    Shows as much of the text as fits, at the largest size that shows that much: so a
    name is wrapped and shrunk before it is cut short with '…'. Sizes go from 1.2 to
    0.6 times the nominal ones; names take up to four lines, producers three. If even
    the smallest text does not fit, middle lines are dropped (never the name or the
    serial). The serial sits on the bottom line, everything else stacks from the top.
    Only the serial differs between labels of a run, so callers cache this (see
    :class:`_TextCache`).
    """
    fonts = label_fonts()
    roles = _roles(content)
    best, best_score = None, None
    for limits in _LINE_LIMITS:
        for scale in SCALES:
            lines = _set_lines(content, roles, scale, limits, width_pt, fonts)
            if _height(lines) <= height_pt:
                score = (_shown(lines), scale)
                if best_score is None or score > best_score:
                    best, best_score = lines, score
    if best is None:
        best = _set_lines(content, roles, SCALES[-1], _LINE_LIMITS[-1], width_pt, fonts)
        while len(best) > 2 and _height(best) > height_pt:
            best.pop(-2)
    return _place_lines(best, height_pt)


def _place_lines(lines, height_pt: float) -> list[TextLine]:
    placed: list[TextLine] = []
    y = 0.0
    for role, bold, size, text in lines[:-1]:
        y += size * (ASCENT + (LEADING - 1) / 2) if not placed else size * LEADING
        placed.append(TextLine(role, bold, size, text, y))
    role, bold, size, text = lines[-1]
    placed.append(TextLine(role, bold, size, text, height_pt - size * DESCENT))
    return placed


class _TextCache:
    """Text layouts keyed by everything but the serial (the same for a whole run)."""

    def __init__(self, limit: int = 256):
        self.limit = limit
        self.entries: dict[tuple, list[TextLine]] = {}

    def lines(self, content: LabelContent, width_pt: float, height_pt: float) -> list[TextLine]:
        key = (
            content.product_name,
            content.producer_name,
            content.stars,
            content.lot,
            content.expiry,
            len(content.serial_display),
            width_pt,
            height_pt,
        )
        lines = self.entries.get(key)
        if lines is None:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            lines = self.entries[key] = layout_text(content, width_pt, height_pt)
        return lines


# ------------------------------------------------------------------------------- QR


@lru_cache(maxsize=None)
def _number_table(digits: int) -> np.ndarray:
    """Row v = the ASCII of v right-aligned in ``digits`` columns (leading spaces)."""
    text = b"".join(f"{v:>{digits}}".encode() for v in range(10**digits))
    return np.frombuffer(text, dtype=np.uint8).reshape(-1, digits)


def rects_operators(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> bytes:
    """``x y w 1 re`` (one line per run) for every run, built as one numpy byte array.

    Numbers are right-aligned in fixed-width fields (leading spaces are just PDF
    whitespace), so the text of all runs comes from one table lookup per field instead
    of hundreds of string formats per code. Values are module counts (< 1000).
    """
    digits = len(str(int(max(x.max(initial=0), y.max(initial=0), w.max(initial=0)))))
    table = _number_table(digits)
    field = digits + 1
    tail = np.frombuffer(b"1 re\n", dtype=np.uint8)
    out = np.full((len(x), 3 * field + len(tail)), ord(" "), dtype=np.uint8)
    for f, values in enumerate((x, y, w)):
        out[:, f * field : f * field + digits] = table[values]
    out[:, 3 * field :] = tail
    return out.tobytes()


def qr_path_operators(matrix: np.ndarray, x_pt: float, top_pt: float, module_pt: float) -> bytes:
    """The code as ONE filled path: a rectangle per horizontal run of dark modules.

    Drawn in module units (the ``cm`` maps module (col, row) to the page, y flipped), so
    every coordinate is a small integer. ``(x_pt, top_pt)`` is the symbol's top-left
    corner, quiet zone excluded.
    """
    rows, starts, lengths = horizontal_runs(matrix)
    head = f"q {module_pt:.4f} 0 0 {-module_pt:.4f} {x_pt:.3f} {top_pt:.3f} cm\n".encode()
    return head + rects_operators(starts, rows, lengths) + b"f\nQ\n"


def qr_image_operators(matrix: np.ndarray, x_pt: float, top_pt: float, module_pt: float) -> bytes:
    """The code as one inline 1-bit image mask (ASCIIHex, so no binary in the page)."""
    size = matrix.shape[0]
    side = size * module_pt
    data = np.packbits(matrix, axis=1).tobytes().hex()
    return (
        f"q {side:.4f} 0 0 {side:.4f} {x_pt:.3f} {top_pt - side:.3f} cm\n"
        f"BI /W {size} /H {size} /IM true /BPC 1 /D [1 0] /F /AHx ID\n{data}>\nEI Q\n"
    ).encode()


_QR_DRAWERS = {"path": qr_path_operators, "image": qr_image_operators}


# ---------------------------------------------------------------------------- pages


class _Document:
    """The parts of a label PDF shared by every page: writer, fonts, page tree."""

    def __init__(self, out: BinaryIO, layout: SheetLayout, title: str):
        self.layout = layout
        self.writer = PdfStreamWriter(out)
        self.pages = PageTree(self.writer)
        regular, bold = label_fonts()
        self.fonts = (EmbeddedFont(self.writer, regular), EmbeddedFont(self.writer, bold))
        self.resources = self.writer.add_object(
            f"<< /Font << /F1 {self.fonts[0].number} 0 R /F2 {self.fonts[1].number} 0 R >> >>"
        )
        self.title = title
        self.page_w = layout.page_w * PT_PER_MM
        self.page_h = layout.page_h * PT_PER_MM

    def x(self, mm: float) -> float:
        return mm * PT_PER_MM

    def y(self, mm_from_top: float) -> float:
        return self.page_h - mm_from_top * PT_PER_MM

    def text(self, bold: bool, size: float, x_pt: float, y_pt: float, text: str) -> str:
        glyphs = self.fonts[bold].encode(text)
        font = "/F2" if bold else "/F1"
        return f"BT {font} {size:.2f} Tf 1 0 0 1 {x_pt:.2f} {y_pt:.2f} Tm {glyphs} Tj ET\n"

    def add_page(self, content: bytes) -> None:
        stream = self.writer.add_stream(content)
        self.pages.add_page(
            f"/MediaBox [0 0 {self.page_w:.2f} {self.page_h:.2f}] "
            f"/Resources {self.resources} 0 R /Contents {stream} 0 R"
        )

    def finish(self) -> None:
        for font in self.fonts:
            font.finish()
        root = self.pages.finish()
        catalog = self.writer.add_object(
            f"<< /Type /Catalog /Pages {root} 0 R /ViewerPreferences << /PrintScaling /None >> >>"
        )
        info = self.writer.add_object(
            f"<< /Title {pdf_string(self.title)} /Producer {pdf_string(PRODUCER_NAME)} >>"
        )
        self.writer.finish(catalog, info)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def write_label_pdf(
    out: BinaryIO,
    labels: Iterable[LabelContent],
    layout: str,
    *,
    offset: tuple[float, float] = (0.0, 0.0),
    ecc: str = "M",
    version: int | None = None,
    dpi: int | None = None,
    qr_style: str = "path",
    progress: Callable[[int], None] | None = None,
    title: str = "OCOP labels",
) -> LabelPdfResult:
    """Write a label PDF for ``labels`` to ``out``, page by page.

    ``layout`` is a name from :data:`~registry.labels.layouts.LAYOUTS`; ``offset`` is
    the printer correction (x right, y down, mm); ``ecc`` "M" (default) or "Q" for
    labels that get wet or scuffed. All codes of the run share one QR version: the
    smallest holding the longest address of the first pages (or ``version``). ``dpi``
    snaps module sizes to whole printer dots (thermal printers). ``qr_style`` "path"
    (vector, the default) or "image" (1-bit image masks: smaller files for huge runs).
    ``progress`` is called with the number of labels written after each page.

    Raises ValueError (LayoutError for a code too big for the label) before anything is
    written when the first pages cannot be made. An address later in the run that needs
    a bigger code gets one; if even that cannot fit the label, LayoutError is raised
    mid-run.
    """
    sheet = get_layout(layout)
    if qr_style not in QR_STYLES:
        raise ValueError(f"qr_style must be one of {QR_STYLES}")
    chunk_size = max(sheet.per_page, CHUNK_LABELS // sheet.per_page * sheet.per_page)
    chunks = _chunks(labels, chunk_size)
    first = next(chunks, None)
    if not first:
        raise ValueError("no labels to print")

    encoder = QRBatchEncoder(ecc, version)
    encoder.fix_version([label.url for label in first])
    label_geometry(sheet, encoder.version, dpi)  # fail before writing if it cannot fit
    doc = _Document(out, sheet, title)
    pages = _PageMaker(doc, sheet, offset, dpi, _QR_DRAWERS[qr_style])
    written = 0
    for chunk in itertools.chain([first], chunks):
        codes = encoder.encode_details([label.url for label in chunk])
        for start in range(0, len(chunk), sheet.per_page):
            end = start + sheet.per_page
            doc.add_page(pages.page(chunk[start:end], codes[start:end]))
            written += len(chunk[start:end])
            if progress is not None:
                progress(written)
    doc.finish()
    return LabelPdfResult(written, doc.pages.page_count, encoder.version, sheet.name)


class _PageMaker:
    """Draws the labels of one page; keeps what a whole run shares (geometry, text)."""

    def __init__(self, doc: _Document, sheet: SheetLayout, offset, dpi: int | None, draw_qr):
        self.doc = doc
        self.sheet = sheet
        self.rects = sheet.label_rects(offset)
        self.dpi = dpi
        self.draw_qr = draw_qr
        self.geometries: dict[int, LabelGeometry] = {}
        self.texts = _TextCache()

    def page(self, labels: list[LabelContent], codes: list[QRSymbol]) -> bytes:
        parts = [
            self.label(content, code, rect)
            for content, code, rect in zip(labels, codes, self.rects)
        ]
        return b"0 g\n" + b"".join(parts)

    def geometry(self, version: int) -> LabelGeometry:
        # Usually one version per run; a longer address may need a bigger code.
        if version not in self.geometries:
            self.geometries[version] = label_geometry(self.sheet, version, self.dpi)
        return self.geometries[version]

    def label(self, content: LabelContent, code: QRSymbol, rect: Rect) -> bytes:
        doc, geometry = self.doc, self.geometry(code.version)
        symbol = geometry.symbol.moved(rect.x, rect.y)
        module_pt = geometry.module_mm * PT_PER_MM
        qr_ops = self.draw_qr(code.matrix, doc.x(symbol.x), doc.y(symbol.y), module_pt)
        box = geometry.text.moved(rect.x, rect.y)
        width_pt, height_pt = box.w * PT_PER_MM, box.h * PT_PER_MM
        x, top = doc.x(box.x), doc.y(box.y)
        ops = []
        for line in self.texts.lines(content, width_pt, height_pt):
            text, bold, size = line.text, line.bold, line.size
            if line.role == SERIAL:  # the only line that changes on every label
                text = content.serial_display
                bold, size = fit_serial(text, width_pt, line.size, allow_bold=line.bold)
            ops.append(doc.text(bold, size, x, top - line.baseline, text))
        return qr_ops + "".join(ops).encode("latin-1")


def label_pdf_bytes(labels: Iterable[LabelContent], layout: str, **options) -> bytes:
    """:func:`write_label_pdf` into memory (for small runs and tests)."""
    buf = io.BytesIO()
    write_label_pdf(buf, labels, layout, **options)
    return buf.getvalue()


# ------------------------------------------------------------------------ alignment


def write_alignment_pdf(
    out: BinaryIO, layout: str, *, offset: tuple[float, float] = (0.0, 0.0)
) -> None:
    """One page to calibrate a printer for ``layout``.

    Print it on plain paper at 100 %, lay it on a label sheet against the light (or
    print it on a label sheet) and compare: every label outline and its centre cross
    should sit on a label. The first label shows the layout, the offset in use and a
    scale bar to check that the printer did not scale the page; on sheets a dashed
    crosshair marks the page centre (not moved by the offset). Move the print with the
    offset (x right, y down, mm) until the outlines match.
    """
    sheet = get_layout(layout)
    doc = _Document(out, sheet, f"Alignment {sheet.name}")
    ops = ["0 G 0.25 w\n"]
    for rect in sheet.label_rects(offset):
        x, y_top = doc.x(rect.x), doc.y(rect.y)
        w, h = rect.w * PT_PER_MM, rect.h * PT_PER_MM
        cx, cy = x + w / 2, y_top - h / 2
        arm = min(w, h) * 0.12
        ops.append(f"{x:.2f} {y_top - h:.2f} {w:.2f} {h:.2f} re S\n")
        ops.append(_cross(cx, cy, arm, arm))
    if not sheet.roll:
        # Dashed crosshair through the page centre, NOT moved by the offset: fold the
        # printed page in four and the folds should run along it.
        half_w, half_h = doc.page_w / 2, doc.page_h / 2
        ops.append("q [3 2] 0 d " + _cross(half_w, half_h, half_w, half_h) + "Q\n")
    ops.append(_alignment_legend(doc, sheet, offset))
    doc.add_page("".join(ops).encode("latin-1"))
    doc.finish()


def _cross(cx: float, cy: float, arm_x: float, arm_y: float) -> str:
    return (
        f"{cx - arm_x:.2f} {cy:.2f} m {cx + arm_x:.2f} {cy:.2f} l "
        f"{cx:.2f} {cy - arm_y:.2f} m {cx:.2f} {cy + arm_y:.2f} l S\n"
    )


def _alignment_legend(doc: _Document, sheet: SheetLayout, offset: tuple[float, float]) -> str:
    """Layout name, offset and a scale bar in the first label, clear of its centre cross."""
    first = sheet.label_rects(offset)[0]
    x = doc.x(first.x + 2)
    top = doc.y(first.y + 1.5)
    size = 6.5 if sheet.label_w >= 50 else 5.5
    lines = [
        (True, sheet.name),
        (False, f"X {offset[0]:+.1f} mm  Y {offset[1]:+.1f} mm"),
        (False, "In 100 % (Actual size)"),
    ]
    ops = [
        doc.text(bold, size, x, top - size * LEADING * (i + 1), text)
        for i, (bold, text) in enumerate(lines)
    ]
    # Scale bar along the bottom of the label, ticks every 10 mm.
    bar_mm = 10 * int((sheet.label_w - 8) // 10)
    y = doc.y(first.bottom - 3)
    x_end = x + bar_mm * PT_PER_MM
    ops.append(f"{x:.2f} {y:.2f} m {x_end:.2f} {y:.2f} l S\n")
    for cm in range(bar_mm // 10 + 1):
        tx = x + cm * 10 * PT_PER_MM
        ops.append(f"{tx:.2f} {y - 2:.2f} m {tx:.2f} {y + 2:.2f} l S\n")
    ops.append(doc.text(False, size, x + 2, y + 3, f"{bar_mm} mm"))
    return "".join(ops)
