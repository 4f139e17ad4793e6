"""The text of a label, fitted whole: what each line says, in which font, at which size.

Every value a label shows - product name, OCOP stars (and until when the decision
holds), producer, lot, expiry date, serial - is printed in full or not at all: nothing
is ever cut short with '…'. To make room, in this order of preference:

* names and producers wrap over as many lines as needed (words are only broken, without
  losing a letter, at the smallest size);
* a caption and its value ("Lô: L2024-001", "HSD: 31/12/2026") shrink a little on one
  line, else the value moves to a line of its own ("Lô:" / "L2024-001"), shrinking
  further if needed; only at the smallest size is a lot value itself broken over lines
  (after a '-', '/', '.' when it can);
* the stars statement "OCOP ★★★★ · QĐ đến 28/12/2026" may wrap after the stars;
* everything shrinks together, from 1.2 down to the point where every line is at
  ``MIN_SIZE`` (4.5 pt, the smallest legible on a label);
* the QR code gets smaller modules (never below ``MIN_MODULE_MM``) to give the text a
  wider column, or moves to the top-left corner so that lines can also run under it
  (:func:`~registry.labels.plan.plan_label`).
* as the very last resort, with every line at ``MIN_SIZE``, lines close up
  (``TIGHT_LEADING``).

If even that does not fit, :class:`LabelTextError` says so - before anything is printed
(:func:`~registry.labels.plan.check_label_fits`) - with the layouts on which the label would fit.

Glyphs are placed by their real outline boxes (Vietnamese capitals carry accents well
above the nominal ascent; DejaVu's J descends), so all ink stays inside the text box,
which itself keeps the 2 mm safe margin (:mod:`~registry.labels.layouts`).

Only the serial differs between the labels of a run and its length is fixed, so a plan
is made once per run: the serial gets room for the widest serial of that length and each
label's own serial is fitted into that room (:func:`~registry.labels.serialtext.serial_lines`).
"""

from __future__ import annotations

from dataclasses import replace

from .content import (
    EXPIRY,
    LEADING,
    LOT,
    MIN_SIZE,
    NAME,
    ONE_LINE_SHRINK,
    PRODUCER,
    SCALES,
    SERIAL,
    STARS,
    TIGHT_LEADING,
    LabelContent,
    LabelTextError,
    Piece,
    _at_min,
    _role_size,
    stars_text,
)
from .fonts import fits, fitting_size, label_fonts, split_value, wrap
from .serialtext import (
    _pack_serial,
    _serial_bottom,
    _serial_top,
    _top,
    _x,
    serial_lines,
    widest_serial,
)
from .textlayout import SerialBlock, TextBox, TextLayout, TextLine

# ---------------------------------------------------------------------------- pieces


def _words(text: str, font, bold, size, width) -> list[Piece] | None:
    lines = wrap(text, font, size, width, break_words=_at_min(size))
    return None if lines is None else [(bold, size, line) for line in lines]


def _stars(content, font, size, width) -> list[Piece] | None:
    head, tail = stars_text(content, font)
    whole = head if tail is None else f"{head} · {tail}"
    if fits(font, whole, size, width):
        return [(True, size, whole)]
    parts = [_words(head, font, True, size, width)]
    if tail is not None:
        parts.append(_words(tail, font, True, size, width))
    if any(part is None for part in parts):
        return None
    return [piece for part in parts for piece in part]


def _captioned(caption, value, font, size, width, compact, breakable) -> list[Piece] | None:
    """A caption and its value: one line, else the value on its own line, never cut."""
    whole = f"{caption} {value}"
    if fits(font, whole, size, width):
        return [(False, size, whole)]
    floor = MIN_SIZE if compact else max(MIN_SIZE, size * ONE_LINE_SHRINK)
    shrunk = fitting_size(whole, font, size, width, floor)
    if shrunk is not None:
        return [(False, shrunk, whole)]
    if fits(font, caption, size, width):
        value_size = fitting_size(value, font, size, width, MIN_SIZE)
        if value_size is not None:
            return [(False, size, caption), (False, value_size, value)]
    if breakable and _at_min(size):  # last resort: the value itself over several lines
        lines = split_value(value, font, size, width, prefix=f"{caption} ")
        if lines is not None:
            return [(False, size, line) for line in lines]
    return None


