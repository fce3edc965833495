"""Time in one convention: aware UTC in Python, naive UTC in the database."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_stored(value: datetime | None) -> datetime | None:
    """An aware time as a UTCDateTime column keeps it (naive UTC): for plain SQL
    (shop/plain_sql.py), which does not go through the column's type."""
    return UTCDateTime().process_bind_param(value, None)


def from_stored(value: datetime | str | None) -> datetime | None:
    """A UTCDateTime column's value read by plain SQL, as the column's type gives it back
    (SQLite's driver hands back the text SQLAlchemy stored)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC and gives back aware UTC.

    SQLite has no time zones and drops them silently; storing UTC everywhere and attaching
    the zone on the way out keeps comparisons with utcnow() correct on both databases.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use shop.timeutil.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
