from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..inputs import RegistryForm, VnDateField, VnDecimalField
from ..ocop.rules import today_vn


def score_form_class(criteria):
    """A form with one points field (and 'met' box for mandatory ones) per criterion."""

    class ScoreForm(RegistryForm):
        pass

    for c in criteria:
        setattr(ScoreForm, f"points_{c.id}", VnDecimalField(
            f"{c.code}. {c.title_vi}", places=2,
            validators=[InputRequired(_l("Nhập điểm.")),
                        NumberRange(0, float(c.max_points),
                                    _l("Điểm phải từ 0 đến %(max)s.", max=c.max_points))]))
        if c.mandatory_from_stars is not None:
            setattr(ScoreForm, f"met_{c.id}", BooleanField(_l("Đạt (tiêu chí bắt buộc)")))
        setattr(ScoreForm, f"note_{c.id}", StringField(_l("Ghi chú"),
                                                       validators=[Optional(), Length(max=500)]))
    return ScoreForm


class ApproveForm(RegistryForm):
    stars = SelectField(_l("Hạng sao công nhận"), coerce=int,
                        choices=[(3, "3 ★"), (4, "4 ★"), (5, "5 ★")])
    decision_number = StringField(_l("Số quyết định"), validators=[
        InputRequired(_l("Nhập số quyết định.")), Length(max=60)])
    decided_on = VnDateField(_l("Ngày quyết định"), default=today_vn,
                           validators=[InputRequired(_l("Nhập ngày quyết định."))])
    issuing_body = StringField(_l("Cơ quan ban hành"), validators=[
        InputRequired(_l("Nhập cơ quan ban hành.")), Length(max=200)])


class RejectForm(RegistryForm):
    reason = TextAreaField(_l("Lý do không công nhận"), validators=[
        InputRequired(_l("Phải ghi rõ lý do.")), Length(max=2000)])


class ForwardForm(RegistryForm):
    pass


class ProposeForm(RegistryForm):
    pass


class ReturnForm(RegistryForm):
    reason = TextAreaField(_l("Cần bổ sung, sửa gì"), validators=[
        InputRequired(_l("Phải ghi rõ cần bổ sung, sửa gì trong hồ sơ.")), Length(max=2000)])


class RevokeForm(RegistryForm):
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[
        InputRequired(_l("Phải ghi rõ lý do thu hồi.")), Length(max=2000)])
    revoked_on = VnDateField(_l("Ngày thu hồi"), default=today_vn,
                           validators=[InputRequired(_l("Nhập ngày thu hồi."))])


class AssignForm(RegistryForm):
    officer = SelectField(_l("Giao cho"), coerce=int, choices=[],
                          validate_choice=True)


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
