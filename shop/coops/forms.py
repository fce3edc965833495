from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, EqualTo, Optional, Regexp

from shop.accounts.forms import PASSWORD_RULES
from shop.checkout.regions import PROVINCES, province_named
from shop.coops.models import Position, Role
from shop.forms_common import ChoiceField, indonesian_phone, max_length, percentage
from shop.money import parse_rupiah

# Banks most members use; "other" keeps everyone else possible (stored as "Lainnya").
BANKS = [
    "BCA", "BRI", "BNI", "Mandiri", "BSI", "BTN", "CIMB Niaga", "Danamon", "Permata",
    "Bank Jago", "SeaBank", "BPD",
]  # fmt: skip
OTHER_BANK = "Lainnya"


class ProvinceField(ChoiceField):
    """One of Indonesia's 38 provinces, from a list: the courier zones "same province" and
    "same island group" only match a province spelled as regions.PROVINCES spells it.

    A profile saved before the list, as typed, is shown chosen when it names a province
    in any case or spacing; one that names none is kept in `unrecognised` (the page says so)
    and the list starts at "Choose a province"."""

    def __init__(self, label=None, validators=None, **kwargs):
        choices = [SelectChoice("", _l("Choose a province")), *map(SelectChoice, PROVINCES)]
        super().__init__(label, validators, choices=choices, **kwargs)
        self.unrecognised = ""

    def process_data(self, value) -> None:
        known = province_named(value or "")
        self.unrecognised = "" if known or not value else value
        super().process_data(known or "")

    def pre_validate(self, form) -> None:
        if not self.data:
            raise ValidationError(_l("Choose the province."))
        if self.data not in PROVINCES:
            raise ValidationError(_l("Choose one of Indonesia's 38 provinces from the list."))


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail of the new member"),
        validators=[
            DataRequired(message=_l("Enter an e-mail address.")),
            max_length(254),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )
    role = ChoiceField(
        _l("Role"),
        choices=[
            SelectChoice(Role.MEMBER.value, _l("Member (sells products)")),
            SelectChoice(Role.ADMIN.value, _l("Admin (runs the cooperative)")),
            SelectChoice(Role.PENGAWAS.value, _l("Pengawas (supervisory board: reads the books)")),
        ],
        default=Role.MEMBER.value,
    )


ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.ADMIN: _l("Admin"),
    Role.PENGAWAS: _l("Pengawas (supervisory board)"),
}
POSITION_LABELS = {
    Position.KETUA: _l("Ketua (chair)"),
    Position.SEKRETARIS: _l("Sekretaris (secretary)"),
    Position.BENDAHARA: _l("Bendahara (treasurer)"),
}
NO_POSITION = ""


class RoleForm(FlaskForm):
    """The admin's choice of a member's role and, for an admin, their seat on the board."""

    role = ChoiceField(
        _l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    )
    position = ChoiceField(
        _l("Seat on the board (admins only)"),
        choices=[SelectChoice(NO_POSITION, _l("None"))]
        + [SelectChoice(position.value, label) for position, label in POSITION_LABELS.items()],
        default=NO_POSITION,
    )

    def chosen_position(self) -> Position | None:
        return Position(self.position.data) if self.position.data else None


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("Full name"), validators=[DataRequired(message=_l("Enter your name.")), max_length(120)]
    )
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """A button with a CSRF token, for actions that need no other input."""


class CoopProfileForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter the name.")), max_length(120)]
    )
    registration_number = StringField(_l("Legal registration number"), validators=[max_length(80)])
    city = StringField(
        _l("City or regency"),
        validators=[DataRequired(message=_l("Enter the city.")), max_length(80)],
    )
    province = ProvinceField(_l("Province"))
    address = TextAreaField(_l("Address"), validators=[max_length(500)])
    phone = StringField(_l("Phone"), validators=[max_length(25), indonesian_phone])
    whatsapp = StringField(_l("WhatsApp"), validators=[max_length(25), indonesian_phone])
    description = TextAreaField(_l("Description"), validators=[max_length(4000)])
    pickup_address = TextAreaField(_l("Pickup address"), validators=[max_length(500)])
    opening_hours = StringField(_l("Opening hours for pickup"), validators=[max_length(200)])
    fee_percent = StringField(
        _l("Cooperative fee (%)"),
        validators=[DataRequired(message=_l("Enter the fee.")), max_length(10), percentage],
    )
    hold_days = StringField(
        _l("Days after delivery before members can withdraw"),
        validators=[
            DataRequired(message=_l("Enter a number of days.")),
            # [0-9], not \d, and a string field: WTForms' own integer message is untranslated.
            Regexp(r"^[0-9]{1,2}$", message=_l("Enter a number of days from 0 to 60.")),
        ],
    )

    def validate_hold_days(self, field) -> None:
        if field.data.isascii() and field.data.isdigit() and int(field.data) > 60:
            raise ValidationError(_l("Enter a number of days from 0 to 60."))

    min_payout = StringField(
        _l("Minimum payout"),
        validators=[DataRequired(message=_l("Enter the minimum payout.")), max_length(20)],
    )

    def validate_min_payout(self, field) -> None:
        # Defined after rupiah_amount below, so checked here rather than by reference.
        rupiah_amount(self, field)

    reviews_new_products = BooleanField(_l("Members' new products wait for an admin's approval"))
    reviews_edits = BooleanField(
        _l("Members' changes to products on sale wait for an admin's approval")
    )
    payouts_need_two_admins = BooleanField(
        _l("Payouts need two admins: one prepares a batch, another approves it")
    )


class MemberProfileForm(FlaskForm):
    business_name = StringField(_l("Business name (UMKM)"), validators=[max_length(120)])
    story = TextAreaField(_l("Your story"), validators=[max_length(4000)])
    whatsapp = StringField(_l("WhatsApp"), validators=[max_length(25), indonesian_phone])
    bank_name = ChoiceField(
        _l("Bank"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(bank) for bank in BANKS]
        + [SelectChoice(OTHER_BANK, _l("Other bank"))],
        validate_choice=True,
    )
    bank_account_number = StringField(
        _l("Account number"),
        validators=[
            Optional(),
            # [0-9], not \d: \d also matches Arabic-Indic and other digits no bank takes.
            Regexp(r"^[0-9]{5,20}$", message=_l("Digits only, 5 to 20 of them.")),
        ],
    )
    bank_account_holder = StringField(_l("Account holder"), validators=[max_length(120)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        payout = [self.bank_name, self.bank_account_number, self.bank_account_holder]
        # Blank counts as empty: the view strips what is saved, so "   " would save as "".
        missing = [field for field in payout if not (field.data or "").strip()]
        if missing and len(missing) < len(payout):
            for field in missing:
                field.errors.append(_l("Fill in the bank, account number and holder together."))
            return False
        return True


def rupiah_amount(form, field) -> None:
    """Optional amount of Rupiah as people type it ("15000", "15.000", "Rp 15.000")."""
    if (field.data or "").strip() and parse_rupiah(field.data) is None:
        raise ValidationError(_l("Enter an amount in Rupiah, for example 15.000."))
