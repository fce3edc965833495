"""The admin's forms on parts of orders: the next shipping step, a refund of lines (through
Midtrans, or recorded after a bank transfer), and marking several parts packed at once."""

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.validators import AnyOf, DataRequired

from shop.checkout.models import ShipmentStatus
from shop.errors import ShopError
from shop.forms_common import max_length
from shop.fulfilment.queries import PARTS_PER_PAGE

TRACKING_NUMBER_LENGTH = 60  # OrderShipment.tracking_number
REASON_LENGTH = 200
BANK_REFERENCE_LENGTH = 80  # Refund.bank_reference
MANUAL_PREFIX = "manual"  # the refund-by-transfer form's fields, beside the refund form's
MAX_TYPED_QUANTITY = 6  # digits
ALLOCATION_PREFIX = "allocate-"
MAX_PARTS_AT_ONCE = PARTS_PER_PAGE  # the checkboxes of one page of the list


class MoveForm(FlaskForm):
    """One step forward for a part of an order (the page shows only the next one)."""

    to = HiddenField(
        validators=[
            AnyOf(
                [ShipmentStatus.PACKED, ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED],
                message=_l("Choose one of the steps shown on the page."),
            )
        ]
    )
    tracking_number = StringField(
        _l("Tracking number"), validators=[max_length(TRACKING_NUMBER_LENGTH)]
    )


def whole_quantity(form, field) -> None:
    text = (field.data or "").strip()
    if text and not (text.isascii() and text.isdigit()):
        raise ValidationError(_l("Enter a whole number of units, for example 1."))


class RefundForm(FlaskForm):
    """The reason, and one quantity field per line of the part: quantity_0, quantity_1...
    in the order of the part's lines (lines never change after checkout)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say why these items are refunded.")),
            max_length(REASON_LENGTH),
        ],
    )

    def quantities(self, line_ids: Sequence[int]) -> dict[int, int]:
        """Order line id -> units to refund (blank counts as 0)."""
        return {
            line_id: int((self[f"quantity_{index}"].data or "0").strip() or 0)
            for index, line_id in enumerate(line_ids)
        }

    def show_error(self, error: ShopError, line_ids: Sequence[int]) -> None:
        """Beside the quantity or field it is about, else at the top of the form."""
        line_id = getattr(error, "line_id", None)
        if line_id in line_ids:
            self[f"quantity_{list(line_ids).index(line_id)}"].errors.append(error.message)
        elif error.field and error.field in self:
            self[error.field].errors.append(error.message)
        else:
            self.form_errors.append(error.message)


class ManualRefundForm(RefundForm):
    """A refund the admin made by bank transfer: the refund form's fields, the transfer's
    reference and a note."""

    bank_reference = StringField(
        _l("Bank transfer reference"),
        validators=[
            DataRequired(message=_l("Enter the reference of the bank transfer you made.")),
            max_length(BANK_REFERENCE_LENGTH),
        ],
    )
    note = TextAreaField(_l("Note (optional)"), validators=[max_length(REASON_LENGTH)])


class AllocationForm(RefundForm):
    """Which items a refund made at Midtrans was for; the reason is optional (it was given
    at Midtrans)."""

    reason = TextAreaField(_l("Note (optional)"), validators=[max_length(REASON_LENGTH)])


def allocation_form(line_names: Sequence[str], **options) -> AllocationForm:
    """The same for allocating a refund made at Midtrans; fields prefixed "allocate-"."""
    return _with_quantities(AllocationForm, line_names)(prefix=ALLOCATION_PREFIX, **options)


def refund_form(line_names: Sequence[str], **options) -> RefundForm:
    """A RefundForm with a quantity field for each line, labelled with its name; options go
    to the form (formdata=None: not bound to this request's POST, which was another form)."""
    return _with_quantities(RefundForm, line_names)(**options)


def manual_refund_form(line_names: Sequence[str], **options) -> ManualRefundForm:
    """The same for a refund by bank transfer; its fields are prefixed "manual-", so both
    forms can sit on one page."""
    return _with_quantities(ManualRefundForm, line_names)(prefix=MANUAL_PREFIX, **options)


def _with_quantities(base: type[RefundForm], line_names: Sequence[str]) -> type[RefundForm]:
    fields = {
        f"quantity_{index}": StringField(
            _l("Units of %(item)s to refund", item=name),
            validators=[max_length(MAX_TYPED_QUANTITY), whole_quantity],
            default="0",
        )
        for index, name in enumerate(line_names)
    }
    return type(f"Part{base.__name__}", (base,), fields)


def some_parts(form, field) -> None:
    if not field.data:
        raise ValidationError(_l("Choose the orders to mark packed."))
    if len(field.data) > MAX_PARTS_AT_ONCE:
        raise ValidationError(
            _l("Choose at most %(count)d orders at once.", count=MAX_PARTS_AT_ONCE)
        )


class PackPartsForm(FlaskForm):
    """The orders list's checkboxes: the numbers of the orders whose part is packed. Any
    number is accepted here; the service refuses, one by one, those that cannot move."""

    orders = SelectMultipleField(validate_choice=False, validators=[some_parts])
