"""A database of a test's own, for what must not run inside the session's per-test
transaction: migrations walked down and up, several app instances sharing one database."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from config import TestConfig
from tests.conftest import IS_POSTGRES


@contextmanager
def database_of_its_own(folder: Path, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database of the suite's kind, dropped afterwards: a SQLite
    file in `folder`, or a PostgreSQL database named `prefix_<random>` beside the suite's."""
    if not IS_POSTGRES:
        yield f"sqlite:///{folder / f'{prefix}.db'}"
        return
    url = make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
