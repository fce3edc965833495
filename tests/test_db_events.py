"""shop/db_events.py: pooled PostgreSQL connections are tested on checkout by a ping of our
own in place of SQLAlchemy's pool_pre_ping, and a dead one is still replaced unseen."""

import pytest

from shop.db_events import ping_on_checkout, takes_over_pre_ping
from shop.extensions import db
from shop.plain_sql import rows
from tests.conftest import engine_of_its_own
from tests.test_plain_sql import terminate_backend


def test_the_ping_replaces_pre_ping_for_psycopg_only():
    postgres = {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/d",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 5},
    }
    assert takes_over_pre_ping(postgres)
    assert postgres["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False, "pool_size": 5}

    sqlite = {
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
    assert not takes_over_pre_ping(sqlite)
    assert sqlite["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


@pytest.mark.pg
def test_a_connection_lost_in_the_pool_is_replaced_before_the_request_sees_it(app):
    with engine_of_its_own(app, pool_size=1, max_overflow=0) as engine:
        ping_on_checkout(engine)
        backend = rows("SELECT pg_backend_pid()", {})[0][0]
        db.session.remove()  # the connection back in the pool, where it dies
        terminate_backend(app, backend)
        assert rows("SELECT pg_backend_pid()", {})[0][0] != backend
