"""Native thermal-printer label files (TSPL, ZPL) for the roll layouts, written as a stream.

Small producers print on 203 dpi (sometimes 300 dpi) direct-thermal printers that speak
TSPL (TSC, Xprinter and their clones) or ZPL (Zebra). A label PDF rescaled by their
driver puts QR modules on fractions of a dot; these files are drawn at the printer's own
resolution instead, and sent to it as they are (``lp -o raw``, port 9100; see README).

Each label is ONE 1-bit bitmap covering the label's safe area (everything printed stays
``SAFE_MM`` = 2 mm inside the label edge), so what the printer prints is exactly the
bitmap built here - the tests rebuild every label from the file and decode it:

* the QR code is drawn from our own :class:`~registry.labels.qr.QRBatchEncoder` matrix
  (so version, level and mask are exactly those of the PDF), every module a whole number
  of printer dots - at least ``MIN_DOTS[203]`` = 4 dots (0.50 mm) at 203 dpi - with its
  4-module quiet zone on the label. Printer-native QR commands were not used: their
  module size, version and mask choice differ between firmwares.
* the text is drawn with Pillow from the DejaVu fonts of ``registry/static/fonts`` (printer fonts
  have no Vietnamese letters). What it says and where it goes come from the same text
  engine as the PDF (:func:`~registry.labels.plan.plan_label`, whose text is
  :func:`~registry.labels.labeltext.layout_text`'s for a plain column), so the thermal
  label says what the PDF label says. Glyphs are placed one by one at the PDF's pen
  positions (font advances, no kerning, rounded to whole dots) at ``size_pt * dpi / 72``
  pixels, each rasterised by FreeType in monochrome, so lines are as wide as in the PDF.
  Only the serial differs between the labels of a run: the rest of the text is rendered
  once per run and each label only adds its QR code and its serial.

Bitmap polarity and layout (the two languages disagree, so it is worth writing down):

* TSPL ``BITMAP x,y,width_bytes,height,mode,data`` (TSC TSPL/TSPL2 Programming Manual,
  BITMAP command): raw binary data, ``height`` rows of ``width_bytes`` bytes, the most
  significant bit the leftmost dot; mode 0 is OVERWRITE (1 = OR, 2 = XOR) and in it a
  **0 bit prints a black dot, a 1 bit leaves the dot white** (open-source TSPL drivers
  do the same: white = 0xFF). We use mode 0 and invert our bitmap (True = black).
* ZPL ``^GFA,total,total,row_bytes,data`` (ZPL II Programming Guide, ^GF Graphic Field):
  ASCII hex, most significant bit leftmost, **a 1 bit prints black**. With
  ``compress=True`` (the default) the data uses Zebra's ASCII compression (ZPL II
  Programming Guide, "Alternative Data Compression Scheme"): ``G``..``Y`` repeat the next
  hex digit 1..19 times and ``g``..``z`` 20..400 times (counts add up: ``hK0`` = 43 zeros),
  ``,`` fills the rest of the row with zeros and ``:`` repeats the previous row. The
  total (uncompressed) byte count is given in both count fields, as for plain hex.

A TSPL file is ``SIZE``/``GAP``/``DIRECTION`` once, then per label ``CLS``, one
``BITMAP`` and ``PRINT 1,1``; a ZPL file is one ``^XA ... ^XZ`` per label (``^PW``,
``^LL``, ``^LH0,0``, one ``^FO`` + ``^GFA`` field, ``^PQ1``). The printer offset (x right,
y down, mm) moves the bitmap by whole dots; it may use up the 2 mm margin, and an offset
that would push printed dots off the label is refused.

Built for long runs like :func:`~registry.labels.pdf.write_label_pdf`: labels are read
from the iterable ``CHUNK_LABELS`` at a time, their codes encoded together, and written
to ``out`` chunk by chunk, so memory stays flat however many labels there are.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .content import LabelContent
from .layouts import (
    LAYOUTS,
    LayoutError,
    SheetLayout,
    get_layout,
)
from .qr import QRBatchEncoder
from .thermal_art import PLAN_CACHE_SIZE, _Frame, _LabelArt, thermal_plan
from .thermal_commands import _tspl_header, _tspl_label, _zpl_label

FORMATS = ("tspl", "zpl")
DPIS = (203, 300)
CHUNK_LABELS = 240  # labels encoded (and written) together


@dataclass(frozen=True)
class ThermalResult:
    """What :func:`write_thermal` wrote: the run's code version and module size."""

    labels: int
    qr_version: int
    module_dots: int
    module_mm: float
    dpi: int
    fmt: str
    layout: str = ""


