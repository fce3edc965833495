"""A task that fails after all its retries is written down where the operator sees it.

Huey signals every error; only the last one (no retries left) is recorded, as a FailedJob
row, and each operator is notified. The operator's jobs page lists them; from there a job
can be queued again or marked as dealt with by hand.
"""

import json
import logging

from sqlalchemy import select

from shop.extensions import db
from shop.jobs.models import FailedJob
from shop.jobs.queue import huey
from shop.jobs.runner import run_in_app
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

ERROR_LENGTH = 2000


def _on_task_error(signal, task, exc=None) -> None:
    if task.retries:  # it will be tried again
        return
    try:
        name = huey._registry.task_to_string(type(task))
        record_failed_job(name, task.id, list(task.args), f"{type(exc).__name__}: {exc}")
    except Exception:  # the database is what failed: the log is all that is left
        logger.exception("could not record the failure of %s %s", task.name, task.id)


def _listen_for_errors(instance) -> None:
    from huey.signals import SIGNAL_ERROR

    instance.signal(SIGNAL_ERROR)(_on_task_error)


huey.declare(_listen_for_errors)


@run_in_app
def record_failed_job(task_name: str, task_id: str, args: list, error: str) -> None:
    from shop.notifications import events

    job = FailedJob(
        task_name=task_name,
        task_id=task_id,
        arguments=json.dumps(args, default=str),
        error=error[:ERROR_LENGTH],
    )
    db.session.add(job)
    db.session.flush()
    short_name = task_name.rsplit(".", 1)[-1]
    events.operators_told("job_failed", str(job.id), {"task": short_name, "error": error[:300]})
    db.session.commit()
    logger.error("task %s %s failed after its retries: %s", task_name, task_id, error)


def unresolved_failures(limit: int = 100) -> list[FailedJob]:
    return list(
        db.session.scalars(
            select(FailedJob)
            .where(FailedJob.resolved_at.is_(None))
            .order_by(FailedJob.id.desc())
            .limit(limit)
        )
    )


def retry_failed_job(job: FailedJob, actor_id: int) -> bool:
    """Queue the task again with its arguments, and mark the failure dealt with. Returns
    False when the task no longer exists (renamed in an upgrade)."""
    from huey.exceptions import HueyException

    try:
        task = huey._registry.string_to_task(job.task_name)
    except HueyException:
        return False
    args = tuple(json.loads(job.arguments or "[]"))
    resolve_failed_job(job, actor_id)  # commits: the task runs outside this transaction
    huey.enqueue(task(args=args))
    return True


def resolve_failed_job(job: FailedJob, actor_id: int) -> None:
    """The operator did by hand what the job could not do."""
    if job.resolved_at is None:
        job.resolved_at, job.resolved_by_id = utcnow(), actor_id
    db.session.commit()
