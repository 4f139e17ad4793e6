from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..inputs import RegistryForm, VnDateField, VnDecimalField
from ..models import BIZ_STEP_LABELS
from .operations import OFFERED_STEPS

UNITS = ["kg", "tấn", "trái", "hộp", "túi", "chai", "gói", "bó"]
OFFSETS = ["+07:00", "+08:00", "+09:00", "+00:00", "+01:00", "+02:00", "-05:00", "-08:00"]


class BatchForm(RegistryForm):
    lot_code = StringField(_l("Mã lô"), validators=[InputRequired(_l("Nhập mã lô.")),
                                                    Length(max=20)])
    harvest_date = VnDateField(_l("Ngày thu hoạch"), validators=[Optional()])
    production_date = VnDateField(_l("Ngày sản xuất, chế biến"), validators=[Optional()])
    packing_date = VnDateField(_l("Ngày đóng gói"), validators=[Optional()])
    expiry_date = VnDateField(_l("Hạn sử dụng"), validators=[Optional()])
    quantity = VnDecimalField(_l("Số lượng"), places=3, validators=[
        Optional(), NumberRange(min=0.001, message=_l("Số lượng phải lớn hơn 0."))])
    unit = SelectField(_l("Đơn vị"), choices=[(u, u) for u in UNITS])
    origin = StringField(_l("Nơi sản xuất (vườn, thửa, xưởng)"),
                         validators=[Optional(), Length(max=200)])
    origin_commune = SelectField(_l("Xã, phường, thị trấn"), coerce=int,
                                 validators=[Optional()])


class EventForm(RegistryForm):
    biz_step = SelectField(_l("Công đoạn"),
                           choices=[(s.value, BIZ_STEP_LABELS[s][0]) for s in OFFERED_STEPS])
    local_time = DateTimeLocalField(_l("Thời điểm (giờ địa phương)"),
                                    format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                    validators=[InputRequired(_l("Nhập thời điểm."))])
    tz_offset = SelectField(_l("Múi giờ"), choices=[(o, f"UTC{o}") for o in OFFSETS],
                            default="+07:00")
    location = StringField(_l("Địa điểm"), validators=[Optional(), Length(max=200)])
    #: The location tracing code of Circular 02/2024: the commune's statistics code.
    commune = SelectField(_l("Xã, phường, thị trấn nơi diễn ra"), coerce=int,
                          validators=[Optional()])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])


class ConfirmForm(RegistryForm):
    pass
