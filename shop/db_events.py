"""Database connection settings that the engine URL cannot express."""

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url


def enable_sqlite_foreign_keys(engine: Engine) -> None:
    """SQLite ignores foreign keys unless asked on every connection; we rely on them."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def takes_over_pre_ping(config) -> bool:
    """Whether ping_on_checkout() is to test pooled connections in place of SQLAlchemy's
    pool_pre_ping, which it then turns off in the engine options: for psycopg only."""
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if not options.get("pool_pre_ping") or url.get_driver_name() != "psycopg":
        return False
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "pool_pre_ping": False}
    return True


def ping_on_checkout(engine: Engine) -> None:
    """Test each connection the pool hands out, as pool_pre_ping does, with an empty query
    sent straight through libpq (as psycopg's own pool checks a connection).

    SQLAlchemy's pre-ping runs SELECT 1 through psycopg's cursor machinery and switches the
    connection to autocommit and back: a twentieth of a product page's instructions, for a
    round trip that needs none of it. A connection found dead is replaced by a new one, as
    pre-ping replaces it: a checkout listener raising DisconnectionError asks the pool to."""
    from psycopg import pq

    alive = (pq.ExecStatus.EMPTY_QUERY, pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, connection_record, connection_proxy):
        try:
            status = dbapi_connection.pgconn.exec_(b"").status
        except Exception as error:  # the socket gone: libpq could not even send
            raise exc.DisconnectionError(str(error)) from error
        if status not in alive:
            raise exc.DisconnectionError("the database connection was closed")
