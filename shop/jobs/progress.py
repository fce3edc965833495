"""A long task's progress, written as it goes, for any page to show as a bar.

The page that starts a job redirects to /tugas/<id>, which refreshes itself until the job
is finished (a meta refresh, so it works without JavaScript) and then links to the result.
Each update commits on its own, so readers see it while the task is still running.
"""

from shop.extensions import db
from shop.jobs.models import MESSAGE_LENGTH, JobProgress, JobState
from shop.timeutil import utcnow


def start_job(kind: str, owner_id: int | None, total: int = 0, message: str = "") -> JobProgress:
    """A queued job's record, in the caller's unit of work (flushes)."""
    job = JobProgress(kind=kind, owner_id=owner_id, total=total, message=message[:MESSAGE_LENGTH])
    db.session.add(job)
    db.session.flush()
    return job


def report_progress(job_id: int, done: int, total: int | None = None, message: str = "") -> None:
    _update(job_id, state=JobState.RUNNING, done=done, message=message,
            **({"total": total} if total is not None else {}))  # fmt: skip


def finish_job(job_id: int, message: str = "", result_url: str = "") -> None:
    _update(job_id, state=JobState.DONE, message=message, result_url=result_url)


def fail_job(job_id: int, message: str) -> None:
    _update(job_id, state=JobState.FAILED, message=message)


def _update(job_id: int, message: str, **values) -> None:
    job = db.session.get(JobProgress, job_id)
    if job is None:
        return
    for name, value in values.items():
        setattr(job, name, value)
    job.message, job.updated_at = message[:MESSAGE_LENGTH], utcnow()
    db.session.commit()
