from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..inputs import RegistryForm, VnDecimalField


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _criterion_choices(criteria):
    return [("", _l("Cả hồ sơ"))] + [(c.code, f"{c.code}. {c.title_vi}") for c in criteria]


def application_form_class(criteria, product_sets=()):
    class ApplicationForm(RegistryForm):
        requested_stars = SelectField(_l("Hạng sao đề nghị"), coerce=int,
                                      choices=[(3, "3 ★"), (4, "4 ★"), (5, "5 ★")])
        certifications = MultiCheckboxField(_l("Chứng nhận kèm theo"), coerce=int,
                                            validators=[Optional()])
        evidence = MultipleFileField(_l("Tài liệu minh chứng (PDF hoặc ảnh, tối đa 10 MB mỗi tệp)"))
        evidence_criterion = SelectField(_l("Tài liệu này minh chứng cho"),
                                         choices=_criterion_choices(criteria),
                                         validators=[Optional()])

    if product_sets:
        ApplicationForm.product_set = SelectField(
            _l("Bộ sản phẩm (Phụ lục I, Quyết định 26/2026/QĐ-TTg)"), coerce=int,
            choices=[(0, _l("Chọn bộ sản phẩm"))] + [
                (ps.number, f"{ps.label_vi} ({ps.sector_vi})") for ps in product_sets],
            validators=[NumberRange(1, len(product_sets), _l("Chọn bộ sản phẩm."))])
    for c in criteria:
        setattr(ApplicationForm, f"note_{c.code}", StringField(
            _l("Ghi chú, căn cứ"), validators=[Optional(), Length(max=1000)]))
        setattr(ApplicationForm, f"self_{c.code}", VnDecimalField(
            f"{c.code}. {c.title_vi}", places=2,
            validators=[InputRequired(_l("Nhập điểm tự đánh giá.")),
                        NumberRange(0, float(c.max_points),
                                    _l("Điểm phải từ 0 đến %(max)s.", max=c.max_points))]))
    return ApplicationForm


def evidence_form_class(criteria):
    class EvidenceForm(RegistryForm):
        evidence = MultipleFileField(_l("Thêm tài liệu minh chứng"))
        evidence_criterion = SelectField(_l("Tài liệu này minh chứng cho"),
                                         choices=_criterion_choices(criteria),
                                         validators=[Optional()])
    return EvidenceForm


class SubmitForm(RegistryForm):
    pass
