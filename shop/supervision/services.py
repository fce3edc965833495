"""The pengawas's supervision reports: write a draft, edit it, submit it (after which nobody
changes it). Each change is audited; admins and the pengawas read them by year, and the RAT
pages list the year's reports through supervision_reports_of()."""

import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.coops.models import Cooperative, Membership
from shop.errors import InvalidTransition, ShopError
from shop.extensions import db
from shop.ids import is_row_id
from shop.notifications import events
from shop.supervision.models import ALLOWED_MOVES, ReportPeriod, ReportStatus, SupervisionReport
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the table's check constraint


@dataclass(frozen=True)
class ReportText:
    year: int
    period: ReportPeriod
    title: str
    body: str
    findings: str
    recommendation: str


def supervision_reports_of(coop: Cooperative, year: int | None = None) -> list[SupervisionReport]:
    """The cooperative's supervision reports, of one financial year when given (what its RAT
    receives), newest period first; drafts included, each says its status."""
    query = select(SupervisionReport).where(SupervisionReport.cooperative_id == coop.id)
    if year is not None:
        query = query.where(SupervisionReport.year == year)
    return list(
        db.session.scalars(
            query.order_by(SupervisionReport.year.desc(), SupervisionReport.id.desc())
        )
    )


def report_in(coop: Cooperative, report_id: int) -> SupervisionReport | None:
    """A report of this cooperative; None for another cooperative's or none."""
    if not is_row_id(report_id):
        return None
    report = db.session.get(SupervisionReport, report_id)
    return report if report is not None and report.cooperative_id == coop.id else None


def write_report(author: Membership, text: ReportText) -> SupervisionReport:
    """A new draft by a pengawas of the cooperative. Raises ShopError for a year out of
    range or a missing title."""
    _check(text)
    report = SupervisionReport(
        cooperative_id=author.cooperative_id, written_by_id=author.user_id, **text.__dict__
    )
    try:
        db.session.add(report)
        db.session.flush()
        record_audit(author.user, author.cooperative, "supervision.written", report,
                     {"year": text.year, "period": text.period.value})  # fmt: skip
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("supervision report %s written by user %s", report.id, author.user_id)
    return report


def edit_report(report: SupervisionReport, text: ReportText, actor: User) -> None:
    """Change a draft. Raises InvalidTransition once it is submitted (also when submitted
    meanwhile), ShopError for bad input."""
    _check(text)
    try:
        # Conditional, so an edit racing the submission cannot change what was submitted.
        edited = db.session.execute(
            update(SupervisionReport)
            .where(
                SupervisionReport.id == report.id, SupervisionReport.status == ReportStatus.DRAFT
            )
            .values(**text.__dict__, updated_at=utcnow())
        ).rowcount
        if edited != 1:
            raise InvalidTransition(_("This report is submitted: it can no longer be changed."))
        changed = [name for name, value in text.__dict__.items() if getattr(report, name) != value]
        record_audit(actor, report_coop(report), "supervision.edited", report, {"fields": changed})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(report)


def submit_report(report: SupervisionReport, actor: User) -> None:
    """Hand the report to the pengurus and the RAT: from now on nobody changes it. Raises
    InvalidTransition when it was submitted already."""
    sources = [
        status for status, targets in ALLOWED_MOVES.items() if ReportStatus.SUBMITTED in targets
    ]
    try:
        submitted = db.session.execute(
            update(SupervisionReport)
            .where(SupervisionReport.id == report.id, SupervisionReport.status.in_(sources))
            .values(status=ReportStatus.SUBMITTED, submitted_at=utcnow(), submitted_by_id=actor.id)
        ).rowcount
        if submitted != 1:
            raise InvalidTransition(_("This report is submitted already."))
        record_audit(actor, report_coop(report), "supervision.submitted", report,
                     {"year": report.year, "period": report.period.value})  # fmt: skip
        events.supervision_report_submitted(report, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(report)
    logger.info("supervision report %s submitted by user %s", report.id, actor.id)


def report_coop(report: SupervisionReport) -> Cooperative:
    return db.session.get(Cooperative, report.cooperative_id)


def _check(text: ReportText) -> None:
    if not FIRST_YEAR <= text.year <= LAST_YEAR:
        raise ShopError(
            _("Enter a year from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
            field="year",
        )
    if not text.title.strip():
        raise ShopError(_("Enter a title."), field="title")
