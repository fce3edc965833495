"""How a task runs: in its own application context and unit of work, with retries.

Tasks take ids and plain values, never ORM objects. Each run pushes a fresh app context (so
a fresh database session, even when the queue runs the task inside the request that
enqueued it) and a request context on SITE_URL (so url_for() builds the public links a mail
needs). A task must be idempotent: the queue may run it twice.
"""

import functools
import logging
from collections.abc import Callable

from flask import Flask, current_app, has_app_context

from shop.extensions import db
from shop.jobs.queue import huey

logger = logging.getLogger(__name__)

_consumer_app: Flask | None = None


def use_app(app: Flask) -> None:
    """The app a consumer process runs its tasks in."""
    global _consumer_app
    _consumer_app = app


def task_app() -> Flask:
    """The app enqueuing the task when it runs at once (immediate mode), else the consumer's."""
    global _consumer_app
    if has_app_context():
        return current_app._get_current_object()
    if _consumer_app is None:
        # `huey_consumer shop.jobs.worker.huey` imports the tasks before any app exists.
        from shop import create_app

        _consumer_app = create_app()
    return _consumer_app


def run_in_app(func: Callable) -> Callable:
    @functools.wraps(func)
    def run(*args, **kwargs):
        app = task_app()
        with app.app_context(), app.test_request_context(base_url=app.config["SITE_URL"]):
            try:
                return func(*args, **kwargs)
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    return run


# Mail someone is waiting for goes before bulk work (photo renditions, imports).
URGENT = 10


def task(
    retries: int = 5, retry_delay: int = 30, retry_backoff: float = 2.0, priority: int = 0
) -> Callable:
    """A queued task: retried `retries` times on any exception, the first retry after
    `retry_delay` seconds and each next one `retry_backoff` times later (30 s, 1, 2, 4 and
    8 minutes by default: long enough for an SMTP server or the gateway to come back).
    A higher `priority` is taken from the queue first (URGENT for mail)."""

    def decorator(func: Callable):
        return TaskOnFirstUse(
            lambda instance: instance.task(
                retries=retries,
                retry_delay=retry_delay,
                retry_backoff=retry_backoff,
                priority=priority,
            )(run_in_app(func))
        )

    return decorator


def crontab(**fields: str) -> dict[str, str]:
    """A schedule for periodic_task: Huey's crontab() fields (minute, hour, day, ...)."""
    return fields


def periodic_task(schedule: dict[str, str], retries: int = 2, retry_delay: int = 60) -> Callable:
    """A task the consumer runs on a crontab schedule (it replaces the crontab)."""

    def decorator(func: Callable):
        def register(instance):
            from huey import crontab as huey_crontab

            return instance.periodic_task(
                huey_crontab(**schedule), retries=retries, retry_delay=retry_delay
            )(run_in_app(func))

        return TaskOnFirstUse(register)

    return decorator


class TaskOnFirstUse:
    """Stands for a Huey task (calling it enqueues it; every attribute is the task's) until
    the queue is built (shop.jobs.queue), which registers the task under its usual name."""

    def __init__(self, register: Callable):
        self._task = None
        huey.declare(self._registered_by(register))

    def _registered_by(self, register: Callable) -> Callable:
        def declaration(instance) -> None:
            self._task = register(instance)

        return declaration

    def __call__(self, *args, **kwargs):
        return self._wrapped()(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._wrapped(), name)

    def _wrapped(self):
        huey.instance()  # builds the queue, which registers the task
        return self._task
