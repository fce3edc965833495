from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from shop.forms_common import indonesian_phone, max_length

PASSWORD_RULES = [
    DataRequired(message=_l("Enter a password.")),
    Length(min=8, max=128, message=_l("Use between 8 and 128 characters.")),
]


def email_field(strict: bool = True) -> EmailField:
    """Strict for addresses we will write down; loose for sign-in and reset, where an address
    that was once accepted (or a reserved demo domain such as pasar.test) must still work."""
    checks = [DataRequired(message=_l("Enter your e-mail address.")), max_length(254)]
    if strict:
        checks.append(
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)
        )
    else:
        checks.append(Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter a valid e-mail address.")))
    return EmailField(_l("E-mail"), validators=checks)


def confirm_field() -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Enter your name.")), max_length(120)],
    )
    email = email_field()
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    confirm = confirm_field()


class SignInForm(FlaskForm):
    email = email_field(strict=False)
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Enter your password."))]
    )
    remember = BooleanField(_l("Keep me signed in"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = email_field(strict=False)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = confirm_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
    )
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = confirm_field()


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Enter your name.")), max_length(120)],
    )
    phone = StringField(
        _l("WhatsApp number (optional)"), validators=[max_length(25), indonesian_phone]
    )
