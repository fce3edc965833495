"""The checkout form: contact and an Indonesian address, checked field by field.

Shipping is not a WTForms field: its radio groups are one per cooperative in the cart
(`shipping-<cooperative id>`), so chosen_methods() reads them from the posted data. Whether
a method is offered, and at what fee, is the services' business.
"""

from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Regexp

from shop.checkout.regions import PROVINCES
from shop.checkout.shipping import ShippingChoice, shipping_field
from shop.checkout.shown import ShownAmounts
from shop.forms_common import ChoiceField, indonesian_phone, max_length

STREET_LENGTH = 500  # a Text column; long enough for "Jl. ..., RT 03 / RW 05, Gg. ..."
NOTES_LENGTH = 500


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _required(message) -> DataRequired:
    return DataRequired(message=message)


class CheckoutForm(FlaskForm):
    contact_name = StringField(
        _l("Full name"),
        filters=[_stripped],
        validators=[_required(_l("Enter your name.")), max_length(120)],
    )
    contact_email = EmailField(
        _l("E-mail"),
        filters=[_stripped],
        validators=[
            _required(_l("Enter an e-mail address.")),
            max_length(254),
            # Not WTForms' Email(): it refuses reserved domains such as pasar.test, the demo
            # accounts' own addresses. A dot after the @ still catches "siti@gmail".
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$", message=_l("Enter a valid e-mail address.")),
        ],
    )
    contact_phone = StringField(
        _l("WhatsApp number"),
        validators=[
            _required(_l("Enter your WhatsApp number.")),
            max_length(25),
            indonesian_phone,
        ],
    )
    province = ChoiceField(
        _l("Province"),
        choices=[SelectChoice("", _l("Choose a province"))]
        + [SelectChoice(name, name) for name in PROVINCES],
        validators=[_required(_l("Choose your province."))],
    )
    city = StringField(
        _l("City or regency (kota / kabupaten)"),
        filters=[_stripped],
        validators=[_required(_l("Enter your city or regency.")), max_length(80)],
    )
    district = StringField(
        _l("District (kecamatan)"),
        filters=[_stripped],
        validators=[_required(_l("Enter your district.")), max_length(80)],
    )
    village = StringField(
        _l("Village (kelurahan / desa)"),
        filters=[_stripped],
        validators=[_required(_l("Enter your village.")), max_length(80)],
    )
    postcode = StringField(
        _l("Postcode"),
        filters=[_stripped],
        validators=[
            _required(_l("Enter your postcode.")),
            Regexp(r"^[0-9]{5}$", message=_l("A postcode has 5 digits, for example 55225.")),
        ],
    )
    street = TextAreaField(
        _l("Street, house number, RT/RW"),
        filters=[_stripped],
        validators=[
            _required(_l("Enter your street and house number.")),
            max_length(STREET_LENGTH),
        ],
    )
    address_notes = TextAreaField(
        _l("Notes for the courier (optional)"),
        filters=[_stripped],
        validators=[max_length(NOTES_LENGTH)],
    )

    save_address = BooleanField(_l("Save this address for next time"))
    # Two buttons: only "place" places the order; "update" (or Enter in a field, which
    # presses the first button of the form) recalculates the summary.
    update = SubmitField(_l("Update summary"))
    place = SubmitField(_l("Place order and pay"))


class AddressForm(FlaskForm):
    """A saved address in the address book: the checkout's own fields, checked the same way."""

    contact_name = CheckoutForm.contact_name
    contact_phone = CheckoutForm.contact_phone
    province = CheckoutForm.province
    city = CheckoutForm.city
    district = CheckoutForm.district
    village = CheckoutForm.village
    postcode = CheckoutForm.postcode
    street = CheckoutForm.street
    address_notes = CheckoutForm.address_notes
    is_default = BooleanField(_l("Use this address first at checkout"))


def chosen_methods(
    data: Mapping[str, str], cooperative_ids: Iterable[int]
) -> dict[int, ShippingChoice]:
    """Cooperative id -> the choice posted in its `shipping-<id>` radio group ("pickup",
    "local", "courier-<service id>"); a group left empty or holding an unknown value is left
    out (the page then ticks its default, and placing the order is refused until one is
    chosen)."""
    chosen = {}
    for cooperative_id in cooperative_ids:
        choice = ShippingChoice.parse(data.get(shipping_field(cooperative_id), ""))
        if choice is not None:
            chosen[cooperative_id] = choice
    return chosen


# The names of the hidden fields templates/checkout/checkout.html writes (shop/checkout/shown.py
# says why); tests/checkout/test_shown_amounts.py posts the page's own fields back.


def shown_fee_field(cooperative_id: int, choice: ShippingChoice) -> str:
    """The hidden field beside one shipping option, holding the fee shown next to it ("" when
    none was): sent whichever option is ticked, so a form without JavaScript sends the fee
    shown beside the option the shopper ends up choosing."""
    return f"shown-fee-{cooperative_id}-{choice.value}"


def shown_price_field(variant_id: int) -> str:
    return f"shown-price-{variant_id}"


SHOWN_ITEMS_TOTAL_FIELD = "shown-items-total"
_NOT_SENT = object()


def shown_amounts(
    data: Mapping[str, str], chosen: Mapping[int, ShippingChoice], variant_ids: Iterable[int]
) -> ShownAmounts:
    """The fees and prices the page showed for the choices posted; a field missing or holding
    anything but a whole number of Rupiah is left out (and so not checked)."""
    fees = {}
    for cooperative_id, choice in chosen.items():
        fee = _amount(data.get(shown_fee_field(cooperative_id, choice)), blank=None)
        if fee is not _NOT_SENT:
            fees[cooperative_id] = fee
    prices = {}
    for variant_id in variant_ids:
        price = _amount(data.get(shown_price_field(variant_id)), blank=_NOT_SENT)
        if price is not _NOT_SENT:
            prices[variant_id] = price
    items_total = _amount(data.get(SHOWN_ITEMS_TOTAL_FIELD), blank=_NOT_SENT)
    return ShownAmounts(
        shipping_fees=fees,
        unit_prices=prices,
        items_total=None if items_total is _NOT_SENT else items_total,
    )


def _amount(text: str | None, blank):
    if text is None:
        return _NOT_SENT
    if text == "":
        return blank
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else _NOT_SENT
