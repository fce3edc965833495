"""Field checks shared by several features' forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, ValidationError
from wtforms.validators import Length

from shop.money import parse_percent_to_bp
from shop.phone import normalise_phone


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


class ChoiceField(SelectField):
    """A select whose "not in the list" message is translated like the rest of the form."""

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Choose one of the options in the list.")) from None


class ButtonForm(FlaskForm):
    """A form that is only a button: its CSRF token is the point."""
