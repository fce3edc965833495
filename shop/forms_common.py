"""Field checks shared by several features' forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, ValidationError
from wtforms.validators import Length
from wtforms.widgets import Select

from shop import wtforms_speed
from shop.money import parse_percent_to_bp
from shop.phone import normalise_phone

wtforms_speed.install()  # every form imports this module first


def indonesian_phone(form, field) -> None:
    """Optional Indonesian phone number; normalised to +62... in place."""
    if not (field.data or "").strip():
        field.data = ""
        return
    try:
        field.data = normalise_phone(field.data)
    except ValueError:
        raise ValidationError(
            _l("Enter an Indonesian number, for example 0812 3456 7890.")
        ) from None


def percentage(form, field) -> None:
    try:
        parse_percent_to_bp(field.data or "")
    except ValueError:
        raise ValidationError(
            _l("Enter a percentage between 0 and 100, for example 2,5.")
        ) from None


def max_length(limit: int) -> Length:
    """Length with our own translated message (WTForms has no Indonesian catalog)."""
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


class _KeptOptionsSelect(Select):
    """WTForms' select, each plain <option> tag rendered once per process: the checkout's
    province list is 39 of them, and building each through html_params was a sixth of the
    checkout page's CPU. A lazily translated label, extra attributes or a value that is not
    a string are rendered as WTForms does every time, so the HTML is WTForms' own."""

    MAX_KEPT = 4096  # choices built from data (the audit log's people) cannot grow it forever
    _kept: dict[tuple[str, str, bool], Markup] = {}

    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:
        value, label = choice.value, choice.label
        if kwargs or choice.render_kw or type(value) is not str or type(label) is not str:
            return super().render_option(choice, **kwargs)
        key = (value, label, bool(choice.selected))
        html = cls._kept.get(key)
        if html is None:
            html = super().render_option(choice)
            if len(cls._kept) < cls.MAX_KEPT:
                cls._kept[key] = html
        return html


class ChoiceField(SelectField):
    """A select whose "not in the list" message is translated like the rest of the form."""

    widget = _KeptOptionsSelect()

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Choose one of the options in the list.")) from None


class ButtonForm(FlaskForm):
    """A form that is only a button: its CSRF token is the point."""
