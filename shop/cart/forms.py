"""The cart's forms: they turn what was typed into whole numbers; the rules about quantities
(at least 1, at most 999, no more than the stock) are the services'."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, ValidationError

# Digits only (no 1e9, 2.5 or Arabic-Indic digits), short enough to stay a sane integer; a
# minus sign is let through so that -1 gets the services' "at least 1" message.
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")


def whole_number(message: str):
    """Validator: the field holds a whole number, converted to int in place."""

    def check(form, field) -> None:
        text = (field.data or "").strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValidationError(message)
        field.data = int(text)

    return check


def variant_field(message: str) -> StringField:
    return StringField(validators=[whole_number(message)])


def quantity_field() -> StringField:
    return StringField(
        _l("Quantity"),
        validators=[whole_number(_l("Enter the quantity as a whole number, for example 2."))],
    )


class AddToCartForm(FlaskForm):
    variant_id = variant_field(_l("Please choose a variant."))
    quantity = quantity_field()
    next = HiddenField()


class SetQuantityForm(FlaskForm):
    variant_id = variant_field(_l("That item is no longer in your cart."))
    quantity = quantity_field()


class RemoveLineForm(FlaskForm):
    variant_id = variant_field(_l("That item is no longer in your cart."))


def first_error(form: FlaskForm) -> str:
    """The first field error, for a flash message (these forms have no page of their own)."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return ""
