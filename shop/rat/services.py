"""Recording a cooperative's RAT for a financial year, and reading it back."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.coops.locks import lock_cooperative
from shop.coops.models import Cooperative
from shop.errors import ShopError
from shop.extensions import db
from shop.money import format_bp_as_percent
from shop.rat.models import FIRST_YEAR, FULL_BP, LAST_YEAR, SHU_PARTS, PaidShuTo, RatMeeting
from shop.reports.period import Period, today_in_jakarta

TEXT_MAX = 4000


class RatError(ShopError):
    pass


@dataclass(frozen=True)
class RatRecord:
    """A RAT as the admin typed it; parts_bp in the order of SHU_PARTS."""

    held_on: date
    members_present: int
    members_total: int
    shu_decision: str
    paid_shu_to: PaidShuTo
    parts_bp: dict[str, int]
    notes: str


def is_financial_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def financial_year(year: int) -> Period:
    """1 January to 31 December, in Jakarta time (Period's days are Jakarta's)."""
    return Period(date(year, 1, 1), date(year, 12, 31))


def meeting_of(coop: Cooperative, year: int) -> RatMeeting | None:
    return db.session.scalar(
        select(RatMeeting).where(
            RatMeeting.cooperative_id == coop.id, RatMeeting.financial_year == year
        )
    )


def years_of(coop: Cooperative) -> list[tuple[int, RatMeeting | None]]:
    """Every financial year of the cooperative, newest first, from the year it joined the
    platform (or of an earlier RAT recorded) to this one, each with its RAT if recorded."""
    meetings = {
        meeting.financial_year: meeting
        for meeting in db.session.scalars(
            select(RatMeeting).where(RatMeeting.cooperative_id == coop.id)
        )
    }
    this_year = today_in_jakarta().year
    first = min([coop.created_at.year, *meetings])
    return [(year, meetings.get(year)) for year in range(this_year, first - 1, -1)]


def record_rat(coop: Cooperative, year: int, record: RatRecord, actor: User) -> RatMeeting:
    """Record (or correct) the RAT that closed financial year `year`: held after the year
    ended and not in the future, attendance within the members, the percentages summing to
    100 %. One row per cooperative and year; an audit row with before and after. Raises
    RatError, naming the field, for what the admin must fix."""
    _check(year, record)
    lock_cooperative(coop.id)
    meeting = meeting_of(coop, year)
    before = _as_dict(meeting) if meeting else None
    if meeting is None:
        meeting = RatMeeting(cooperative_id=coop.id, financial_year=year)
        db.session.add(meeting)
    meeting.held_on = record.held_on
    meeting.members_present, meeting.members_total = record.members_present, record.members_total
    meeting.shu_decision = record.shu_decision.strip()
    meeting.paid_shu_to = record.paid_shu_to
    for part in SHU_PARTS:
        setattr(meeting, f"{part}_bp", record.parts_bp[part])
    meeting.notes = record.notes.strip()
    meeting.recorded_by_id = actor.id
    db.session.flush()
    record_audit(actor, coop, "rat.recorded", meeting,
                 {"year": year, "before": before, "after": _as_dict(meeting)})  # fmt: skip
    db.session.commit()
    return meeting


def _check(year: int, record: RatRecord) -> None:
    if not is_financial_year(year):
        raise RatError(_("There is no such financial year."), field="held_on")
    if record.held_on <= date(year, 12, 31):
        raise RatError(
            _("The RAT for %(year)d is held after the year ends, in %(next)d or later.",
              year=year, next=year + 1),
            field="held_on",
        )  # fmt: skip
    if record.held_on > today_in_jakarta():
        raise RatError(_("Record a RAT once it has been held."), field="held_on")
    if record.members_total < 1:
        raise RatError(_("Enter how many members the cooperative had."), field="members_total")
    if not 0 <= record.members_present <= record.members_total:
        raise RatError(
            _("Members present cannot be more than the cooperative's members."),
            field="members_present",
        )
    if set(record.parts_bp) != set(SHU_PARTS) or any(v < 0 for v in record.parts_bp.values()):
        raise RatError(_("Enter every percentage."), field="reserve")
    if sum(record.parts_bp.values()) != FULL_BP:
        raise RatError(
            _("The percentages add up to %(sum)s %%; they must add up to 100 %%.",
              sum=format_bp_as_percent(sum(record.parts_bp.values()))),
            field="reserve",
        )  # fmt: skip
    if len(record.shu_decision) > TEXT_MAX or len(record.notes) > TEXT_MAX:
        raise RatError(_("Use at most %(max)d characters.", max=TEXT_MAX), field="notes")


def _as_dict(meeting: RatMeeting) -> dict:
    skip = {"id", "cooperative_id", "recorded_by_id", "recorded_at", "updated_at"}
    values = {}
    for column in RatMeeting.__table__.columns:
        if column.name in skip:
            continue
        value = getattr(meeting, column.name)
        values[column.name] = value.isoformat() if isinstance(value, date) else (
            str(value) if isinstance(value, PaidShuTo) else value
        )  # fmt: skip
    return values
