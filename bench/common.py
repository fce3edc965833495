"""What the benchmark scripts share: finding the repository, building the app for a given
database, and counting the SQL a request runs.

The scripts run as `python bench/<script>.py` from the repository root, so this module puts
the root on sys.path before anything imports `shop` or `config`.
"""

import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
# Git ignores bench/results/: generated databases, logs and raw outputs go there.
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = REPO_ROOT / ".venv" / "bin"

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

DEFAULT_SQLITE_URL = f"sqlite:///{RESULTS_DIR / 'pasar_10k.db'}"


def resolve_database_url(given: str | None) -> str:
    """--database-url, else DATABASE_URL, else the app's own default (the instance/ SQLite)."""
    if given:
        return absolute_sqlite_path(given)
    if os.environ.get("DATABASE_URL"):
        return absolute_sqlite_path(os.environ["DATABASE_URL"])
    from config import Config

    return Config.SQLALCHEMY_DATABASE_URI


def absolute_sqlite_path(url: str) -> str:
    """sqlite:///bench/x.db relative to where the command runs: Flask-SQLAlchemy would put a
    relative path under instance/, and gunicorn workers may run from another directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url[len(prefix) :].startswith("/"):
        return prefix + str(Path(url[len(prefix) :]).resolve())
    return url


def make_app(database_url: str, **overrides) -> Flask:
    """The real app (embedded-default settings) pointed at `database_url`.

    Passed as an override rather than through the environment because config.py reads
    DATABASE_URL when it is first imported.
    """
    from config import Config
    from config import database_url as normalise_url
    from shop import create_app

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    return create_app(Config, SQLALCHEMY_DATABASE_URI=normalise_url(database_url), **overrides)


def describe_url(url: str) -> str:
    """The database URL without a password, for printed reports."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@dataclass
class CapturedStatement:
    sql: str
    parameters: object
    seconds: float


@dataclass
class SqlRecorder:
    """Every statement run on an engine while recording, with how long the driver took."""

    statements: list[CapturedStatement] = field(default_factory=list)
    _started: dict[int, float] = field(default_factory=dict)
    clock: Callable[[], float] = time.perf_counter  # time.process_time: CPU only

    def before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = self.clock()

    def after(self, conn, cursor, statement, parameters, context, executemany):
        started = self._started.pop(id(cursor), self.clock())
        self.statements.append(CapturedStatement(statement, parameters, self.clock() - started))

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def seconds(self) -> float:
        return sum(statement.seconds for statement in self.statements)

    def clear(self) -> None:
        self.statements.clear()


@contextmanager
def recording_sql(
    engine: Engine, clock: Callable[[], float] = time.perf_counter
) -> Iterator[SqlRecorder]:
    recorder = SqlRecorder(clock=clock)
    event.listen(engine, "before_cursor_execute", recorder.before)
    event.listen(engine, "after_cursor_execute", recorder.after)
    try:
        yield recorder
    finally:
        event.remove(engine, "before_cursor_execute", recorder.before)
        event.remove(engine, "after_cursor_execute", recorder.after)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction 0.95 for p95) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def versions() -> dict[str, str]:
    """Versions worth printing next to a result."""
    from importlib.metadata import version

    found = {"python": sys.version.split()[0]}
    for package in ("flask", "sqlalchemy", "jinja2", "gunicorn", "psycopg"):
        try:
            found[package] = version(package)
        except Exception:  # not installed: say so rather than fail a benchmark
            found[package] = "-"
    return found


def code_state() -> dict[str, str]:
    """Which code a figure was measured on: the commit, and a hash of the working tree's app
    files (several engineers change them while benchmarks run)."""
    import hashlib
    import subprocess

    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    digest = hashlib.sha256()
    files = [REPO_ROOT / "config.py", *sorted((REPO_ROOT / "shop").rglob("*"))]
    for path in files:
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js"):
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return {"git_head": head or "-", "app_files_sha256": digest.hexdigest()[:12]}
