"""The portal's forms for personal API tokens."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired

from ..inputs import RegistryForm
from ..models import TokenScope
from ..producers.forms import max_length, strip
from .operations import MAX_NAME

SCOPE_LABELS = {
    TokenScope.READ: _l("Chỉ đọc"),
    TokenScope.WRITE: _l("Đọc và ghi: tạo lô, ghi sự kiện, đặt in tem"),
}


class TokenForm(RegistryForm):
    name = StringField(_l("Tên khoá (để nhận ra nó, ví dụ “Phần mềm kho”)"), filters=[strip],
                       validators=[DataRequired(_l("Đặt tên cho khoá để nhận ra nó sau này.")),
                                   max_length(MAX_NAME)])
    scope = RadioField(_l("Quyền của khoá"), default=TokenScope.READ.value,
                       choices=[(s.value, label) for s, label in SCOPE_LABELS.items()])


class RevokeForm(RegistryForm):
    """The revoke button: CSRF only."""
