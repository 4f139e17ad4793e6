"""Forms of the portal's product pages (labels and messages in Vietnamese, translated)."""
from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..files.validation import MB
from ..inputs import RegistryForm
from ..ocop.groups import GROUPS
from .operations import ProductData, ProductRefused, clean_text, parse_gtin
from .photos import MAX_PHOTO_BYTES

NAME_MAX = 200
DESCRIPTION_MAX = 5000
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


def _int_or_none(value) -> int | None:
    """Select values as int; anything else None (then refused with a Vietnamese message)."""
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def group_choices() -> list[tuple[int, str]]:
    english = g.get("lang") == "en"
    return [(code, group.name_en if english else group.name_vi)
            for code, group in GROUPS.items()]


def _too_long(limit: int):
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự.", max=limit))


class ProductForm(RegistryForm):
    #: Only offered to the office's administrators, who act for any producer.
    producer_id = SelectField(_l("Chủ thể sản xuất"), coerce=_int_or_none,
                              validate_choice=False)
    name_vi = StringField(_l("Tên sản phẩm (tiếng Việt)"), filters=[clean_text], validators=[
        DataRequired(_l("Nhập tên sản phẩm bằng tiếng Việt.")), _too_long(NAME_MAX)])
    name_en = StringField(_l("Tên sản phẩm (tiếng Anh)"), filters=[clean_text],
                          validators=[Optional(), _too_long(NAME_MAX)])
    group_code = SelectField(_l("Nhóm sản phẩm OCOP"), coerce=_int_or_none,
                             validate_choice=False)
    subgroup = StringField(_l("Phân nhóm"), filters=[clean_text],
                           validators=[Optional(), _too_long(NAME_MAX)])
    description_vi = TextAreaField(_l("Mô tả (tiếng Việt)"), filters=[clean_text],
                                   validators=[Optional(), _too_long(DESCRIPTION_MAX)])
    description_en = TextAreaField(_l("Mô tả (tiếng Anh)"), filters=[clean_text],
                                   validators=[Optional(), _too_long(DESCRIPTION_MAX)])
    #: Checked by ``validate_gtin`` (the same rules and messages as the operation).
    gtin = StringField(_l("Mã GTIN (mã số mã vạch)"), filters=[clean_text])

    def __init__(self, *args, producer_choices: list[tuple[int, str]] | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.group_code.choices = group_choices()
        if producer_choices is None:
            del self.producer_id
        else:
            self.producer_id.choices = [(0, _l("— Chọn chủ thể —"))] + producer_choices

    def validate_producer_id(self, field) -> None:
        if field.data not in {value for value, _label in field.choices[1:]}:
            raise ValidationError(_l("Chọn chủ thể sản xuất của sản phẩm."))

    def validate_group_code(self, field) -> None:
        if field.data not in GROUPS:
            raise ValidationError(_l("Chọn một nhóm sản phẩm OCOP."))

    def validate_gtin(self, field) -> None:
        try:
            parse_gtin(field.data)
        except ProductRefused as refused:
            raise ValidationError(refused.message) from None

    def product_data(self) -> ProductData:
        return ProductData(name_vi=self.name_vi.data, name_en=self.name_en.data,
                           group_code=self.group_code.data, subgroup=self.subgroup.data,
                           description_vi=self.description_vi.data,
                           description_en=self.description_en.data, gtin=self.gtin.data)


class NewProductForm(ProductForm):
    photos = MultipleFileField(_l("Ảnh sản phẩm (JPEG, PNG hoặc WebP, tối đa %(mb)s MB mỗi ảnh)",
                                  mb=MAX_PHOTO_BYTES // MB))


class PhotoForm(RegistryForm):
    photos = MultipleFileField(_l("Ảnh sản phẩm (JPEG, PNG hoặc WebP, tối đa %(mb)s MB mỗi ảnh)",
                                  mb=MAX_PHOTO_BYTES // MB))
    alt_vi = StringField(_l("Mô tả ngắn nội dung ảnh (cho người khiếm thị)"),
                         filters=[clean_text], validators=[Optional(), _too_long(NAME_MAX)])


class ActionForm(RegistryForm):
    """Archive, restore, delete and photo buttons: the CSRF token only."""
