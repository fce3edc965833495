"""The period of a report: two dates in the query string (a GET form: it changes nothing)."""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import StopValidation, ValidationError

from shop.reports.period import Period, month_of, today_in_jakarta

# What a date input sends, then what people type where the browser has no date picker.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
FIRST_YEAR, LAST_YEAR = 2000, 2100  # outside: a typo (and year 1 cannot become UTC)
PERIOD_ARGS = ("date_from", "date_to")


def _a_day(form, field) -> None:
    if field.process_errors:
        raise StopValidation()  # the field said what is wrong already
    if field.data is None:
        raise StopValidation(_l("Enter a date."))
    if not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise StopValidation(
            _l("Enter a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )


def _date_field(label) -> DateField:
    return DateField(
        label,
        format=DATE_FORMATS,
        invalid_value_message=_l("Enter a date like 2026-11-30."),
        validators=[_a_day],
    )


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # read-only pages; a token would only spoil shareable links

    date_from = _date_field(_l("From"))
    date_to = _date_field(_l("To (included)"))

    def validate_date_to(self, field) -> None:
        start, end = self.date_from.data, field.data
        if start and end and not field.errors and end < start:
            raise ValidationError(_l("The last day must be on or after the first day."))

    def period(self) -> Period:
        return Period(self.date_from.data, self.date_to.data)


def period_form(args: Mapping) -> PeriodForm:
    """The period in the query string; this month in Jakarta when none is given."""
    if any(name in args for name in PERIOD_ARGS):
        return PeriodForm(formdata=args)
    month = month_of(today_in_jakarta())
    return PeriodForm(formdata=None, date_from=month.first_day, date_to=month.last_day)
