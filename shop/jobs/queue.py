"""The one Huey instance every task is registered on, its storage chosen by TASK_QUEUE.

Huey binds tasks to an instance when their modules are imported, so the instance is built
from the environment (the same variables config.py reads) before any app exists:

- ``sqlite`` (the embedded default): a file under instance/, so queued work survives a
  restart; `make run` starts a consumer beside the web server.
- ``redis``: REDIS_URL (Redis 5 or later, for task priorities), shared by
  `huey_consumer` processes on any number of hosts.
- ``immediate``: each task runs in the process that enqueues it, at once (the tests).

`huey_consumer shop.jobs.worker.huey` (or `flask jobs work`) runs the consumer.
"""

import os

from huey import MemoryHuey, PriorityRedisHuey, SqliteHuey
from huey.api import Huey

from config import INSTANCE_DIR

QUEUE_NAME = "pasar"


def build_huey(kind: str, redis_url: str = "", sqlite_path: str = "") -> Huey:
    """A Huey for `kind` (sqlite, redis or immediate); results are not kept, since no
    caller waits on a task: what a task achieves is written to the database."""
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


huey = build_huey(
    queue_kind_from_environment(),
    redis_url=os.environ.get("REDIS_URL", ""),
    sqlite_path=os.environ.get("TASK_QUEUE_PATH", ""),
)


def init_queue(app) -> None:
    """Register every task module, and run tasks at once when the app says so (tests)."""
    from importlib import import_module

    from shop.jobs.tasks import TASK_MODULES

    for module in TASK_MODULES:
        import_module(module)
    huey.immediate = app.config["TASK_QUEUE"] == "immediate"
