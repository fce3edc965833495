"""The member's payout request and the admin's three decisions on a payout."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired

from shop.forms_common import max_length
from shop.money import parse_rupiah
from shop.payouts.services import REASON_MAX, REFERENCE_MAX


def rupiah_above_zero(form, field) -> None:
    amount = parse_rupiah(field.data or "")
    if amount is None:
        raise ValidationError(_l("Enter an amount in Rupiah, for example 50.000."))
    if amount <= 0:
        raise ValidationError(_l("Enter an amount above Rp 0."))


class PayoutRequestForm(FlaskForm):
    amount = StringField(
        _l("Amount (Rp)"),
        validators=[
            DataRequired(message=_l("Enter the amount you want paid out.")),
            max_length(30),
            rupiah_above_zero,
        ],
    )

    deduct_wajib = BooleanField(_l("Also pay my simpanan wajib from my balance with it"))

    def rupiah(self) -> int:
        """The amount typed, once the form is valid."""
        return parse_rupiah(self.amount.data)


class ApproveForm(FlaskForm):
    """A button: approving needs no other input."""


class ResendForm(FlaskForm):
    """A button: sending an approved payout through Midtrans Iris again needs no input."""


class PayForm(FlaskForm):
    transfer_reference = StringField(
        _l("Transfer reference"),
        validators=[
            DataRequired(message=_l("Enter the reference the bank gave the transfer.")),
            max_length(REFERENCE_MAX),
        ],
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for rejecting"),
        validators=[
            DataRequired(message=_l("Say why: the member reads it.")),
            max_length(REASON_MAX),
        ],
    )


# What the admin's page posts as "action", and the form that carries it. Each payout's forms
# are prefixed "<action>-<payout id>", so fields and their ids stay unique on the page.
DECISION_FORMS: dict[str, type[FlaskForm]] = {
    "approve": ApproveForm,
    "pay": PayForm,
    "reject": RejectForm,
    "resend": ResendForm,
}


def decision_form(action: str, payout_id: int, posted: bool = False) -> FlaskForm:
    """The form for one decision on one payout: read from the request when `posted`."""
    form_class = DECISION_FORMS[action]
    prefix = f"{action}-{payout_id}"
    return form_class(prefix=prefix) if posted else form_class(formdata=None, prefix=prefix)


MAX_BATCH = 200  # payouts in one batch: what one admin can check on one page


def payout_ids(form, field) -> None:
    if not field.data:
        raise ValidationError(_l("Choose at least one payout for the batch."))
    if len(field.data) > MAX_BATCH:
        raise ValidationError(_l("Choose at most %(count)d payouts.", count=MAX_BATCH))
    if not all(value.isascii() and value.isdigit() and len(value) < 12 for value in field.data):
        raise ValidationError(_l("Choose the payouts from the list."))


class PrepareBatchForm(FlaskForm):
    """The waiting payouts' checkboxes; the service refuses any that cannot be batched."""

    payouts = SelectMultipleField(validate_choice=False, validators=[payout_ids])

    def ids(self) -> list[int]:
        return [int(value) for value in self.payouts.data]


class RemoveFromBatchForm(FlaskForm):
    """The preparer's "take it out" button; the payout's id comes with it."""

    payout = StringField(validators=[DataRequired()])

    def payout_id(self) -> int:
        value = self.payout.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0
