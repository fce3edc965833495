# ruff: noqa: F811  (the checkout tests' fixtures are imported and used by name)
"""The database connection lost right after the order is committed (issue 13, bug 9): the
shopper lands on their order page, where they can pay, instead of a 500 that invites them
to order a second time."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from shop.extensions import db
from shop.payments.models import AttemptStatus, PaymentAttempt
from tests.checkout.test_checkout_views import (  # noqa: F401  (fixtures)
    a_variant,
    add,
    checkout,
    english,
    order_count,
    stock_of,
    tani,
    the_order,
    unreachable_gateway,
)
from tests.factories import make_user


def touches_order_or_cart(sql: str) -> bool:
    """The checkout's own next statement (emptying the cart, or writing down how the call to
    Midtrans went), not the order mail that the tests' in-process queue sends meanwhile."""
    return any(table in sql for table in (" ORDERS", "CART_LINES", " CARTS", " PAYMENT_ATTEMPTS"))


@contextmanager
def connection_lost_after_the_order_commits():
    """The checkout's first statement after the transaction that inserted the order fails as
    a dropped connection does (psycopg's "server closed the connection unexpectedly")."""
    engine = db.engine
    state = {"order_inserted": False, "committed": False, "failed": False}

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        sql = statement.lstrip().upper()
        if sql.startswith("INSERT INTO ORDERS"):
            state["order_inserted"] = True
        elif state["committed"] and not state["failed"] and touches_order_or_cart(sql):
            state["failed"] = True
            raise OperationalError(statement, parameters, Exception("connection lost"))

    def on_commit(session):
        if state["order_inserted"]:
            state["committed"] = True

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(db.session, "after_commit", on_commit)
    try:
        yield state
    finally:
        event.remove(engine, "before_cursor_execute", before_execute)
        event.remove(db.session, "after_commit", on_commit)


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "signed-in"])
def test_a_connection_lost_after_the_order_lands_on_the_order_page(
    client,
    english,
    login,
    tani,
    signed_in,
):
    if signed_in:
        login(make_user(email="rina@example.test"))
    variant = a_variant(tani, stock=5)
    add(client, variant, 2)

    with connection_lost_after_the_order_commits() as state:
        response = checkout(client, tani)

    assert state["failed"], "the fault was not injected"
    order = the_order()
    assert response.status_code == 302
    assert response.location == f"/pesanan/{order.number}"
    assert order_count() == 1 and stock_of(variant.id) == 3  # placed once, its stock held
    page = client.get(response.location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Your order {order.number} is placed" in html
    assert "You can pay for it on this page." in html


def test_an_attempt_never_sent_for_a_lost_connection_does_not_hold_up_paying(
    client, english, login, tani
):
    """The order and its first attempt are committed together; the connection is lost while
    the signed-in shopper's cart is emptied, before Midtrans is called. That attempt is
    failed at once, so "Pay" starts the next one instead of waiting minutes for it."""
    login(make_user(email="rina@example.test"))
    add(client, a_variant(tani, stock=5), 2)
    with connection_lost_after_the_order_commits() as state:
        response = checkout(client, tani)
    assert state["failed"], "the fault was not injected"
    order = the_order()
    assert attempts(order) == [(1, AttemptStatus.FAILED)]

    client.post(f"/pesanan/{order.number}/bayar")  # Midtrans is down in these tests

    assert attempts(order) == [(1, AttemptStatus.FAILED), (2, AttemptStatus.FAILED)]
    assert response.location == f"/pesanan/{order.number}"


def attempts(order) -> list[tuple[int, AttemptStatus]]:
    rows = db.session.execute(
        select(PaymentAttempt.number, PaymentAttempt.status)
        .where(PaymentAttempt.order_id == order.id)
        .order_by(PaymentAttempt.number)
    )
    return [tuple(row) for row in rows]
