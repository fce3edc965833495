"""A report's period: whole days in Jakarta time, turned into UTC instants for the queries.

The admin types the first and the last day (both included, as people say "1 to 30
November"); the queries take [starts_at, ends_at), ends_at being midnight after the last day.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# DESIGN.md: dates are shown and typed in Asia/Jakarta (WIB, no daylight saving).
JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # included

    @property
    def starts_at(self) -> datetime:
        return _midnight_utc(self.first_day)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period (exclusive end)."""
        return _midnight_utc(self.last_day + timedelta(days=1))

    @property
    def slug(self) -> str:
        """For file names: "2026-11-01_2026-11-30"."""
        return f"{self.first_day.isoformat()}_{self.last_day.isoformat()}"


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=JAKARTA).astimezone(UTC)


def today_in_jakarta() -> date:
    return datetime.now(JAKARTA).date()


def month_of(day: date) -> Period:
    """The calendar month that contains day."""
    first = day.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return Period(first, next_month - timedelta(days=1))


def in_jakarta(moment: datetime) -> datetime:
    return moment.astimezone(JAKARTA)
