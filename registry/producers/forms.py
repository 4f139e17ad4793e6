"""Forms for producers and their members, and the fields with Vietnamese messages that
the portal's forms share (WTForms ships no Vietnamese catalogue: its own parse errors
would otherwise reach the user in English)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..inputs import RegistryForm
from ..models import PRODUCER_KIND_LABELS, ProducerKind
from ..models.user import MIN_PASSWORD_LENGTH


def strip(value):
    return value.strip() if isinstance(value, str) else value


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự."))


class ChoiceField(SelectField):
    """A select whose value must be one of the choices offered, said in Vietnamese."""

    def __init__(self, label=None, validators=None, invalid_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message or _l("Hãy chọn một giá trị trong danh sách.")

    def pre_validate(self, form):
        if self.choices is None:
            raise TypeError("choices are set by the view before validation")
        if self.process_errors or self.data in (None, ""):
            return  # unreadable, or empty: the field's own validators say so
        if not any(self.data == self.coerce(value) for value, *_rest in self.choices
                   if value not in (None, "")):
            raise ValidationError(self.invalid_message)


def _id_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


class IdChoiceField(ChoiceField):
    """A select of record ids, '' for none. An id that is not offered (another producer's
    product, a made-up commune) is a form error, never a silent change."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", _id_or_none)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = _id_or_none(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None


def kind_choices():
    return [("", _l("— Chọn loại hình —"))] + [
        (kind.value, labels[0]) for kind, labels in PRODUCER_KIND_LABELS.items()]


EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ email không hợp lệ."))
PHONE = Regexp(r"^\+?[0-9 .()-]{6,30}$",
               message=_l("Số điện thoại chỉ gồm chữ số, dấu cách, dấu chấm hoặc gạch nối."))
LOGIN = Regexp(r"^[A-Za-z0-9._-]+$", message=_l(
    "Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch nối."))


class ProducerProfileForm(RegistryForm):
    """What a producer's members keep up to date themselves."""

    kind = ChoiceField(_l("Loại hình chủ thể"),
                       validators=[DataRequired(_l("Chọn loại hình chủ thể."))],
                       invalid_message=_l("Chọn loại hình chủ thể."))
    registration_number = StringField(
        _l("Mã số đăng ký kinh doanh / mã số thuế"), filters=[strip],
        validators=[Optional(), max_length(40),
                    Regexp(r"^[0-9A-Za-z./-]+$", message=_l(
                        "Mã số chỉ gồm chữ số, chữ cái không dấu, dấu chấm, gạch chéo "
                        "hoặc gạch nối."))])
    address_line = StringField(_l("Địa chỉ (số nhà, ấp, đường)"), filters=[strip],
                               validators=[Optional(), max_length(200)])
    commune_id = IdChoiceField(_l("Xã, phường, thị trấn"), validators=[Optional()],
                               invalid_message=_l("Chọn một xã, phường, thị trấn trong "
                                                  "danh sách."))
    contact_name = StringField(_l("Người liên hệ"), filters=[strip],
                               validators=[Optional(), max_length(120)])
    phone = StringField(_l("Điện thoại"), filters=[strip],
                        validators=[Optional(), max_length(30), PHONE])
    email = StringField(_l("Email"), filters=[strip],
                        validators=[Optional(), max_length(200), EMAIL])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()

    def kind_value(self) -> ProducerKind:
        return ProducerKind(self.kind.data)


class ProducerAdminForm(ProducerProfileForm):
    """The office also keeps the producer's registered name."""

    name = StringField(_l("Tên chủ thể"), filters=[strip], validators=[
        DataRequired(_l("Nhập tên chủ thể.")), max_length(200)])


def _password_field(label):
    return PasswordField(label, validators=[
        DataRequired(_l("Nhập mật khẩu.")),
        Length(min=MIN_PASSWORD_LENGTH, max=200,
               message=_l("Mật khẩu phải có từ %(min)d đến %(max)d ký tự."))])


class MemberForm(RegistryForm):
    """A new member account of the producer."""

    login = StringField(_l("Tên đăng nhập"), filters=[strip], validators=[
        DataRequired(_l("Nhập tên đăng nhập.")), max_length(80), LOGIN])
    name = StringField(_l("Họ và tên"), filters=[strip], validators=[
        DataRequired(_l("Nhập họ và tên.")), max_length(120)])
    password = _password_field(_l("Mật khẩu (ít nhất 10 ký tự)"))


class RegisterProducerForm(ProducerAdminForm):
    """The office registers a producer and its first member (the manager) at once."""

    member_login = StringField(_l("Tên đăng nhập"), filters=[strip], validators=[
        DataRequired(_l("Nhập tên đăng nhập.")), max_length(80), LOGIN])
    member_name = StringField(_l("Họ và tên"), filters=[strip], validators=[
        DataRequired(_l("Nhập họ và tên.")), max_length(120)])
    member_password = _password_field(_l("Mật khẩu (ít nhất 10 ký tự)"))


class ConfirmForm(RegistryForm):
    """A button that changes something: CSRF only."""
