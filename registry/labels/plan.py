"""A run's plan: where the code goes on a label and how its text fits, made once per run.

Also the checks made before anything is printed: on which layouts a content fits
(:func:`layouts_that_fit`) and the refusal, with advice, when it does not
(:func:`check_label_fits`).
"""

from __future__ import annotations

from .content import (
    COMFORT_SCALE,
    MIN_SIZE,
    PT_PER_MM,
    ROLE_TITLES,
    SCALES,
    LabelContent,
    LabelTextError,
)
from .fonts import label_fonts
from .labeltext import _pieces, _roles, _serial_room, fit_box
from .layouts import (
    LAYOUTS,
    LabelGeometry,
    LayoutError,
    SheetLayout,
    get_layout,
    label_geometry,
    module_sizes,
)
from .qr import QRBatchEncoder
from .serialtext import _serial_shape
from .textlayout import LabelPlan, TextBox, TextLayout


def _text_key(content: LabelContent) -> tuple:
    return (
        content.product_name,
        content.producer_name,
        content.stars,
        content.stars_until,
        content.lot,
        content.expiry,
        _serial_shape(content.serial_display),
    )


def plan_label(
    content: LabelContent, layout: str | SheetLayout, version: int, dpi: int | None = None
) -> LabelPlan:
    """The code geometry and the fitted text for ``content`` with codes of ``version``.

    Arrangements are tried in this order: the code centred on the left with its
    preferred modules, then with smaller modules (down to ``MIN_MODULE_MM``), then the
    code in the top-left corner with text also running under it, again from the
    preferred modules down. The first that is comfortable - text at least
    ``COMFORT_SCALE`` times its nominal size and room for any serial of the run on one
    line - wins; failing that, the one with the largest text (a serial on one line
    first). Cached per run (everything but the serial). Raises LayoutError (the code
    does not fit) or LabelTextError (the text does not fit whole); neither carries
    ``fits`` (see :func:`check_label_fits`).
    """
    sheet = get_layout(layout) if isinstance(layout, str) else layout
    key = (_text_key(content), sheet, version, dpi)
    result = _PLANS.get(key)
    if result is None:
        if len(_PLANS) >= PLAN_CACHE_SIZE:
            _PLANS.clear()
        result = _PLANS[key] = _make_plan(content, sheet, version, dpi)
    if isinstance(result, LayoutError):
        raise type(result)(str(result))
    return result


PLAN_CACHE_SIZE = 256
_PLANS: dict[tuple, LabelPlan | LayoutError] = {}


def _make_plan(content, sheet: SheetLayout, version, dpi) -> LabelPlan | LayoutError:
    try:
        modules = module_sizes(sheet, version, dpi)
    except LayoutError as error:
        return error
    arrangements: list[list[LabelGeometry]] = []
    error = None
    for on_top in (False, True):
        geometries = []
        for module in modules:
            try:
                geometry = label_geometry(sheet, version, dpi, module_mm=module, code_on_top=on_top)
            except LayoutError as exc:
                error = exc
                continue
            if not on_top or geometry.strip is not None:
                geometries.append(geometry)
        if geometries:
            arrangements.append(geometries)
    if not arrangements:
        return error
    # Preference: the code centred, then at the top (text under it); larger modules first.
    candidates = [g for geometries in arrangements for g in geometries]
    results: dict[int, TextLayout | None] = {}

    def fitted(i: int) -> TextLayout | None:
        if i not in results:
            results[i] = fit_box(content, TextBox.of(candidates[i]))
        return results[i]

    def comfortable(text: TextLayout | None) -> bool:
        # Type not too small, and any serial of the run on one line.
        return text is not None and text.scale >= COMFORT_SCALE - 1e-9 and text.serial.lines == 1

    def score(text: TextLayout) -> tuple:
        return (text.serial.lines == 1, text.scale, text.leading)

    first = fitted(0)
    if comfortable(first):
        return LabelPlan(candidates[0], first)
    # The smallest modules leave the text the most room: if nothing fits there, give up.
    ends, i = [], 0
    for geometries in arrangements:
        i += len(geometries)
        ends.append(i - 1)
    if all(fitted(i) is None for i in ends):
        widest = max(g.strip.w if g.strip else g.text.w for g in candidates)
        return LabelTextError(_refusal(content, sheet, widest * PT_PER_MM))
    best = None
    for i in range(len(candidates)):
        text = fitted(i)
        if text is None:
            continue
        if comfortable(text):
            return LabelPlan(candidates[i], text)
        if best is None or score(text) > score(results[best]):
            best = i
    return LabelPlan(candidates[best], results[best])


