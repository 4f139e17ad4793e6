from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..inputs import RegistryForm, VnDecimalField, VnIntegerField
from ..labels.layouts import LAYOUTS
from .operations import MAX_RUN

LAYOUT_LABELS = {
    "a4-3x8": _l("A4, 3 × 8 tem (63,5 × 33,9 mm)"),
    "a4-3x7": _l("A4, 3 × 7 tem (63,5 × 38,1 mm)"),
    "a4-4x10": _l("A4, 4 × 10 tem (45,7 × 25,4 mm)"),
    "roll-50x30": _l("Cuộn tem nhiệt 50 × 30 mm"),
    "roll-40x30": _l("Cuộn tem nhiệt 40 × 30 mm"),
}


class LabelRunForm(RegistryForm):
    count = VnIntegerField(_l("Số tem"), validators=[
        InputRequired(_l("Nhập số tem cần in.")),
        NumberRange(1, MAX_RUN, _l("Số tem phải từ 1 đến 1.000.000."))])
    layout = SelectField(_l("Khổ giấy tem"),
                         choices=[(k, LAYOUT_LABELS.get(k, k)) for k in LAYOUTS])
    start_position = VnIntegerField(
        _l("Bắt đầu từ tem số (tờ A4 đã dùng một phần)"), default=1,
        validators=[Optional(), NumberRange(1, 40, _l("Vị trí bắt đầu phải từ 1 đến 40."))])
    ecc = SelectField(_l("Mức sửa lỗi của mã QR"), choices=[
        ("M", _l("M — mặc định")), ("Q", _l("Q — tem dễ ướt, trầy xước"))])
    offset_x_mm = VnDecimalField(_l("Lệch ngang (mm, sang phải)"), default=0, places=1,
                               validators=[NumberRange(-20, 20)])
    offset_y_mm = VnDecimalField(_l("Lệch dọc (mm, xuống dưới)"), default=0, places=1,
                               validators=[NumberRange(-20, 20)])
    show_decision_end = BooleanField(_l("In ngày hết hiệu lực của quyết định cạnh số sao"),
                                     default=True)
    confirm_expired = BooleanField(_l("Tôi xác nhận in tem cho lô đã hết hạn sử dụng"))
    confirm_repeat = BooleanField(_l("Tôi cần thêm một đợt in nữa với cùng số tem"))
    #: One-time token of this order form: sending it twice issues one run.
    order_token = HiddenField()
