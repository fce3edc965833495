"""The operator's form to onboard a cooperative: what a cooperative needs to open, no more."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email

from shop.coops.forms import ProvinceField
from shop.coops.services import CoopDetails
from shop.forms_common import max_length


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _text(label, missing, limit: int) -> StringField:
    return StringField(
        label,
        filters=[_stripped],
        validators=[DataRequired(message=missing), max_length(limit)],
    )


class OnboardCoopForm(FlaskForm):
    name = _text(_l("Name of the cooperative"), _l("Enter the name."), 120)
    registration_number = _text(
        _l("Legal registration number"), _l("Enter the legal registration number."), 80
    )
    city = _text(_l("City or regency"), _l("Enter the city."), 80)
    province = ProvinceField(_l("Province"))
    admin_email = EmailField(
        _l("E-mail of the first admin"),
        filters=[_stripped],
        validators=[
            DataRequired(message=_l("Enter an e-mail address.")),
            max_length(254),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )

    def details(self) -> CoopDetails:
        return CoopDetails(
            name=self.name.data,
            registration_number=self.registration_number.data,
            city=self.city.data,
            province=self.province.data,
        )
