"""The buyer's report form (no account, no JavaScript) and the "handled" form."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..inputs import RegistryForm
from .operations import (
    MAX_ADDRESS,
    MAX_NOTE,
    MAX_PHONE,
    MAX_WHAT_SEEN,
    MAX_WHERE_BOUGHT,
    clean_text,
)

_PHONE_CHARS = re.compile(r"[0-9 +\-.]+")


def _line(value):
    return clean_text(value) if isinstance(value, str) else value


def _text(value):
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def _max(limit: int) -> Length:
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự."))


def loose_phone(form, field) -> None:
    """Digits with the spaces, '+', '-' and '.' people write them with; 8 to 15 digits."""
    digits = sum(ch.isdigit() for ch in field.data)
    if not _PHONE_CHARS.fullmatch(field.data) or not 8 <= digits <= 15:
        raise ValidationError(_l("Số điện thoại gồm 8 đến 15 chữ số (có thể có dấu cách, "
                                 "+, - hoặc dấu chấm)."))


class ReportForm(RegistryForm):
    address = HiddenField(filters=[_line], validators=[
        Length(max=MAX_ADDRESS, message=_l("Địa chỉ tem dài quá %(max)s ký tự."))])
    what_seen = TextAreaField(
        _l("Bạn thấy điều gì khả nghi?"), filters=[_text],
        description=_l("Ví dụ: tem bị dán đè, mã quét ra trang lạ, bao bì khác thường, giá "
                       "rẻ bất thường."),
        validators=[DataRequired(_l("Hãy cho biết bạn thấy điều gì khả nghi.")),
                    _max(MAX_WHAT_SEEN)])
    where_bought = StringField(_l("Bạn mua ở đâu? (không bắt buộc)"), filters=[_line],
                               description=_l("Tên cửa hàng, chợ, trang bán hàng, địa chỉ."),
                               validators=[Optional(), _max(MAX_WHERE_BOUGHT)])
    phone = StringField(_l("Số điện thoại để liên hệ lại (không bắt buộc)"), filters=[_line],
                        validators=[Optional(), _max(MAX_PHONE), loose_phone])


class HandleForm(RegistryForm):
    note = TextAreaField(_l("Đã làm gì (không bắt buộc)"), filters=[_text],
                         validators=[Optional(), _max(MAX_NOTE)])
