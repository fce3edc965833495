"""The sales page's question, in the query string: which days, grouped by day, week or month."""

from collections.abc import Mapping
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice
from wtforms.validators import ValidationError

from shop.forms_common import ChoiceField
from shop.reports.forms import PERIOD_ARGS, PeriodForm
from shop.reports.period import today_in_jakarta
from shop.sales.queries import Granularity, bucket_days

DEFAULT_DAYS = 30
# More bars than this make a long page on a phone and bars thinner than a line.
MAX_BARS = 100


class SalesForm(PeriodForm):
    granularity = ChoiceField(
        _l("Group by"),
        choices=[
            SelectChoice(Granularity.DAY.value, _l("Day")),
            SelectChoice(Granularity.WEEK.value, _l("Week")),
            SelectChoice(Granularity.MONTH.value, _l("Month")),
        ],
        default=Granularity.DAY.value,
    )

    def validate_granularity(self, field) -> None:
        if self.date_from.errors or self.date_to.errors or field.errors:
            return  # those fields say what is wrong
        bars = len(bucket_days(self.period(), Granularity(field.data)))
        if bars > MAX_BARS:
            raise ValidationError(
                _l(
                    "That makes %(bars)d bars, more than %(max)d: choose a shorter period, or "
                    "group by week or month.",
                    bars=bars,
                    max=MAX_BARS,
                )
            )

    def chosen_granularity(self) -> Granularity:
        return Granularity(self.granularity.data)


def sales_form(args: Mapping) -> SalesForm:
    """The period and grouping in the query string; the last 30 days in Jakarta by day when
    none is given (a missing grouping is by day)."""
    if any(name in args for name in PERIOD_ARGS):
        return SalesForm(formdata=args)
    today = today_in_jakarta()
    return SalesForm(
        formdata=args, date_from=today - timedelta(days=DEFAULT_DAYS - 1), date_to=today
    )
