"""The simpanan settings, a deposit and a sukarela withdrawal, as an admin types them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Optional

from shop.forms_common import ChoiceField, max_length
from shop.money import parse_rupiah
from shop.payouts.forms import rupiah_above_zero
from shop.reports.forms import DATE_FORMATS
from shop.savings.models import PaymentMethod, SavingsKind
from shop.savings.services import REFERENCE_MAX


def rupiah_or_zero(form, field) -> None:
    if parse_rupiah(field.data or "") is None:
        raise ValidationError(_l("Enter an amount in Rupiah, for example 50.000."))


def _date(label, validators) -> DateField:
    return DateField(label, format=DATE_FORMATS, validators=validators,
                     invalid_value_message=_l("Enter a date like 2026-11-30."))  # fmt: skip


KIND_LABELS = {
    SavingsKind.POKOK: _l("Simpanan pokok"),
    SavingsKind.WAJIB: _l("Simpanan wajib"),
    SavingsKind.SUKARELA: _l("Simpanan sukarela"),
}
METHOD_LABELS = {PaymentMethod.CASH: _l("Cash"), PaymentMethod.TRANSFER: _l("Bank transfer")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SavingsSettingsForm(FlaskForm):
    pokok_amount = StringField(
        _l("Simpanan pokok (Rp, once)"),
        validators=[InputRequired(), max_length(30), rupiah_or_zero],
    )
    wajib_amount = StringField(
        _l("Simpanan wajib (Rp, every month)"),
        validators=[InputRequired(), max_length(30), rupiah_or_zero],
    )
    wajib_starts_on = _date(_l("Simpanan wajib owed from"), [Optional()])  # fmt: skip


class SavingsMovementForm(FlaskForm):
    member = ChoiceField(_l("Member"), coerce=int)
    kind = ChoiceField(_l("Simpanan"), choices=_choices(KIND_LABELS))
    amount = StringField(
        _l("Amount (Rp)"),
        validators=[DataRequired(message=_l("Enter the amount.")), max_length(30),
                    rupiah_above_zero],
    )  # fmt: skip
    method = ChoiceField(_l("Paid by"), choices=_choices(METHOD_LABELS))
    reference = StringField(_l("Reference (a transfer's, or a receipt number)"),
                            validators=[max_length(REFERENCE_MAX)])  # fmt: skip
    paid_on = _date(_l("Date"), [DataRequired(message=_l("Enter the date."))])

    def __init__(self, members, **kwargs):
        super().__init__(**kwargs)
        self.member.choices = [
            SelectChoice(m.id, f"{m.member_number} · {m.display_name}") for m in members
        ]


class WithdrawalForm(SavingsMovementForm):
    kind = ChoiceField(
        _l("Simpanan"), choices=_choices({SavingsKind.SUKARELA: KIND_LABELS[SavingsKind.SUKARELA]})
    )
