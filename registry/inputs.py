"""Input guard: nothing the database cannot hold, or that would break a page later, gets
past the request.

Three places, each covering every route and form there is or will be:

- a request hook strips NUL and other control characters from the query and the form
  fields, so what a person typed (a buyer's report, a producer's form) is kept and
  saved without the characters nobody types, and answers 404 for them in the path (no
  record has such a key). Tab, line feed and carriage return stay in form fields (text
  areas hold lines);
- ids and integers: the ``int`` route converter and every ``.get(name, type=int)`` on the
  request's arguments and form stop at what an INTEGER column holds, so ``/batches/2**63``
  is a 404 and ``?page=2**63`` falls back to the default, never an overflow in the
  database;
- :class:`RegistryForm`, the base of every form: decimals must be finite and fit the
  columns (no ``sNaN``, ``Infinity``, ``1e400``), integers fit an INTEGER column, dates
  fall between 1900 and 2200, and single-line text loses stray line breaks.

Uploaded file names are not refused but normalised (:func:`clean_file_name`) for storage
and for the download header.
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Flask, Request, abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from wtforms import DateField, DecimalField, FloatField, IntegerField, StringField
from wtforms.validators import StopValidation

#: The largest value of an INTEGER column (PostgreSQL's int4; ids are INTEGER).
MAX_INT = 2**31 - 1
#: Decimals fit NUMERIC(12, 3), the widest numeric column's integer part.
MAX_DECIMAL = Decimal(10) ** 9
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)

#: C0 controls but tab, line feed, carriage return; DEL; the C1 controls.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Anywhere but a form field a line break is also out of place.
CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\t\r\n]+")
SINGLE_LINE = ("text", "search", "email", "tel", "url")


def bounded_int(value: str) -> int:
    """``int()`` for request values: ASCII digits with an optional sign, within an
    INTEGER column; anything else is a ValueError (so ``.get(type=int)`` gives the
    default)."""
    text = value.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 10:
        raise ValueError(value)
    number = int(text)
    if not -MAX_INT <= number <= MAX_INT:
        raise ValueError(value)
    return number


class Parameters(ImmutableMultiDict):
    """The request's query and form values, whose ``get(name, type=int)`` is bounded."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        return super().get(key, default, bounded_int if type is int else type)


class RegistryRequest(Request):
    parameter_storage_class = Parameters


