from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Regexp

from shop.forms_common import ChoiceField, max_length
from shop.supervision.models import ReportPeriod

PERIOD_LABELS = {
    ReportPeriod.Q1: _l("First quarter (January–March)"),
    ReportPeriod.Q2: _l("Second quarter (April–June)"),
    ReportPeriod.Q3: _l("Third quarter (July–September)"),
    ReportPeriod.Q4: _l("Fourth quarter (October–December)"),
    ReportPeriod.H1: _l("First half (January–June)"),
    ReportPeriod.H2: _l("Second half (July–December)"),
    ReportPeriod.YEAR: _l("The whole year"),
}


class SupervisionReportForm(FlaskForm):
    year = StringField(
        _l("Financial year"),
        validators=[
            DataRequired(message=_l("Enter the year.")),
            # [0-9], not \d, and a string field: WTForms' own integer message is untranslated.
            Regexp(r"^[0-9]{4}$", message=_l("Enter a year of four digits, for example 2026.")),
        ],
    )
    period = ChoiceField(
        _l("Period"),
        choices=[SelectChoice(period.value, label) for period, label in PERIOD_LABELS.items()],
        default=ReportPeriod.YEAR.value,
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(message=_l("Enter a title.")), max_length(200)]
    )
    body = TextAreaField(_l("What was examined, and how"), validators=[max_length(20000)])
    findings = TextAreaField(_l("Findings"), validators=[max_length(20000)])
    recommendation = TextAreaField(_l("Recommendations"), validators=[max_length(20000)])
