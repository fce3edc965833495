"""Enqueue a task only once the transaction that asked for it has committed.

A mail or notification recorded inside a transaction must not go out when that transaction
rolls back, and a consumer must not pick the task up before the rows it reads are visible.
So tasks are held on the session and enqueued by its after_commit event; a rollback drops
them. If the queue cannot be reached at that moment the rows stay pending and the periodic
sweep (shop.jobs.periodic) enqueues them again: nothing is lost.
"""

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from shop.extensions import db

logger = logging.getLogger(__name__)

_KEY = "tasks_after_commit"


def enqueue_after_commit(task, *args) -> None:
    """Call `task(*args)` (which enqueues it) once the current transaction commits."""
    db.session.info.setdefault(_KEY, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _enqueue_held_tasks(session: Session) -> None:
    held = session.info.pop(_KEY, [])
    for task, args in held:
        try:
            task(*args)
        except Exception:  # the queue is down: the sweep will find the pending rows
            logger.exception("could not enqueue %s%r", getattr(task, "name", task), args)


@event.listens_for(Session, "after_soft_rollback")
def _drop_held_tasks(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_KEY, None)