class IdConverter(IntegerConverter):
    """``<int:…>`` in a route: no larger than an INTEGER column, else 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def check_request() -> None:
    """The request hook: no record has a key with control characters (404); the query
    and the form lose theirs (the API's query refuses them with a 400)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and CONTROL_OR_BREAK.search(value):
            abort(404)  # no record has such a key
    if request.query_string:
        pairs = list(request.args.items(multi=True))
        if any(CONTROL_OR_BREAK.search(n) or CONTROL_OR_BREAK.search(v) for n, v in pairs):
            if request.path.startswith("/api/"):
                # A program sent it: tell it (a page's visitor gets the page instead).
                abort(400, _("Tham số chứa ký tự điều khiển."))
            request.args = request.parameter_storage_class(
                [(CONTROL_OR_BREAK.sub("", n), CONTROL_OR_BREAK.sub("", v)) for n, v in pairs])
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        pairs = list(request.form.items(multi=True))
        if any(CONTROL_OR_BREAK.search(n) or CONTROL.search(v) for n, v in pairs):
            # What a person typed is kept, without the characters nobody types: a
            # buyer's report or a producer's form is saved rather than thrown back.
            request.form = request.parameter_storage_class(
                [(CONTROL_OR_BREAK.sub("", n), CONTROL.sub("", v)) for n, v in pairs])


def clean_file_name(name: str | None, fallback: str = "tep") -> str:
    """A file name safe to store and to send back in a header: Unicode NFC, no control
    characters or path separators, no leading dots, at most 120 characters with the
    extension kept."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = CONTROL.sub("", _BREAKS.sub(" ", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cs", "Co", "Cn"))
    text = re.sub(r"\s+", " ", text).strip().lstrip(".").strip()
    if not text:
        return fallback
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[:120 - len(ext) - 1] + "." + ext
        else:
            text = text[:120]
    return text


# ---------------------------------------------------------------------------- forms
# WTForms ships no Vietnamese catalogue: its own parse errors would reach the user in
# English, so every form's numbers and dates use these fields.

class VnDateField(DateField):
    """A date as the browser's date input sends it (2026-03-31) or as typed (31/03/2026)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm.")) from None


class VnDecimalField(DecimalField):
    """A decimal that also accepts the Vietnamese decimal comma (2,5 ha)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip().replace(" ", "")
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
        if raw == "":
            self.data = None
            return
        try:
            self.data = Decimal(raw)
        except (InvalidOperation, ValueError):
            self.data = None
            raise ValueError(_l("Nhập một số, ví dụ 2,5.")) from None
        if not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Nhập một số, ví dụ 2,5."))


class VnIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip().replace(".", "").replace(" ", "")
        if raw == "":
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError:
            self.data = None
            raise ValueError(_l("Nhập một số nguyên.")) from None




def _decimal_problem(field) -> str | None:
    value = field.data
    if value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= MAX_DECIMAL:
            return _("Số quá lớn hoặc không hợp lệ.")
        return None
    if not isinstance(value, Decimal):
        return None
    if not value.is_finite() or abs(value) >= MAX_DECIMAL:
        return _("Số quá lớn hoặc không hợp lệ.")
    places = getattr(field, "places", None)
    if isinstance(places, int):
        try:
            value = value.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:
            return _("Số quá lớn hoặc không hợp lệ.")
        if abs(value) >= MAX_DECIMAL:
            return _("Số quá lớn hoặc không hợp lệ.")
        field.data = value  # what the column will hold
    return None


def _problem(field) -> str | None:
    if isinstance(field, (DecimalField, FloatField)):
        return _decimal_problem(field)
    if isinstance(field, IntegerField):
        if isinstance(field.data, int) and abs(field.data) > MAX_INT:
            return _("Số quá lớn.")
        return None
    if isinstance(field, DateField):
        if isinstance(field.data, date) and not EARLIEST <= field.data <= LATEST:
            return _("Ngày phải trong khoảng năm 1900 đến năm 2200.")
        return None
    return None


def _guarded(field, original):
    def pre_validate(form):
        problem = _problem(field)
        if problem:
            field.data = None
            raise StopValidation(problem)
        original(form)
    return pre_validate


#: WTForms' own messages (it ships no Vietnamese), said as the registry says them; the
#: registry's catalogue gives them in English again.
_WTFORMS_MESSAGES = {
    "This field is required.": _l("Trường này bắt buộc."),
    "Field cannot be longer than %(max)d character.": _l("Tối đa %(max)d ký tự."),
    "Field cannot be longer than %(max)d characters.": _l("Tối đa %(max)d ký tự."),
    "Field must be at least %(min)d character.": _l("Tối thiểu %(min)d ký tự."),
    "Field must be at least %(min)d characters.": _l("Tối thiểu %(min)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.":
        _l("Từ %(min)d đến %(max)d ký tự."),
    "Number must be at least %(min)s.": _l("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": _l("Số không được vượt quá %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Số phải từ %(min)s đến %(max)s."),
    "Not a valid choice.": _l("Hãy chọn một giá trị trong danh sách."),
    "Invalid Choice: could not coerce.": _l("Hãy chọn một giá trị trong danh sách."),
    "Not a valid integer value.": _l("Nhập một số nguyên."),
    "Not a valid decimal value.": _l("Nhập một số, ví dụ 2,5."),
    "Not a valid float value.": _l("Nhập một số, ví dụ 2,5."),
    "Not a valid date value.": _l("Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm."),
    "Not a valid datetime value.": _l("Thời điểm không hợp lệ."),
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Invalid email address.": _l("Địa chỉ email không hợp lệ."),
}


class _Messages:
    """WTForms' translations hook (``Meta.get_translations``)."""

    def gettext(self, string):
        said = _WTFORMS_MESSAGES.get(string)
        return str(said) if said is not None else string

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


_MESSAGES = _Messages()


class RegistryForm(FlaskForm):
    """The base of every form in the registry (a test checks that none bypasses it)."""

    class Meta:
        def get_translations(self, form):
            return _MESSAGES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field, (DecimalField, FloatField, IntegerField, DateField)):
                field.pre_validate = _guarded(field, field.pre_validate)
            elif isinstance(field, StringField) and getattr(
                    field.widget, "input_type", None) in SINGLE_LINE:
                if isinstance(field.data, str) and _BREAKS.search(field.data):
                    field.data = _BREAKS.sub(" ", field.data)


def init_app(app: Flask) -> None:
    app.request_class = RegistryRequest
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_request)

