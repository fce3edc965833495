"""shop/plain_sql.py runs the storefront's statements on the driver's cursor and still
behaves as SQLAlchemy's execution would: listeners see the statements, driver errors are
SQLAlchemy's, and a lost connection is dropped for a new one."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, create_engine, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from shop.catalog.models import Product
from shop.extensions import db
from shop.plain_sql import driver_rows, execute, rows
from shop.timeutil import as_stored
from tests.conftest import engine_of_its_own
from tests.factories import make_product


def test_rows_are_the_drivers_tuples_with_named_parameters():
    product = make_product(name="Kopi Gayo")
    found = rows(
        "SELECT name, CAST(:number AS INTEGER) + 1 FROM products WHERE id = :id",
        {"id": product.id, "number": 41},
    )
    assert found == [("Kopi Gayo", 42)]


def test_a_percent_sign_and_a_time_in_the_sql_are_left_alone():
    make_product(name="Kopi 100% Arabika")
    found = rows(
        "SELECT name, '10:30' FROM products WHERE name LIKE '%100%%' AND name <> :other",
        {"other": "x"},
    )
    assert found == [("Kopi 100% Arabika", "10:30")]


def test_a_time_written_here_is_found_by_the_orm_at_the_same_time():
    """On SQLite a time is text, compared as text: written as SQLAlchemy writes it, whole
    seconds included (sqlite3's own form leaves out ".000000")."""
    product = make_product(name="Kopi Gayo")
    at = datetime(2026, 12, 5, 7, 30, tzinfo=UTC)

    execute(
        "UPDATE products SET created_at = :at WHERE id = :id",
        {"at": as_stored(at), "id": product.id},
    )

    assert db.session.scalars(select(Product.id).where(Product.created_at == at)).all() == [
        product.id
    ]


def test_listeners_of_the_connection_see_each_statement(count_queries):
    with count_queries() as statements:
        rows("SELECT 1 WHERE 1 = :one", {"one": 1})
        rows("SELECT 2", {})
    assert len(statements) == 2
    assert statements[0].startswith("SELECT 1 WHERE 1 = ")


def test_a_statement_compiled_for_the_dialect_runs_with_its_own_parameters(count_queries):
    """driver_rows takes what SQLAlchemy compiled: %(name)s for psycopg, ? for SQLite."""
    product = make_product(name="Kopi 100% Gayo")
    statement = select(Product.name).where(
        Product.id == bindparam("id"), Product.name.like("%100%")
    )
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    values = {**compiled.params, "id": product.id}
    parameters = (
        tuple(values[name] for name in compiled.positiontup) if compiled.positional else values
    )
    with count_queries() as statements:
        found = driver_rows(connection, str(compiled), parameters)
    assert found == [("Kopi 100% Gayo",)] and len(statements) == 1


def test_a_driver_error_is_sqlalchemys():
    with pytest.raises(DBAPIError) as raised:
        rows("SELECT * FROM no_such_table WHERE id = :id", {"id": 1})
    assert "no_such_table" in str(raised.value)
    assert not raised.value.connection_invalidated
    db.session.rollback()


@pytest.fixture
def own_engine(app):
    """The app's database through an engine of this test alone (one real connection, which
    the test may lose); the test only reads."""
    with engine_of_its_own(app, pool_size=1, max_overflow=0) as engine:
        yield engine


def terminate_backend(app, pid: int) -> None:
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    engine.dispose()


@pytest.mark.pg
def test_a_lost_connection_raises_and_the_next_statement_gets_a_new_one(app, own_engine):
    backend = rows("SELECT pg_backend_pid()", {})[0][0]
    terminate_backend(app, backend)
    with pytest.raises(OperationalError) as raised:
        rows("SELECT 1", {})
    assert raised.value.connection_invalidated
    db.session.rollback()
    assert rows("SELECT pg_backend_pid()", {})[0][0] != backend
