from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from shop.accounts.forms import PASSWORD_RULES
from shop.coops.models import Role
from shop.forms_common import indonesian_phone, percentage

# Banks most members use; "other" keeps everyone else possible.
BANKS = [
    "BCA", "BRI", "BNI", "Mandiri", "BSI", "BTN", "CIMB Niaga", "Danamon", "Permata",
    "Bank Jago", "SeaBank", "BPD", "Lainnya",
]  # fmt: skip


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail of the new member"),
        validators=[
            DataRequired(message=_l("Enter an e-mail address.")),
            Length(max=254),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=[
            (Role.MEMBER.value, _l("Member (sells products)")),
            (Role.ADMIN.value, _l("Admin (runs the cooperative)")),
        ],
        default=Role.MEMBER.value,
    )


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("Full name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)]
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
        _l("Name"), validators=[DataRequired(message=_l("Enter the name.")), Length(max=120)]
    )
    registration_number = StringField(_l("Legal registration number"), validators=[Length(max=80)])
    city = StringField(
        _l("City or regency"),
        validators=[DataRequired(message=_l("Enter the city.")), Length(max=80)],
    )
    province = StringField(
        _l("Province"), validators=[DataRequired(message=_l("Enter the province.")), Length(max=80)]
    )
    address = TextAreaField(_l("Address"), validators=[Length(max=500)])
    phone = StringField(_l("Phone"), validators=[Length(max=25), indonesian_phone])
    whatsapp = StringField(_l("WhatsApp"), validators=[Length(max=25), indonesian_phone])
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)])
    fee_percent = StringField(
        _l("Cooperative fee (%)"),
        validators=[DataRequired(message=_l("Enter the fee.")), Length(max=10), percentage],
    )


class MemberProfileForm(FlaskForm):
    business_name = StringField(_l("Business name (UMKM)"), validators=[Length(max=120)])
    story = TextAreaField(_l("Your story"), validators=[Length(max=4000)])
    whatsapp = StringField(_l("WhatsApp"), validators=[Length(max=25), indonesian_phone])
    bank_name = SelectField(
        _l("Bank"), choices=[("", "—")] + [(bank, bank) for bank in BANKS], validate_choice=True
    )
    bank_account_number = StringField(
        _l("Account number"),
        validators=[
            Optional(),
            Regexp(r"^\d{5,20}$", message=_l("Digits only, 5 to 20 of them.")),
        ],
    )
    bank_account_holder = StringField(_l("Account holder"), validators=[Length(max=120)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        payout = [self.bank_name, self.bank_account_number, self.bank_account_holder]
        if any(field.data for field in payout) and not all(field.data for field in payout):
            for field in payout:
                if not field.data:
                    field.errors.append(_l("Fill in the bank, account number and holder together."))
            return False
        return True
