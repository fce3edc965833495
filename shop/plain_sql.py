"""Plain SQL run on the driver's cursor, for the hottest statements: the storefront's (cards,
product page, catalog lists) and the payment's (notifications, return page, the payment).

Those statements are written out once, as text, because building and compiling them with
SQLAlchemy cost more than running them. Run through Connection.exec_driver_sql they still cost
SQLAlchemy's execution context and a result whose metadata is built from the cursor's
description column by column, on every call: a fifth of an uncached product page's CPU for
its two statements of 26 and 11 columns. Here the session's connection (its transaction, as
any other statement of the request) hands the statement to its DBAPI cursor, and the rows
come back as the driver's tuples.

What SQLAlchemy's execution would give, kept:
  - listeners of before_cursor_execute and after_cursor_execute (the tests' statement
    counts, bench/'s recorders) see each statement (with context None, as the event's
    documentation allows);
  - a driver error is raised as SQLAlchemy's DBAPIError subclass (OperationalError, ...),
    and a lost connection is invalidated so the pool does not hand it out again.

Statements take :name parameters (never a :: cast: CAST(x AS type)); on PostgreSQL they
become psycopg's %(name)s once a process.
"""

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, exc

from shop.extensions import db

# A :name parameter, not a ::type cast nor a time such as '10:30'.
_NAMED = re.compile(r"(?<![:\w]):(\w+)")
_for_psycopg: dict[str, str] = {}
T = TypeVar("T")


def rows(sql: str, parameters: Mapping[str, object]) -> list[tuple]:
    """Every row of `sql` (with :name parameters) run in the request's database session."""
    return _run(sql, parameters, lambda cursor: cursor.fetchall())


def execute(sql: str, parameters: Mapping[str, object]) -> int:
    """Run `sql` (an UPDATE or INSERT without RETURNING) in the request's database session;
    the rows it changed."""
    return _run(sql, parameters, lambda cursor: cursor.rowcount)


def locking(sql: str) -> str:
    """`sql` (a SELECT) locking the rows it reads (FOR UPDATE), on a database that has row
    locks: SQLite has none (a writer locks the whole file) and no FOR UPDATE either."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sql
    return sql + " FOR UPDATE"


def _run(sql: str, parameters: Mapping[str, object], result: Callable[[Any], T]) -> T:
    connection = db.session.connection()
    if connection.dialect.paramstyle == "pyformat":
        statement = _for_psycopg.get(sql)
        if statement is None:
            statement = _for_psycopg[sql] = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
    else:  # sqlite3 takes :name as it is
        statement = sql
        parameters = _as_sqlalchemy_stores_on_sqlite(parameters)
    return _on_cursor(connection, statement, parameters, result)


def _as_sqlalchemy_stores_on_sqlite(parameters: Mapping[str, object]) -> Mapping[str, object]:
    """Times as the text SQLAlchemy writes on SQLite (microseconds always), not sqlite3's own
    (which leaves them out when they are 0): SQLite compares the text, so an ORM query for
    the same time would not find a row written here."""
    if not any(isinstance(value, datetime) for value in parameters.values()):
        return parameters
    return {
        name: value.isoformat(" ", timespec="microseconds")
        if isinstance(value, datetime)
        else value
        for name, value in parameters.items()
    }


def driver_rows(connection: Connection, statement: str, parameters) -> list[tuple]:
    """Every row of a statement already written in the driver's own parameter style (one
    that SQLAlchemy compiled for this connection's dialect), with its parameters as the
    driver takes them (a mapping, or a sequence for SQLite's ?)."""
    return _on_cursor(connection, statement, parameters, lambda cursor: cursor.fetchall())


def _on_cursor(connection: Connection, statement: str, parameters, result: Callable[[Any], T]) -> T:
    dispatch = connection.dispatch
    cursor = connection.connection.cursor()
    try:
        for listener in dispatch.before_cursor_execute:
            listener(connection, cursor, statement, parameters, None, False)
        cursor.execute(statement, parameters)
        for listener in dispatch.after_cursor_execute:
            listener(connection, cursor, statement, parameters, None, False)
        return result(cursor)
    except connection.dialect.loaded_dbapi.Error as error:
        is_disconnect = connection.dialect.is_disconnect(error, connection.connection, cursor)
        if is_disconnect:
            connection.invalidate(error)
        raise exc.DBAPIError.instance(
            statement,
            parameters,
            error,
            connection.dialect.loaded_dbapi.Error,
            connection_invalidated=is_disconnect,
            dialect=connection.dialect,
        ) from error
    finally:
        cursor.close()
