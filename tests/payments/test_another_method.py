"""Paying another way after a failed attempt (issue 13, bug 7), and one open attempt per order
(issue 14, finding 6): against the live simulator through the real midtransclient."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.checkout.models import OrderStatus
from shop.extensions import db
from shop.orders.access import remember_order_access
from shop.payments.attempts import OrderNotPayable, PaymentInProgress, start_payment
from shop.payments.expiry import expire_overdue_orders
from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.payments.services import handle_notification
from shop.timeutil import utcnow
from tests.payments.conftest import FINISH_URL, choose
from tests.payments.test_notifications import body, reload, stocks


@pytest.fixture
def simulated(app, simulator_app, monkeypatch):
    monkeypatch.setitem(
        app.config, "MIDTRANS_SIMULATOR_URL", simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    )


@pytest.fixture
def shopper(english, order):
    """The guest browser that placed the order, reading the site in English."""
    with english.session_transaction() as session:
        remember_order_access(session, order.number)
    return english


def attempts(order) -> list[tuple[int, str, AttemptStatus]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.order_id == order.id).order_by("number")
    )
    return [(row.number, row.midtrans_order_id, row.status) for row in rows]


def fail_first_attempt(gateway, order, outcome: str) -> None:
    """The shopper's first attempt fails at Midtrans, and Midtrans tells us."""
    choose(start_payment(order, gateway, FINISH_URL), "bank_transfer", outcome)
    handle_notification(body(f"{order.number}-1", outcome, order.grand_total), gateway)


@pytest.mark.parametrize(
    ("outcome", "closed_as"), [("deny", AttemptStatus.DENIED), ("expire", AttemptStatus.EXPIRED)]
)
def test_after_a_failed_attempt_paying_again_starts_attempt_two(gateway, order, outcome, closed_as):
    fail_first_attempt(gateway, order, outcome)
    assert reload(order).status == OrderStatus.PENDING  # the hold still runs

    url = start_payment(reload(order), gateway, FINISH_URL)

    assert attempts(order) == [
        (1, f"{order.number}-1", closed_as),
        (2, f"{order.number}-2", AttemptStatus.OPEN),
    ]
    choose(url, "qris", "pay")
    handle_notification(body(f"{order.number}-2", "settlement", order.grand_total), gateway)
    order = reload(order)
    assert (order.status, order.payment_method, stocks(order)) == (OrderStatus.PAID, "qris", [8, 2])
    assert attempts(order)[1][2] == AttemptStatus.PAID


def test_once_the_hold_is_gone_another_method_is_refused(gateway, order, in_english):
    fail_first_attempt(gateway, order, "deny")
    order = reload(order)
    order.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    with pytest.raises(OrderNotPayable, match="time to pay"):
        start_payment(order, gateway, FINISH_URL)
    assert len(attempts(order)) == 1


def test_order_page_offers_another_method_after_a_failed_attempt(
    simulated, gateway, shopper, order
):
    fail_first_attempt(gateway, order, "deny")

    page = shopper.get(f"/pesanan/{order.number}").get_data(as_text=True)

    assert "The payment was refused." in page
    assert "Pay with another method" in page
    assert f'action="/pesanan/{order.number}/bayar"' in page
    response = shopper.post(f"/pesanan/{order.number}/bayar")
    assert response.status_code == 303
    assert "/simulator/midtrans/snap/v3/redirection/" in response.location
    assert [row[0] for row in attempts(order)] == [1, 2]


def test_order_page_does_not_offer_another_method_once_the_hold_is_gone(
    simulated, gateway, shopper, order
):
    fail_first_attempt(gateway, order, "deny")
    order = reload(order)
    order.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    page = shopper.get(f"/pesanan/{order.number}").get_data(as_text=True)
    refused = shopper.post(f"/pesanan/{order.number}/bayar", follow_redirects=True)

    assert "Pay with another method" not in page
    assert f'action="/pesanan/{order.number}/bayar"' not in page
    assert "The time to pay for this order has passed." in refused.get_data(as_text=True)
    assert len(attempts(order)) == 1


def test_a_second_open_attempt_is_refused_by_the_database(gateway, order):
    start_payment(order, gateway, FINISH_URL)

    db.session.add(
        PaymentAttempt(order_id=order.id, number=2, midtrans_order_id=f"{order.number}-2")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PaymentAttempt)) == 1


def test_a_click_while_another_starts_the_attempt_waits_for_its_page(gateway, order, monkeypatch):
    # Another request has written the attempt and is still waiting for Midtrans.
    db.session.add(
        PaymentAttempt(order_id=order.id, number=1, midtrans_order_id=f"{order.number}-1")
    )
    order.payment_attempts = 1
    db.session.commit()
    monkeypatch.setattr("shop.payments.attempts.START_WAIT_SECONDS", 0.3)

    with pytest.raises(PaymentInProgress):
        start_payment(order, gateway, FINISH_URL)
    assert len(attempts(order)) == 1  # no second attempt was started meanwhile


def test_an_abandoned_start_is_closed_and_a_new_attempt_made(gateway, order):
    db.session.add(
        PaymentAttempt(
            order_id=order.id,
            number=1,
            midtrans_order_id=f"{order.number}-1",
            created_at=utcnow() - timedelta(minutes=10),
        )
    )
    order.payment_attempts = 1
    db.session.commit()

    start_payment(order, gateway, FINISH_URL)

    assert [row[2] for row in attempts(order)] == [AttemptStatus.FAILED, AttemptStatus.OPEN]


def test_expiry_closes_an_attempt_no_method_was_chosen_for(gateway, order):
    start_payment(order, gateway, FINISH_URL)  # the page opened, then left
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert expire_overdue_orders(gateway).expired == [order.number]

    assert attempts(order) == [(1, f"{order.number}-1", AttemptStatus.EXPIRED)]
