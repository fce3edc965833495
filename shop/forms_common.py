"""Field checks shared by several features' forms."""

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

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
