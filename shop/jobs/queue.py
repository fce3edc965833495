"""The one Huey instance every task is registered on, its storage chosen by TASK_QUEUE.

Huey binds tasks to an instance when their modules are imported, so the instance is built
from the environment (the same variables config.py reads) before any app exists:

- ``sqlite`` (the embedded default): a file under instance/, so queued work survives a
  restart; `make run` starts a consumer beside the web server.
- ``redis``: REDIS_URL (Redis 5 or later, for task priorities), shared by
  `huey_consumer` processes on any number of hosts.
- ``immediate``: each task runs in the process that enqueues it, at once (the tests).

`huey_consumer shop.jobs.worker.huey` (or `flask jobs work`) runs the consumer.

Huey is imported, and the instance built, at its first use (an enqueue, the consumer): with
it comes redis-py, whatever the storage, and a web worker that only serves pages does not
need the 7.6 MB they take in every process. The modules declaring tasks are imported then
too (shop/jobs/tasks.py), and every task and signal handler declared is registered on the
instance as it is built.
"""

import os
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from config import INSTANCE_DIR

if TYPE_CHECKING:
    from huey.api import Huey

QUEUE_NAME = "pasar"


def build_huey(kind: str, redis_url: str = "", sqlite_path: str = "") -> "Huey":
    """A Huey for `kind` (sqlite, redis or immediate); results are not kept, since no
    caller waits on a task: what a task achieves is written to the database."""
    from huey import MemoryHuey, PriorityRedisHuey, SqliteHuey

    if kind == "redis":
        if not redis_url:
            raise RuntimeError("TASK_QUEUE=redis needs REDIS_URL")
        # The priority flavour (Redis 5+): mail goes before bulk work (shop.jobs.runner.URGENT);
        # the plain RedisHuey refuses any task with a priority.
        return PriorityRedisHuey(QUEUE_NAME, url=redis_url, results=False)
    if kind == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if kind == "sqlite":
        path = sqlite_path or str(INSTANCE_DIR / "tasks.db")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=path, results=False)
    raise RuntimeError(f"TASK_QUEUE must be sqlite, redis or immediate, not {kind!r}")


def queue_kind_from_environment() -> str:
    default = "redis" if os.environ.get("APP_CONFIG") == "production" else "sqlite"
    return os.environ.get("TASK_QUEUE") or default


class HueyOnFirstUse:
    """Stands for the Huey instance (every attribute is the instance's), which it builds the
    first time one is read or set."""

    def __init__(self, build: Callable[[], "Huey"]):
        object.__setattr__(self, "_build", build)
        object.__setattr__(self, "_huey", None)
        object.__setattr__(self, "_declarations", [])
        object.__setattr__(self, "_lock", threading.RLock())

    def instance(self) -> "Huey":
        if self._huey is None:
            # Outside the lock: each module declares its tasks (declare() takes the lock), and
            # a thread importing one of them holds its import lock while it waits for ours;
            # importing under ours would deadlock the two threads.
            _import_task_modules()
        with self._lock:
            if self._huey is None:
                # Published before the declarations run (one may read the instance back
                # through this stand-in), withdrawn if one fails: a queue missing some of
                # its tasks must not stay in use, silently.
                object.__setattr__(self, "_huey", self._build())
                try:
                    for declaration in self._declarations:
                        declaration(self._huey)
                except BaseException:
                    object.__setattr__(self, "_huey", None)
                    raise
        return self._huey

    def declare(self, declaration: Callable[["Huey"], object]) -> None:
        """Call `declaration(huey)` when the instance is built, or now if it is."""
        with self._lock:
            if self._huey is None:
                self._declarations.append(declaration)
            else:
                declaration(self._huey)

    def __getattr__(self, name: str):
        return getattr(self.instance(), name)

    def __setattr__(self, name: str, value) -> None:
        setattr(self.instance(), name, value)


# The environment is read now, as config.py reads it, whenever the instance is built.
huey = HueyOnFirstUse(
    partial(
        build_huey,
        queue_kind_from_environment(),
        redis_url=os.environ.get("REDIS_URL", ""),
        sqlite_path=os.environ.get("TASK_QUEUE_PATH", ""),
    )
)


def _import_task_modules() -> None:
    """Every module declaring tasks, imported when the queue is built: a consumer must know
    every task's name, and a web worker that queues nothing never imports them (their
    services: 1.6 MB a worker)."""
    from importlib import import_module

    from shop.jobs.tasks import TASK_MODULES

    for module in TASK_MODULES:
        import_module(module)


def init_queue(app) -> None:
    """Run tasks at once when the app says so (tests); the task modules are imported when
    the queue is built (HueyOnFirstUse.instance)."""
    immediate = app.config["TASK_QUEUE"] == "immediate"
    huey.declare(lambda instance: setattr(instance, "immediate", immediate))
