"""Forms for a producer's certifications: add, renew, withdraw."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from ..inputs import RegistryForm, VnDateField, VnDecimalField, VnIntegerField
from ..models import CERTIFICATION_KIND_LABELS, CertificationKind
from ..ocop.rules import today_vn
from ..producers.forms import (
    ChoiceField,
    IdChoiceField,
    max_length,
    strip,
)

#: What the file input offers (the content is checked on the server whatever it says).
EVIDENCE_ACCEPT = "application/pdf,image/jpeg,image/png,image/webp"


class CertificationForm(RegistryForm):
    """The certificate's details, as on a renewal (the kind is the renewed one's)."""

    issuer = StringField(_l("Tổ chức cấp"), filters=[strip], validators=[
        DataRequired(_l("Nhập tên tổ chức cấp chứng nhận.")), max_length(200)])
    number = StringField(_l("Số chứng nhận"), filters=[strip],
                         validators=[Optional(), max_length(80)])
    scope = StringField(_l("Phạm vi (sản phẩm, vùng, cơ sở được chứng nhận)"),
                        filters=[strip], validators=[Optional(), max_length(300)])
    area_ha = VnDecimalField(_l("Diện tích (ha)"), places=2, validators=[
        Optional(), NumberRange(0, 99_999_999, _l("Diện tích phải từ 0 đến 99.999.999 ha."))])
    members = VnIntegerField(_l("Số thành viên, hộ tham gia"), validators=[
        Optional(), NumberRange(0, 10_000_000, _l("Số thành viên không được âm."))])
    issued_on = VnDateField(_l("Ngày cấp"), validators=[
        InputRequired(_l("Nhập ngày cấp."))])
    expires_on = VnDateField(_l("Ngày hết hạn (bỏ trống nếu không có thời hạn)"),
                             validators=[Optional()])
    product_id = IdChoiceField(_l("Áp dụng cho"), validators=[Optional()],
                               invalid_message=_l("Chọn một sản phẩm của chủ thể trong "
                                                  "danh sách."))
    evidence = FileField(_l("Bản chụp hoặc tệp PDF giấy chứng nhận (tối đa 10 MB)"),
                         validators=[FileRequired(_l("Tải lên bản chụp hoặc tệp PDF giấy "
                                                     "chứng nhận."))])

    def validate_expires_on(self, field):
        if field.data and self.issued_on.data and field.data <= self.issued_on.data:
            raise ValidationError(_l("Ngày hết hạn phải sau ngày cấp."))


class NewCertificationForm(CertificationForm):
    kind = ChoiceField(_l("Loại chứng nhận"),
                       validators=[DataRequired(_l("Chọn loại chứng nhận."))],
                       invalid_message=_l("Chọn loại chứng nhận."))
    other_kind = StringField(_l("Tên loại chứng nhận (khi chọn “Khác”)"), filters=[strip],
                             validators=[Optional(), max_length(100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("— Chọn loại chứng nhận —"))] + [
            (kind.value, labels[0]) for kind, labels in CERTIFICATION_KIND_LABELS.items()]

    def validate_other_kind(self, field):
        if self.kind.data == CertificationKind.OTHER.value and not field.data:
            raise ValidationError(_l("Ghi tên loại chứng nhận."))

    def kind_value(self) -> CertificationKind:
        return CertificationKind(self.kind.data)


class WithdrawForm(RegistryForm):
    withdrawn_on = VnDateField(_l("Ngày thu hồi"), default=today_vn, validators=[
        InputRequired(_l("Nhập ngày thu hồi."))])
    reason = TextAreaField(_l("Lý do thu hồi"), filters=[strip], validators=[
        DataRequired(_l("Phải ghi rõ lý do thu hồi.")), max_length(2000)])