# ---------------------------------------------------------------------------- fitting


def _roles(content: LabelContent) -> list[str]:
    roles = [NAME] if content.product_name.strip() else []
    if content.stars:
        roles.append(STARS)
    if content.producer_name.strip():
        roles.append(PRODUCER)
    roles.append(LOT)
    if content.expiry is not None:
        roles.append(EXPIRY)
    return roles


def _pieces(role, content, scale, width, compact, fonts) -> list[Piece] | None:
    size = _role_size(role, scale)
    regular, bold = fonts
    if role == NAME:
        return _words(" ".join(content.product_name.split()), bold, True, size, width)
    if role == PRODUCER:
        return _words(" ".join(content.producer_name.split()), regular, False, size, width)
    if role == STARS:
        return _stars(content, bold, size, width)
    if role == LOT:
        return _captioned("Lô:", content.lot, regular, size, width, compact, breakable=True)
    return _captioned(
        "HSD:", f"{content.expiry:%d/%m/%Y}", regular, size, width, compact, breakable=False
    )


def _serial_room(content, scale, width) -> tuple[int, float, bool] | None:
    """(lines, size, bold) kept for the serial in ``width`` pt: room for the widest
    serial of the run's shape (in regular type, shrunk or broken as far as needed)."""
    size = _role_size(SERIAL, scale)
    regular = label_fonts()[0]
    worst = widest_serial(content.serial_display)
    room = width - 0.1 * size  # side bearings of the widest letters
    if fitting_size(worst, regular, size, room, MIN_SIZE) is not None:
        lines = 1
    else:
        packed = _pack_serial(worst, regular, MIN_SIZE, room)
        if packed is None:
            return None
        lines = len(packed)
    reference = serial_lines(content.serial_display, width, size, lines)
    if reference is None:
        return None
    return lines, size, reference[0][0]


def _stack(pieces: list[Piece], role: str, previous: float | None, x0: float, fonts, leading):
    """Lines of one role below the line whose baseline is ``previous`` (None: at top)."""
    lines = []
    baseline = previous
    for bold, size, text in pieces:
        font = fonts[bold]
        if baseline is None:
            baseline = _top(font, text, size)  # the first line's ink touches the top
        else:
            baseline += size * leading
        lines.append(TextLine(role, bold, size, text, baseline, x0 + _x(font, text, size)))
    return lines


def _place_block(role, content, scale, box, compact, previous, leading, fonts):
    """A role's lines in the column or under the code (there, possibly after skipping
    down to where the band under the code starts): wherever the block ends highest."""
    best = None
    for width, x0, lowest_top in box.widths():
        pieces = _pieces(role, content, scale, width, compact, fonts)
        if pieces is None:
            continue
        block = _stack(pieces, role, previous, x0, fonts, leading)
        first = block[0]
        top = first.baseline - _top(fonts[first.bold], first.text, first.size)
        if lowest_top is not None and top < lowest_top:
            shift = lowest_top - top  # start under the code
            block = [replace(line, baseline=line.baseline + shift) for line in block]
        if best is None or block[-1].baseline < best[-1].baseline - 1e-9:
            best = block
    return best


def _take_line(words: list[str], font, size, width, break_words) -> tuple[str, list[str]] | None:
    """The first line of ``words`` at ``width`` (greedy) and the words left over."""
    line, i = "", 0
    while i < len(words):
        candidate = f"{line} {words[i]}" if line else words[i]
        if fits(font, candidate, size, width):
            line, i = candidate, i + 1
            continue
        break
    if line:
        return line, words[i:]
    if not break_words:  # the first word alone is too wide
        return None
    pieces = split_value(words[0], font, size, width)
    if pieces is None:
        return None
    return pieces[0], ["".join(pieces[1:])] + words[1:]


