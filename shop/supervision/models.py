"""The pengawas's supervision report (laporan pengawasan): written in the app by the
cooperative's supervisory board, editable until it is submitted, then kept with the RAT of
its year for the admins and the pengawas to read."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow


class ReportStatus(StrEnum):
    DRAFT = "draft"  # the pengawas is still writing it
    SUBMITTED = "submitted"  # handed to the pengurus and the RAT: never changed again


ALLOWED_MOVES = {ReportStatus.DRAFT: {ReportStatus.SUBMITTED}, ReportStatus.SUBMITTED: set()}


class ReportPeriod(StrEnum):
    """The part of the year a report covers; the RAT reads the year's reports together."""

    Q1 = "q1"
    Q2 = "q2"
    Q3 = "q3"
    Q4 = "q4"
    H1 = "h1"
    H2 = "h2"
    YEAR = "year"


def _string_enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e])


class SupervisionReport(db.Model):
    __tablename__ = "supervision_reports"
    __table_args__ = (
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        Index("ix_supervision_reports_coop_year", "cooperative_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    year: Mapped[int]  # the financial year, whose RAT the report goes to
    period: Mapped[ReportPeriod] = mapped_column(_string_enum(ReportPeriod))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # what was examined and how
    findings: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReportStatus] = mapped_column(
        _string_enum(ReportStatus), default=ReportStatus.DRAFT
    )
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    written_by: Mapped[User] = relationship(foreign_keys=[written_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    def can_move_to(self, target: ReportStatus) -> bool:
        return target in ALLOWED_MOVES[self.status]
