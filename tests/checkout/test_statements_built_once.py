"""Placing an order compiles no statement anew once one order has been placed: each is built
once (or has a cache key), so SQLAlchemy reuses its compiled form (shop/checkout/order_rows.py,
the notification's INSERT in shop/notifications/services.py)."""

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine.default import CACHE_MISS, NO_CACHE_KEY

from shop.extensions import db
from tests.checkout.test_checkout_views import a_variant, add, checkout, tani  # noqa: F401
from tests.conftest import is_fixture_bookkeeping


@contextmanager
def compiled_anew():
    """The statements run inside the block that were not taken from the compiled cache."""
    connection, missed = db.engines[None], []

    def record(conn, cursor, statement, parameters, context, executemany):
        is_compiled_anew = getattr(context, "cache_hit", None) in (CACHE_MISS, NO_CACHE_KEY)
        if is_compiled_anew and not is_fixture_bookkeeping(statement):
            missed.append(statement)

    event.listen(connection, "after_cursor_execute", record)
    try:
        yield missed
    finally:
        event.remove(connection, "after_cursor_execute", record)


def test_a_second_order_compiles_no_statement_anew(client, tani):  # noqa: F811
    variant = a_variant(tani)
    add(client, variant)
    assert checkout(client, tani).status_code == 302  # the first: statements compiled
    add(client, variant, 2)

    with compiled_anew() as missed:
        assert checkout(client, tani).status_code == 302

    assert missed == []