def _flow_words(text, font, bold, size, role, box: TextBox, previous, leading):
    """Word-wrapped lines, each as wide as where it falls allows: beside the code in
    the column, under it across the label."""
    words = text.split()
    break_words = _at_min(size)
    lines: list[TextLine] = []
    while words:
        placed = None
        for width, x0, lowest_top in box.widths():
            taken = _take_line(words, font, size, width, break_words)
            if taken is None:
                continue
            line, rest = taken
            top = _top(font, line, size)
            baseline = top if previous is None else previous + size * leading
            if lowest_top is not None and baseline - top < lowest_top:
                continue  # this line is beside the code
            placed = TextLine(role, bold, size, line, baseline, x0 + _x(font, line, size)), rest
            break
        if placed is None:
            return None
        line, words = placed
        lines.append(line)
        previous = line.baseline
    return lines


def _attempt(content, scale, box: TextBox, compact, leading=LEADING) -> TextLayout | None:
    """The text set at one scale, or None if it does not fit ``box``."""
    fonts = label_fonts()
    lines: list[TextLine] = []
    previous = None
    for role in _roles(content):
        if role in (NAME, PRODUCER) and box.wide_top is not None:
            size = _role_size(role, scale)
            bold = role == NAME
            text = content.product_name if bold else content.producer_name
            placed = _flow_words(text, fonts[bold], bold, size, role, box, previous, leading)
        else:
            placed = _place_block(role, content, scale, box, compact, previous, leading, fonts)
        if placed is None:
            return None
        lines += placed
        previous = placed[-1].baseline
    serial = None
    for width, x0, lowest_top in box.widths():
        room = _serial_room(content, scale, width)
        if room is None:
            continue
        count, size, bold = room
        pitch = size * leading
        last = box.height - size * _serial_bottom()
        baselines = tuple(last - (count - 1 - i) * pitch for i in range(count))
        if previous is not None and baselines[0] < previous + pitch - 1e-9:
            continue  # runs into the lines above
        if previous is None and baselines[0] - size * _serial_top() < -1e-9:
            continue
        if lowest_top is not None and baselines[0] - size * _serial_top() < lowest_top:
            continue
        serial = SerialBlock(count, size, bold, width, baselines, x0)
        break
    if serial is None:
        return None
    body = tuple(lines)
    own = TextLayout(body, serial, scale, body).serial_lines(content.serial_display)
    return TextLayout(body + tuple(own), serial, scale, body, leading)


def _fits_at(content, index, box) -> TextLayout | None:
    scale = SCALES[index]
    found = _attempt(content, scale, box, False) or _attempt(content, scale, box, True)
    if found is None and index == len(SCALES) - 1:  # the very last resort
        found = _attempt(content, scale, box, True, TIGHT_LEADING)
    return found


def fit_box(content: LabelContent, box: TextBox) -> TextLayout | None:
    """The whole text at the largest scale at which it fits ``box``, or None if it does
    not fit even with every line at ``MIN_SIZE``. (Fitting gets easier as the scale
    goes down, so the scale is found by bisection.)"""
    best = _fits_at(content, 0, box)
    if best is not None:
        return best
    low = _fits_at(content, len(SCALES) - 1, box)
    if low is None:
        return None
    bad, good = 0, len(SCALES) - 1
    while good - bad > 1:
        middle = (bad + good) // 2
        found = _fits_at(content, middle, box)
        if found is not None:
            good, low = middle, found
        else:
            bad = middle
    return low


def fit_text(content: LabelContent, width_pt: float, height_pt: float) -> TextLayout | None:
    """:func:`fit_box` for a plain ``width_pt`` x ``height_pt`` column."""
    return fit_box(content, TextBox(width_pt, height_pt))


def layout_text(content: LabelContent, width_pt: float, height_pt: float) -> list[TextLine]:
    """Lines of a label's text block, fitted whole into ``width_pt`` x ``height_pt``.

    The serial (set for ``content.serial_display``) is on the bottom line(s), everything
    else stacks from the top. Raises LabelTextError if the text cannot fit whole.
    """
    fitted = fit_text(content, width_pt, height_pt)
    if fitted is None:
        raise LabelTextError("thông tin trên tem không vừa khung chữ, kể cả ở cỡ chữ nhỏ nhất")
    return list(fitted.lines)


