"""The reader's e-mail choices: one checkbox per kind of event offered to them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from shop.notifications.kinds import Kind


def settings_form(kinds: list[Kind], memberships: list, off: set[str], formdata=None):
    """A form with an `email_<kind>` checkbox per kind and a `threshold_<membership id>`
    number per cooperative the reader sells in."""

    class SettingsForm(FlaskForm):
        pass

    for kind in kinds:
        setattr(SettingsForm, f"email_{kind.name}", BooleanField(kind.label))
    for membership in memberships:
        field = IntegerField(
            _l(
                "Tell me when a product's stock falls to (%(coop)s)",
                coop=membership.cooperative.name,
            ),  # fmt: skip
            validators=[
                InputRequired(_l("Enter a number.")),
                NumberRange(0, 1000, _l("Enter a number from 0 to 1000.")),
            ],
        )
        setattr(SettingsForm, f"threshold_{membership.id}", field)
    data = {f"email_{kind.name}": kind.name not in off for kind in kinds}
    data |= {f"threshold_{m.id}": m.low_stock_threshold for m in memberships}
    return SettingsForm(formdata=formdata, data=data)
