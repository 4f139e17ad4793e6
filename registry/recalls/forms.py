"""Forms of the recall pages: recall a batch (portal and office) and lift a recall."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..inputs import (
    RegistryForm,
    VnDateField,
    bounded_int,
)
from .operations import MAX_ADVICE, MAX_NOTE, MAX_REASON


def _at_most(limit: int) -> Length:
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự."))


class RecallForm(RegistryForm):
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[
        InputRequired(_l("Nhập lý do thu hồi lô.")), _at_most(MAX_REASON)])
    advice = TextAreaField(_l("Người mua cần làm gì"), validators=[
        InputRequired(_l("Nhập điều người mua cần làm với sản phẩm của lô.")),
        _at_most(MAX_ADVICE)])
    recalled_on = VnDateField(_l("Thu hồi từ ngày"), validators=[
        InputRequired(_l("Nhập ngày thu hồi lô."))])


class OfficeRecallForm(RecallForm):
    """The office names the batch: the product, then the lot code printed on the label."""

    product_id = SelectField(_l("Sản phẩm"), coerce=int)
    lot_code = StringField(_l("Mã lô (in trên tem)"), validators=[
        InputRequired(_l("Nhập mã lô.")), _at_most(20)])

    def validate_product_id(self, field) -> None:
        if not field.data:  # the "—" placeholder
            raise ValidationError(_l("Chọn sản phẩm."))


class LiftForm(RegistryForm):
    #: The recall the user saw; lifting another one (recorded since) is refused.
    recall_id = HiddenField()
    lift_note = TextAreaField(_l("Ghi chú khi gỡ thu hồi (không bắt buộc)"),
                              validators=[Optional(), _at_most(MAX_NOTE)])

    def seen_recall_id(self) -> int | None:
        try:
            return bounded_int(self.recall_id.data or "")
        except ValueError:
            return None
