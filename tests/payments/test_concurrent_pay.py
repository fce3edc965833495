"""Forty "Pay" clicks at once on PostgreSQL make one payment attempt (issue 14, finding 6):
every click lands on that attempt's Snap page, none starts a second one.

Real commits on separate connections (`committed_database`), threads released together by a
barrier, each with its own test client (a browser that placed the order), against the live
simulator through the real midtransclient.
"""

import threading

import pytest
from sqlalchemy import func, select

from shop.checkout.services import place_order
from shop.extensions import db
from shop.orders.access import remember_order_access
from shop.payments.models import AttemptStatus, PaymentAttempt
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product

pytestmark = pytest.mark.pg

CLICKS = 40


def test_forty_concurrent_pay_clicks_make_exactly_one_attempt(
    app, simulator_app, committed_database, monkeypatch
):
    monkeypatch.setitem(
        app.config, "MIDTRANS_SIMULATOR_URL", simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    )
    coop = make_coop()
    product = make_product(make_membership(coop=coop), variants=((15000, 10),))
    number = place_order([(product.variants[0].id, 2)], checkout_request(coop), None).order.number
    db.session.remove()

    barrier = threading.Barrier(CLICKS)
    locations: list[tuple[int, str]] = []
    lock = threading.Lock()

    def click() -> None:
        client = app.test_client()
        with client.session_transaction() as session:
            remember_order_access(session, number)
        barrier.wait()
        response = client.post(f"/pesanan/{number}/bayar")
        with lock:
            locations.append((response.status_code, response.location))

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    with committed_database.connect() as connection:
        attempts = connection.execute(
            select(
                PaymentAttempt.midtrans_order_id, PaymentAttempt.status, PaymentAttempt.redirect_url
            )
        ).all()
        count = connection.scalar(select(func.count()).select_from(PaymentAttempt))
    assert count == 1
    assert attempts[0][:2] == (f"{number}-1", AttemptStatus.OPEN)
    assert len(locations) == CLICKS
    assert set(locations) == {(303, attempts[0].redirect_url)}  # each on the one Snap page
