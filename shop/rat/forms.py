"""Recording a RAT, as the admin types it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from shop.forms_common import ChoiceField, max_length, percentage
from shop.money import format_bp_as_percent, parse_percent_to_bp
from shop.rat.labels import PAID_SHU_TO_LABELS, SHU_PART_LABELS
from shop.rat.models import SHU_PARTS, PaidShuTo, RatMeeting
from shop.rat.services import TEXT_MAX, RatRecord
from shop.reports.forms import DATE_FORMATS


def _count(label) -> IntegerField:
    return IntegerField(label, validators=[
        InputRequired(message=_l("Enter a number.")),
        NumberRange(min=0, max=10_000_000, message=_l("Enter a whole number, 0 or more.")),
    ])  # fmt: skip


class RatForm(FlaskForm):
    held_on = DateField(_l("Held on"), format=DATE_FORMATS,
                        validators=[DataRequired(message=_l("Enter the date."))],
                        invalid_value_message=_l("Enter a date like 2026-11-30."))  # fmt: skip
    members_present = _count(_l("Members present"))
    members_total = _count(_l("Members of the cooperative"))
    shu_decision = TextAreaField(_l("The SHU decision"), validators=[max_length(TEXT_MAX)])
    paid_shu_to = ChoiceField(
        _l("Paid SHU goes to"),
        choices=[SelectChoice(value, label) for value, label in PAID_SHU_TO_LABELS.items()],
    )
    notes = TextAreaField(_l("Notes"), validators=[max_length(TEXT_MAX)])

    def to_record(self) -> RatRecord:
        return RatRecord(
            held_on=self.held_on.data,
            members_present=self.members_present.data,
            members_total=self.members_total.data,
            shu_decision=self.shu_decision.data or "",
            paid_shu_to=PaidShuTo(self.paid_shu_to.data),
            parts_bp={part: parse_percent_to_bp(self[part].data) for part in SHU_PARTS},
            notes=self.notes.data or "",
        )

    @property
    def part_fields(self) -> list:
        return [self[part] for part in SHU_PARTS]


# One percentage field per part of the statutes, named as the part ("reserve"...).
for _part in SHU_PARTS:
    setattr(RatForm, _part, StringField(
        SHU_PART_LABELS[_part],
        validators=[InputRequired(message=_l("Enter a percentage.")), max_length(8), percentage],
    ))  # fmt: skip


def rat_form(meeting: RatMeeting | None, members_at_year_end: int) -> RatForm:
    """The form, filled with the recorded RAT when there is one; else with the count of
    members active at the year's end, which the admin may correct."""
    if meeting is None:
        return RatForm(data={"members_total": members_at_year_end})
    data = {
        "held_on": meeting.held_on,
        "members_present": meeting.members_present,
        "members_total": meeting.members_total,
        "shu_decision": meeting.shu_decision,
        "paid_shu_to": meeting.paid_shu_to.value,
        "notes": meeting.notes,
    }
    for part, bp in meeting.parts_bp.items():
        data[part] = format_bp_as_percent(bp)
    return RatForm(data=data)
