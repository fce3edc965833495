"""Notifications that claim only what Midtrans's own answers told us already: stored as
duplicates without asking Midtrans; anything else still asks. The simulator's genuine
notifications go to the test receiver; a gateway that is down tells whether one was asked
(it answers 503 "gateway unavailable" if so)."""

import json

import pytest
from sqlalchemy import select

from config import SIMULATOR_SERVER_KEY
from shop.checkout.models import OrderStatus
from shop.extensions import db
from shop.payments.attempts import refresh_from_gateway, start_payment
from shop.payments.models import NotificationOutcome as Outcome
from shop.payments.models import PaymentNotification
from shop.payments.no_news import INSTRUCTION_COLUMNS, KNOWN_STATE
from shop.payments.services import handle_notification
from shop.payments.signature import notification_signature
from tests.payments.conftest import FINISH_URL, choose
from tests.payments.test_notifications import body, reload, sold_counts


def genuine(receiver, attempt_id: str, count: int) -> list[bytes]:
    """The simulator's notifications about the attempt, as it sent them."""
    bodies = receiver.wait_for(attempt_id, count)
    assert len(bodies) == count
    return [json.dumps(fields).encode() for fields in bodies]


def stored_last() -> PaymentNotification:
    db.session.expire_all()
    return db.session.scalars(
        select(PaymentNotification).order_by(PaymentNotification.id.desc()).limit(1)
    ).one()


def paid_by_the_return_page(gateway, receiver, order) -> list[bytes]:
    """The shopper pays by transfer and comes back before either notification arrives."""
    attempt_id = f"{order.number}-1"
    choose(start_payment(order, gateway, FINISH_URL), "bank_transfer", "pay")
    refresh_from_gateway(order, gateway)
    assert reload(order).status == OrderStatus.PAID
    return genuine(receiver, attempt_id, 2)


def test_notifications_of_a_payment_recorded_are_duplicates_without_asking(
    gateway, down_gateway, receiver, order, count_queries
):
    pending, settlement = paid_by_the_return_page(gateway, receiver, order)

    with count_queries() as statements:
        results = [handle_notification(raw, down_gateway) for raw in (pending, settlement)]

    assert [(r.http_status, r.outcome) for r in results] == [(200, Outcome.DUPLICATE)] * 2
    # Per notification: the order and its attempt read, the row inserted with its outcome.
    assert [s.split()[0] for s in statements] == ["SELECT", "INSERT"] * 2
    row = stored_last()
    assert (row.signature_valid, row.transaction_status, row.outcome) == (
        True, "settlement", Outcome.DUPLICATE,
    )  # fmt: skip
    assert row.raw_body == settlement.decode() and row.detail == "settlement: recorded paid already"
    order = reload(order)
    assert order.status == OrderStatus.PAID and sold_counts(order) == [2, 1]


def test_a_pending_notification_asks_until_its_instructions_are_recorded(
    gateway, down_gateway, receiver, order
):
    attempt_id = f"{order.number}-1"
    choose(start_payment(order, gateway, FINISH_URL), "bank_transfer", "pending")
    (pending,) = genuine(receiver, attempt_id, 1)

    # The attempt is open, but no answer has told us the bank and account yet: news.
    assert handle_notification(pending, down_gateway).outcome == Outcome.GATEWAY_UNAVAILABLE
    assert handle_notification(pending, gateway).outcome == Outcome.APPLIED  # asked, recorded
    again = handle_notification(pending, down_gateway)

    assert (again.http_status, again.outcome) == (200, Outcome.DUPLICATE)
    assert stored_last().detail == "pending: recorded pending already"
    assert reload(order).status == OrderStatus.PENDING


def test_a_notification_of_a_new_state_still_asks_and_applies(gateway, receiver, order):
    attempt_id = f"{order.number}-1"
    choose(start_payment(order, gateway, FINISH_URL), "bank_transfer", "pay")
    pending, settlement = genuine(receiver, attempt_id, 2)

    assert handle_notification(pending, gateway).outcome == Outcome.APPLIED  # asked: settled
    assert handle_notification(settlement, gateway).outcome == Outcome.DUPLICATE
    assert stored_last().detail == "settlement: recorded paid already"
    assert reload(order).status == OrderStatus.PAID and sold_counts(reload(order)) == [2, 1]


