from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField
from wtforms.validators import Length, Optional, Regexp

from ..inputs import RegistryForm


def settings_form_class(kinds: dict[str, tuple[str, str]]):
    from ..models.base import localized

    class SettingsForm(RegistryForm):
        email = EmailField(_l("Địa chỉ thư"), validators=[
            Optional(), Length(max=200),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ thư không hợp lệ."))])
        locale = SelectField(_l("Ngôn ngữ của thư"), choices=[("vi", "Tiếng Việt"),
                                                             ("en", "English")])

    for i, pair in enumerate(kinds.values()):
        setattr(SettingsForm, f"kind_{i}", BooleanField(localized(pair), default=True))
    return SettingsForm


class ReadForm(RegistryForm):
    pass