# ----------------------------------------------------------------------------- write


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _run_key(content: LabelContent, version: int) -> tuple:
    """Everything but the serial (whose shape counts: the room kept for it)."""
    shape = "".join("-" if ch == "-" else "X" for ch in content.serial_display)
    return (
        content.product_name,
        content.producer_name,
        content.stars,
        getattr(content, "stars_until", None),
        content.lot,
        content.expiry,
        shape,
        version,
    )


class _Arts:
    """The run's label arts, by text and code version (usually one for a whole run)."""

    def __init__(self, sheet: SheetLayout, frame: _Frame):
        self.sheet, self.frame = sheet, frame
        self.entries: dict[tuple, _LabelArt] = {}

    def get(self, content: LabelContent, version: int) -> _LabelArt:
        key = _run_key(content, version)
        art = self.entries.get(key)
        if art is None:
            if len(self.entries) >= PLAN_CACHE_SIZE:
                self.entries.clear()
            plan = thermal_plan(content, self.sheet, version, self.frame.dpi)
            art = self.entries[key] = _LabelArt(plan, self.frame, version)
        return art


def write_thermal(
    out: BinaryIO,
    labels: Iterable[LabelContent],
    layout: str,
    *,
    fmt: str,
    dpi: int,
    ecc: str = "M",
    offset: tuple[float, float] = (0.0, 0.0),
    progress: Callable[[int], None] | None = None,
    compress: bool = True,
) -> ThermalResult:
    """Write ``labels`` as a TSPL (``fmt="tspl"``) or ZPL (``fmt="zpl"``) print file for a
    ``dpi`` (203 or 300) thermal printer to ``out``, a chunk of labels at a time.

    ``layout`` must be a roll layout (``roll-50x30``, ``roll-40x30``); ``ecc`` "M" or
    "Q"; ``offset`` the printer correction (x right, y down, mm); ``progress`` is called
    with the number of labels written so far after each chunk; ``compress`` (ZPL only)
    uses Zebra's ASCII compression for the graphic data instead of plain hex.

    All codes of the run share one QR version (the smallest holding the longest address
    of the first chunk); a later address needing more gets a bigger code. Raises
    ValueError (LayoutError when the code or the text cannot be placed, e.g. modules
    of at least 4 dots do not fit) before anything is written when the first labels
    cannot be made; LayoutError mid-run if a later label cannot.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    if isinstance(dpi, bool) or dpi not in DPIS:
        raise ValueError(f"dpi must be one of {DPIS} for thermal printers, not {dpi!r}")
    sheet = get_layout(layout)
    if not sheet.roll:
        raise LayoutError(
            f"{sheet.name} is a sheet layout: thermal printer files are for the roll "
            f"layouts ({', '.join(n for n, s in LAYOUTS.items() if s.roll)})"
        )
    frame = _Frame(sheet, dpi, offset)
    chunks = _chunks(labels, CHUNK_LABELS)
    first = next(chunks, None)
    if not first:
        raise ValueError("no labels to print")
    encoder = QRBatchEncoder(ecc)
    encoder.fix_version([label.url for label in first])
    arts = _Arts(sheet, frame)
    for label in first:  # fail before writing: every text of the first chunk, the code
        arts.get(label, encoder.version)
    run_art = arts.get(first[0], encoder.version)

    if fmt == "tspl":
        def emit(bitmap):
            return _tspl_label(frame, bitmap)
    else:
        def emit(bitmap):
            return _zpl_label(frame, bitmap, compress)

    written = 0
    header_done = False
    for chunk in itertools.chain([first], chunks):
        codes = encoder.encode_details([label.url for label in chunk])
        parts = []
        for label, code in zip(chunk, codes):
            art = arts.get(label, code.version)
            parts.append(emit(art.canvas(code, label.serial_display)))
        if not header_done:
            if fmt == "tspl":
                parts.insert(0, _tspl_header(sheet))
            header_done = True
        out.write(b"".join(parts))
        written += len(chunk)
        if progress is not None:
            progress(written)
    return ThermalResult(
        written, encoder.version, run_art.dots, run_art.module_mm, dpi, fmt, sheet.name
    )


def thermal_bytes(labels: Iterable[LabelContent], layout: str, **options) -> bytes:
    """:func:`write_thermal` into memory (for small runs and tests)."""
    buf = io.BytesIO()
    write_thermal(buf, labels, layout, **options)
    return buf.getvalue()
