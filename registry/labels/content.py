"""What a label says, before it is fitted: its content, the text roles and their sizes.

The fitting itself is :mod:`~registry.labels.labeltext`; the serial's
:mod:`~registry.labels.serialtext`; the fitted result :mod:`~registry.labels.textlayout`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .fonts import TrueTypeFont, label_fonts
from .layouts import LayoutError

STAR = "\u2605"

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
ROLE_TITLES = {  # for messages to people
    NAME: "tên sản phẩm",
    STARS: "dòng hạng OCOP",
    PRODUCER: "tên cơ sở sản xuất",
    LOT: "số lô",
    EXPIRY: "hạn sử dụng",
    SERIAL: "số sê-ri",
}
LEADING = 1.2
TIGHT_LEADING = 1.1  # only with every line at MIN_SIZE, when nothing else fits
MIN_SIZE = 4.5  # pt; smaller is not legible on a label
SCALES = [round(1.2 - 0.025 * i, 3) for i in range(29)]  # 1.2 .. 0.5 (every role at MIN_SIZE)
ONE_LINE_SHRINK = 0.85  # a caption and value shrink this far on one line before splitting
COMFORT_SCALE = 0.7  # below this the code gives up module size to give the text room
ASCENT = 0.76  # DejaVu Sans nominal ascent and descent, in em (kept for callers)
DESCENT = 0.24


@dataclass(frozen=True)
class LabelContent:
    """What one label shows. ``url`` goes in the QR code; the rest is printed text.

    ``stars_until``: the last day of the OCOP decision, shown after the stars.
    """

    url: str
    serial_display: str
    product_name: str
    producer_name: str
    lot: str
    stars: int | None = None  # OCOP rating, only when the decision is valid
    expiry: date | None = None
    stars_until: date | None = None

    def __post_init__(self):
        if self.stars is not None and self.stars not in range(1, 6):
            raise ValueError("OCOP ratings have 1 to 5 stars")


class LabelTextError(LayoutError):
    """The text of a label cannot be printed whole on a layout, even at the smallest size.

    ``fits``: the layouts on which it would fit (see :func:`layouts_that_fit`).
    """



Piece = tuple[bool, float, str]  # (bold, size, text) of one line
PT_PER_MM = 72 / 25.4




def _role_size(role: str, scale: float) -> float:
    return max(MIN_SIZE, round(_ROLES[role][1] * scale, 3))


def _at_min(size: float) -> bool:
    return size <= MIN_SIZE + 1e-9


def stars_text(content: LabelContent, font: TrueTypeFont | None = None) -> tuple[str, str | None]:
    """("OCOP ★★★★", "QĐ đến 28/12/2026" or None): the two parts of the stars line."""
    font = font or label_fonts()[1]
    stars = STAR * content.stars if font.has_glyphs(STAR) else f"{content.stars}/5"
    until = None if content.stars_until is None else f"QĐ đến {content.stars_until:%d/%m/%Y}"
    return f"OCOP {stars}", until
