"""Print-ready PDF label sheets, written as a stream.

Each label carries its QR code (quiet zone inside the label), the product name, the
OCOP stars when the product holds a valid rating (and until when), the producer, the
lot, the expiry date when there is one, and the serial as groups of four
(``ABCD-EFGH-JKMN``). Every value is printed whole, never cut short: long names wrap and
shrink (see :mod:`~registry.labels.labeltext`), and labels whose text cannot fit even
at the smallest size are refused before anything is written, with the layouts on which
they would fit (:func:`check_label_fits`). Everything printed stays 2 mm inside the
label edge.

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
from functools import lru_cache
from typing import BinaryIO, Callable, Iterable, Iterator

import numpy as np

from .content import (  # noqa: F401 - the text API, re-exported for callers of this module
    ASCENT,
    DESCENT,
    EXPIRY,
    LEADING,
    LOT,
    MIN_SIZE,
    NAME,
    PRODUCER,
    SCALES,
    SERIAL,
    STAR,
    STARS,
    LabelContent,
    LabelTextError,
)
from .fonts import label_fonts
from .labeltext import layout_text  # noqa: F401
from .layouts import LayoutError, Rect, SheetLayout, get_layout, sheet_positions  # noqa: F401
from .pdfwriter import EmbeddedFont, PageTree, PdfStreamWriter, pdf_string
from .plan import check_label_fits, layouts_that_fit, plan_label, with_fits  # noqa: F401
from .qr import QRBatchEncoder, QRSymbol, horizontal_runs
from .serialtext import fit_serial  # noqa: F401
from .textlayout import LabelPlan, TextLine  # noqa: F401

PT_PER_MM = 72 / 25.4
QR_STYLES = ("path", "image")
CHUNK_LABELS = 240  # labels encoded together: big enough for numpy, small for memory
PRODUCER_NAME = "OCOP registry label engine"


@dataclass(frozen=True)
class LabelPdfResult:
    labels: int
    pages: int
    qr_version: int
    layout: str


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
    start_position: int = 1,
) -> LabelPdfResult:
    """Write a label PDF for ``labels`` to ``out``, page by page.

    ``layout`` is a name from :data:`~registry.labels.layouts.LAYOUTS`; ``offset`` is
    the printer correction (x right, y down, mm); ``ecc`` "M" (default) or "Q" for
    labels that get wet or scuffed. All codes of the run share one QR version: the
    smallest holding the longest address of the first pages (or ``version``). ``dpi``
    snaps module sizes to whole printer dots (thermal printers). ``qr_style`` "path"
    (vector, the default) or "image" (1-bit image masks: smaller files for huge runs).
    ``progress`` is called with the number of labels written after each page.
    ``start_position`` (sheets only): the first free label of a partly used first sheet,
    1-based, row by row from the top left; the positions before it are left blank
    (see :func:`~registry.labels.layouts.sheet_positions`). Later sheets start at 1.

    Raises ValueError (LayoutError for a code too big for the label, LabelTextError
    for text that cannot be printed whole, both with ``fits``: the layouts that would
    do) before anything is written when the first pages cannot be made. An address
    later in the run that needs a bigger code gets one; if that, or a label with other
    text, cannot fit the label, LayoutError is raised mid-run.
    """
    sheet = get_layout(layout)
    if qr_style not in QR_STYLES:
        raise ValueError(f"qr_style must be one of {QR_STYLES}")
    sheet.check_start_position(start_position)
    chunks = _chunks(labels, max(sheet.per_page, CHUNK_LABELS))
    first = next(chunks, None)
    if not first:
        raise ValueError("no labels to print")

    encoder = QRBatchEncoder(ecc, version)
    encoder.fix_version([label.url for label in first])
    # Fail before writing if the code or any label's text cannot be printed whole.
    checked = set()
    for label in first:
        key = (label.product_name, label.producer_name, label.stars, label.stars_until,
               label.lot, label.expiry, label.serial_display.count("-"))
        if key in checked:
            continue
        checked.add(key)
        try:
            plan_label(label, sheet, encoder.version, dpi)
        except LayoutError as error:
            raise with_fits(error, label, ecc, encoder.version, dpi) from None

    doc = _Document(out, sheet, title)
    pages = _PageMaker(doc, sheet, offset, dpi, _QR_DRAWERS[qr_style])
    written = 0
    first_slot = start_position - 1  # the first page's first label position (0-based)
    page_labels: list[LabelContent] = []
    page_codes: list[QRSymbol] = []
    for chunk in itertools.chain([first], chunks):
        codes = encoder.encode_details([label.url for label in chunk])
        for label, code in zip(chunk, codes):
            page_labels.append(label)
            page_codes.append(code)
            if first_slot + len(page_labels) == sheet.per_page:
                doc.add_page(pages.page(page_labels, page_codes, first_slot))
                written += len(page_labels)
                page_labels, page_codes, first_slot = [], [], 0
                if progress is not None:
                    progress(written)
    if page_labels:
        doc.add_page(pages.page(page_labels, page_codes, first_slot))
        written += len(page_labels)
        if progress is not None:
            progress(written)
    doc.finish()
    return LabelPdfResult(written, doc.pages.page_count, encoder.version, sheet.name)


class _PageMaker:
    """Draws the labels of one page; keeps what a whole run shares (plans: geometry, text)."""

    def __init__(self, doc: _Document, sheet: SheetLayout, offset, dpi: int | None, draw_qr):
        self.doc = doc
        self.sheet = sheet
        self.rects = sheet.label_rects(offset)
        self.dpi = dpi
        self.draw_qr = draw_qr
        self.plans: dict[tuple, LabelPlan] = {}

    def plan(self, content: LabelContent, version: int) -> LabelPlan:
        # One plan per run, usually; a longer address may need a bigger code.
        key = (content.product_name, content.producer_name, content.stars,
               content.stars_until, content.lot, content.expiry, len(content.serial_display),
               version)
        plan = self.plans.get(key)
        if plan is None:
            if len(self.plans) >= 64:
                self.plans.clear()
            plan = self.plans[key] = plan_label(content, self.sheet, version, self.dpi)
        return plan

    def page(self, labels: list[LabelContent], codes: list[QRSymbol], first: int = 0) -> bytes:
        """Page content with ``labels`` at positions ``first``, ``first + 1``, ..."""
        parts = [
            self.label(content, code, rect)
            for content, code, rect in zip(labels, codes, self.rects[first:])
        ]
        return b"0 g\n" + b"".join(parts)

    def label(self, content: LabelContent, code: QRSymbol, rect: Rect) -> bytes:
        doc = self.doc
        plan = self.plan(content, code.version)
        geometry = plan.geometry
        symbol = geometry.symbol.moved(rect.x, rect.y)
        module_pt = geometry.module_mm * PT_PER_MM
        qr_ops = self.draw_qr(code.matrix, doc.x(symbol.x), doc.y(symbol.y), module_pt)
        box = geometry.text.moved(rect.x, rect.y)
        x, top = doc.x(box.x), doc.y(box.y)
        text = plan.text
        ops = [
            doc.text(line.bold, line.size, x + line.x, top - line.baseline, line.text)
            # The serial is the only text that changes on every label.
            for line in text.body + tuple(text.serial_lines(content.serial_display))
        ]
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
