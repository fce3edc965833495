"""What the queue leaves in the database: progress of long jobs, and jobs that failed."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow

MESSAGE_LENGTH = 300


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED})


class JobProgress(db.Model):
    """A long task's progress, for a page to show as a bar: `done` of `total` steps, a line
    saying what it is doing, and when finished, where its result is."""

    __tablename__ = "job_progress"
    __table_args__ = (CheckConstraint("done >= 0 AND total >= 0", name="counts_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[JobState] = mapped_column(
        Enum(
            JobState, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        default=JobState.QUEUED,
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(MESSAGE_LENGTH), default="")
    result_url: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return self.done * 100 // self.total if self.total else 0


class FailedJob(db.Model):
    """A task that failed after all its retries, for the operator's page."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[str] = mapped_column(Text, default="")  # JSON of the task's args
    error: Mapped[str] = mapped_column(Text, default="")
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The operator dealt with it (retried it, or did by hand what it could not do).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
