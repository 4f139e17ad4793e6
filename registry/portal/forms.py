from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DecimalField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def application_form_class(criteria):
    class ApplicationForm(FlaskForm):
        requested_stars = SelectField(_l("Hạng sao đề nghị"), coerce=int,
                                      choices=[(3, "3 ★"), (4, "4 ★"), (5, "5 ★")])
        certifications = MultiCheckboxField(_l("Chứng nhận kèm theo"), coerce=int,
                                            validators=[Optional()])
        evidence = MultipleFileField(_l("Tài liệu minh chứng (PDF hoặc ảnh, tối đa 10 MB mỗi tệp)"))

    for c in criteria:
        setattr(ApplicationForm, f"self_{c.code}", DecimalField(
            f"{c.code}. {c.title_vi}", places=2,
            validators=[InputRequired(_l("Nhập điểm tự đánh giá.")),
                        NumberRange(0, float(c.max_points),
                                    _l("Điểm phải từ 0 đến %(max)s.", max=c.max_points))]))
    return ApplicationForm


class EvidenceForm(FlaskForm):
    evidence = MultipleFileField(_l("Thêm tài liệu minh chứng"))


class SubmitForm(FlaskForm):
    pass
