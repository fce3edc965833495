"""The audit log's filters: a GET form in the query string (it changes nothing)."""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice
from wtforms.validators import Optional, StopValidation, ValidationError

from shop.audit.labels import action_label
from shop.audit.queries import AuditFilters
from shop.forms_common import ChoiceField
from shop.reports.forms import DATE_FORMATS, FIRST_YEAR, LAST_YEAR

FILTER_ARGS = ("person", "action", "date_from", "date_to")


def _a_plausible_day(form, field) -> None:
    if field.process_errors:
        raise StopValidation()  # the field said what is wrong already
    if not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise StopValidation(
            _l("Enter a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )


def _date_field(label) -> DateField:
    return DateField(
        label,
        format=DATE_FORMATS,
        invalid_value_message=_l("Enter a date like 2026-11-30."),
        validators=[Optional(), _a_plausible_day],
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only page; a token would only spoil shareable links

    person = ChoiceField(_l("Person"))
    action = ChoiceField(_l("Kind of change"))
    date_from = _date_field(_l("From"))
    date_to = _date_field(_l("To (included)"))

    def validate_date_to(self, field) -> None:
        start, end = self.date_from.data, field.data
        if start and end and not self.date_from.errors and end < start:
            raise ValidationError(_l("The last day must be on or after the first day."))

    def filters(self) -> AuditFilters:
        """What the valid fields ask for; a field with an error filters nothing."""

        def valid(field):
            return None if field.errors else field.data

        person = valid(self.person)
        return AuditFilters(
            actor_id=int(person) if person else None,
            action=valid(self.action) or "",
            first_day=valid(self.date_from),
            last_day=valid(self.date_to),
        )


def audit_filter_form(
    args: Mapping, people: list[tuple[int, str]], actions: list[str]
) -> AuditFilterForm:
    """The filters in the query string, offering the people and kinds of change in the log."""
    formdata = args if any(name in args for name in FILTER_ARGS) else None
    form = AuditFilterForm(formdata=formdata)
    form.person.choices = [SelectChoice("", _l("Everyone"))] + [
        SelectChoice(str(user_id), name) for user_id, name in people
    ]
    form.action.choices = [SelectChoice("", _l("Every kind"))] + [
        SelectChoice(action, action_label(action)) for action in actions
    ]
    if formdata is not None:
        form.validate()
    return form
