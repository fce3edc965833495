"""Concurrent buyers on PostgreSQL: the conditional decrement never sells a unit twice.

These tests need real commits on separate connections, so they cannot run inside the
rolled-back transaction of the autouse db_session fixture: `committed_database` (in
tests/conftest.py) swaps the app's engine back to a real one and empties the tables after.
"""

import threading

import pytest
from sqlalchemy import func, select

from shop.catalog.models import ProductVariant
from shop.checkout.models import Order, OrderLine
from shop.checkout.services import OutOfStock, place_order
from shop.extensions import db
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product

pytestmark = pytest.mark.pg

BUYERS = 30
UNITS_LEFT = 5


def test_thirty_buyers_for_five_units_make_exactly_five_orders(app, committed_database):
    coop = make_coop()
    product = make_product(make_membership(coop=coop), variants=((15000, UNITS_LEFT),))
    variant_id = product.variants[0].id
    request = checkout_request(coop)
    db.session.remove()

    barrier = threading.Barrier(BUYERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy() -> None:
        with app.app_context():
            barrier.wait()
            try:
                place_order([(variant_id, 1)], request, None)
                outcome = "ordered"
            except OutOfStock:
                outcome = "out of stock"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=buy) for _ in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("ordered") == UNITS_LEFT
    assert outcomes.count("out of stock") == BUYERS - UNITS_LEFT
    with committed_database.connect() as connection:
        stock = connection.scalar(
            select(ProductVariant.stock).where(ProductVariant.id == variant_id)
        )
        orders = connection.scalar(select(func.count()).select_from(Order))
        reserved = connection.scalar(
            select(func.sum(OrderLine.quantity)).where(OrderLine.variant_id == variant_id)
        )
    assert (stock, orders, reserved) == (0, UNITS_LEFT, UNITS_LEFT)