def test_a_settlement_claimed_for_a_pending_attempt_asks(gateway, down_gateway, receiver, order):
    attempt_id = f"{order.number}-1"
    choose(start_payment(order, gateway, FINISH_URL), "bank_transfer", "pending")
    (pending,) = genuine(receiver, attempt_id, 1)
    handle_notification(pending, gateway)  # recorded: pending, with its account

    settled = body(attempt_id, "settlement", order.grand_total)
    assert handle_notification(settled, down_gateway).outcome == Outcome.GATEWAY_UNAVAILABLE
    # Midtrans says pending: nothing is paid on a body's word.
    assert handle_notification(settled, gateway).outcome == Outcome.APPLIED
    assert reload(order).status == OrderStatus.PENDING and sold_counts(order) == [0, 0]


@pytest.mark.parametrize(
    ("transaction_status", "status_code", "fraud_status", "gross_offset"),
    [
        ("pending", "202", None, 0),  # a deny or expire's signature, its status changed
        ("settlement", "201", None, 0),  # a pending's signature, its status changed
        ("capture", "200", "challenge", 0),  # a challenge under a paid code
        ("settlement", "200", "deny", 0),
        ("deny", "202", None, 0),  # news after payment: a reversal
        ("refund", "200", None, 0),
        ("settlement", "200", None, 1000),  # another amount, signed
    ],
)
def test_a_body_unlike_what_we_recorded_asks(
    gateway, down_gateway, receiver, order, transaction_status, status_code, fraud_status,
    gross_offset,
):  # fmt: skip
    paid_by_the_return_page(gateway, receiver, order)
    attempt_id = f"{order.number}-1"
    altered = body(
        attempt_id, transaction_status, order.grand_total + gross_offset, status_code, fraud_status
    )

    result = handle_notification(altered, down_gateway)

    assert (result.http_status, result.outcome) == (503, Outcome.GATEWAY_UNAVAILABLE)


def test_a_forged_duplicate_is_refused(gateway, down_gateway, receiver, order):
    paid_by_the_return_page(gateway, receiver, order)
    forged = body(f"{order.number}-1", "settlement", order.grand_total, server_key="not-ours")

    result = handle_notification(forged, down_gateway)

    assert (result.http_status, result.outcome) == (400, Outcome.BAD_SIGNATURE)
    assert stored_last().outcome == Outcome.BAD_SIGNATURE


def test_a_payment_after_the_order_closed_is_never_a_duplicate(gateway, receiver, order):
    """Paid at Midtrans after we closed the order: each settlement is logged as needing a
    refund, never answered as the order's payment recorded."""
    attempt_id = f"{order.number}-1"
    choose(start_payment(order, gateway, FINISH_URL), "bank_transfer", "pay")
    order.status = OrderStatus.EXPIRED
    db.session.commit()
    _pending, settlement = genuine(receiver, attempt_id, 2)

    outcomes = [handle_notification(settlement, gateway).outcome for _ in range(2)]

    assert outcomes == [Outcome.IGNORED, Outcome.IGNORED]


def test_a_signed_amount_that_is_not_whole_rupiah_is_stored_and_goes_the_full_way(
    gateway, down_gateway, receiver, order
):
    """Stored raw before anything acts on it, even when its amount cannot be read."""
    paid_by_the_return_page(gateway, receiver, order)
    order_id, amount = f"{order.number}-1", f"{order.grand_total}.50"
    fields = {
        "transaction_status": "settlement",
        "status_code": "200",
        "order_id": order_id,
        "gross_amount": amount,
        "signature_key": notification_signature(order_id, "200", amount, SIMULATOR_SERVER_KEY),
    }

    result = handle_notification(json.dumps(fields).encode(), down_gateway)

    assert result.outcome != Outcome.DUPLICATE
    row = stored_last()
    assert (row.signature_valid, row.order_id, row.outcome) == (True, order_id, result.outcome)


def test_the_known_states_instruction_columns_are_in_their_order():
    """known_state() names the attempt's columns by INSTRUCTION_COLUMNS' order."""
    selected = KNOWN_STATE.split(" FROM ")[0].split(", a.status,")[1]
    assert tuple(column.strip().removeprefix("a.") for column in selected.split(",")) == (
        INSTRUCTION_COLUMNS
    )
