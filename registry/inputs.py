"""Input guard: nothing the database cannot hold, or that would break a page later, gets
past the request.

Three places, each covering every route and form there is or will be:

- a request hook refuses text with NUL or another control character (in the query, the
  form fields, the path) with 400 and a message naming the field. Tab, line feed and
  carriage return stay allowed in form fields (text areas hold lines);
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


def _refuse(name: str, value: str) -> None:
    found = CONTROL_OR_BREAK.search(value) or CONTROL.search(value)
    abort(400, description=_(
        "Trường «%(field)s» có ký tự điều khiển không hợp lệ (mã U+%(code)04X). Hãy xoá "
        "ký tự đó rồi gửi lại.", field=name[:40], code=ord(found.group()) if found else 0))


def check_request() -> None:
    """The request hook: refuse control characters in the path, the query and the form."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and CONTROL_OR_BREAK.search(value):
            abort(404)  # no record has such a key
    if request.query_string:
        for name, value in request.args.items(multi=True):
            if CONTROL_OR_BREAK.search(name) or CONTROL_OR_BREAK.search(value):
                _refuse(name, value if CONTROL_OR_BREAK.search(value) else name)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            if CONTROL_OR_BREAK.search(name):
                _refuse(name, name)
            if CONTROL.search(value):
                _refuse(name, value)


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


class RegistryForm(FlaskForm):
    """The base of every form in the registry (a test checks that none bypasses it)."""

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