def _mm(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _refusal(content: LabelContent, sheet: SheetLayout, width: float) -> str:
    """Why the text does not fit ``width`` pt at most (in Vietnamese, for people)."""
    where = f"khổ tem {sheet.name} ({_mm(sheet.label_w)} × {_mm(sheet.label_h)} mm)"
    fonts = label_fonts()
    scale = SCALES[-1]
    for role in _roles(content):
        if _pieces(role, content, scale, width, True, fonts) is None:
            title = ROLE_TITLES[role]
            return (
                f"{title[0].upper() + title[1:]} không vừa bề ngang của {where}, kể cả "
                f"với cỡ chữ nhỏ nhất {_mm(MIN_SIZE)} pt."
            )
    if _serial_room(content, scale, width) is None:
        return f"Số sê-ri không vừa bề ngang của {where}, kể cả với cỡ chữ nhỏ nhất."
    return (
        f"Tên sản phẩm, tên cơ sở sản xuất, số lô và các thông tin khác không in trọn được "
        f"trên {where}, kể cả với cỡ chữ nhỏ nhất {_mm(MIN_SIZE)} pt; hãy rút ngắn tên "
        "sản phẩm hoặc tên cơ sở, hoặc chọn khổ tem lớn hơn."
    )


def run_version(content: LabelContent, ecc: str = "M", version: int | None = None) -> int:
    """The QR version a run of such labels gets (as :func:`~.pdf.write_label_pdf` fixes it)."""
    return QRBatchEncoder(ecc, version).fix_version([content.url])


def layouts_that_fit(
    content: LabelContent, *, ecc: str = "M", version: int | None = None, dpi: int | None = None
) -> list[str]:
    """Names of the layouts (in :data:`~.layouts.LAYOUTS` order) on which labels like
    ``content`` print whole: code and every value. One content stands for its whole run
    (only the serial differs, and room is kept for the widest serial)."""
    qr_version = run_version(content, ecc, version)
    names = []
    for name in LAYOUTS:
        try:
            plan_label(content, name, qr_version, dpi)
        except LayoutError:
            continue
        names.append(name)
    return names


def with_fits(
    error: LayoutError, content: LabelContent, ecc: str, version: int | None, dpi: int | None
) -> LayoutError:
    """``error`` (of the same class), its message completed with the layouts on which
    ``content`` would fit, and those in its ``fits``."""
    fits = layouts_that_fit(content, ecc=ecc, version=version, dpi=dpi)
    if fits:
        advice = f" Nội dung này in trọn được trên khổ: {', '.join(fits)}."
    else:
        advice = (" Không khổ tem nào in trọn được nội dung này; hãy rút ngắn tên sản phẩm "
                  "hoặc tên cơ sở.")
    return type(error)(str(error) + advice, fits)


def check_label_fits(
    content: LabelContent,
    layout: str,
    *,
    ecc: str = "M",
    version: int | None = None,
    dpi: int | None = None,
) -> None:
    """Raise LabelTextError (text) or LayoutError (code) if labels like ``content``
    cannot print whole on ``layout`` at QR level ``ecc``; the error's ``fits`` lists the
    layouts on which they would. The QR version is the one a run of them gets."""
    sheet = get_layout(layout)
    qr_version = run_version(content, ecc, version)
    try:
        plan_label(content, sheet, qr_version, dpi)
    except LayoutError as error:
        raise with_fits(error, content, ecc, version, dpi) from None
