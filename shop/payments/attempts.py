"""Paying an order: starting (or resuming) a Midtrans payment attempt, and bringing a pending
order up to date with what Midtrans says.

Every attempt has its own Midtrans order id, "<order number>-<n>" (MIDTRANS.md §2): a
create call that timed out may still have made a transaction at Midtrans, so asking again
under the same id could be refused as a duplicate. While the current attempt is still open
at Midtrans (no method chosen yet, or waiting for a transfer) the shopper goes back to its
page instead of opening a second one, so one order never has two live virtual accounts.

One open attempt per order is the database's rule (a partial unique index on
payment_attempts), and the attempt is written before Midtrans is called, under the order's
row lock: of forty "Pay" clicks at once, one starts the attempt and the others wait a few
seconds for its page and are sent there (issue 14, finding 6). A new order's first attempt
is written by place_order itself, in the order's own transaction (begin_first_attempt).
Once an attempt has failed, expired or been cancelled, "Pay" starts the next one, while the
order still holds its stock.
"""

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from shop.checkout.models import Order, OrderShipment, OrderStatus, payment_id
from shop.errors import ShopError
from shop.extensions import db
from shop.payments.attempt_records import move_attempt, open_at_gateway, open_attempt
from shop.payments.gateway import Customer, Gateway, GatewayError, PaymentItem
from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.payments.services import apply_gateway_status, close_transaction
from shop.timeutil import utcnow

if TYPE_CHECKING:
    from shop.checkout.order_rows import NewLine, NewShipment

logger = logging.getLogger(__name__)

# Midtrans documents 5 minutes as the shortest expiry of a Snap transaction.
MIN_EXPIRY_MINUTES = 5
OPEN_AT_GATEWAY = frozenset({"not_found", "pending"})
# A click that finds another request starting the attempt waits this long for its page: a
# double click should land on the page, not on an error. Longer than a Snap create takes.
START_WAIT_SECONDS = 5.0
POLL_SECONDS = 0.2
# A start still unfinished after this died with its request: its page never reached anyone.
ABANDONED_AFTER = timedelta(minutes=2)


class OrderNotPayable(ShopError):
    pass


class PaymentInProgress(ShopError):
    """Another request is starting this order's payment, or Midtrans holds it for review."""


@dataclass(frozen=True)
class BegunAttempt:
    """An attempt just written, and what the call to Midtrans needs: taken before the
    commit, so that nothing is read back after it."""

    attempt_id: int
    number: int
    order_pk: int
    order_number: str
    payment: dict  # create_payment's arguments, finish_url aside


def start_payment(order: Order, gateway: Gateway, finish_url: str) -> str:
    """The Snap page where the shopper pays this order: the open attempt's page while
    Midtrans still has it open, else a new attempt's.

    Raises OrderNotPayable when the order is no longer pending or its time to pay has
    passed; PaymentInProgress when another request is still starting the attempt (or it
    could not); GatewayError when Midtrans cannot be reached or refuses, and the order then
    stays pending with its stock held, and calling again makes a fresh attempt.
    """
    db.session.refresh(order)
    _check_payable(order)
    # An attempt row is written only with the order's count moved on: none before the first.
    attempt = open_attempt(order.id) if order.payment_attempts else None
    if attempt is not None:
        page = _resume(order, attempt, gateway)
        if page:
            return page
        db.session.refresh(order)  # the attempt closed: paid, or the order may be closed
        _check_payable(order)
    return start_first_payment(order.id, gateway, finish_url)


def start_first_payment(order_pk: int, gateway: Gateway, finish_url: str) -> str:
    """start_payment for an order with no attempt to resume: the order is read only under its
    row lock (one statement fewer), where it is checked payable as start_payment checks it.
    Raises as start_payment does."""
    begun = _begin_attempt(order_pk)
    if begun is None:  # another request began one a moment ago: its page, when ready
        return _wait_for_page(open_attempt(order_pk))
    return _create_at_gateway(begun, gateway, finish_url)


def begin_first_attempt(
    order: Order, lines: Sequence["NewLine"], shipments: Sequence["NewShipment"]
) -> BegunAttempt:
    """Write the first attempt of an order being placed, in the transaction that places it:
    no row lock to take and nothing to read back, as nobody else knows the order yet; the
    Midtrans items come from the lines and shipments just written (write_order's). The order
    must have been written with payment_attempts 1. The caller then commits and calls
    start_begun_payment; if it never does (its request died), the attempt is abandoned
    after ABANDONED_AFTER and "Pay" starts the next one."""
    if order.payment_attempts != 1:
        raise ValueError(f"order {order.number}: written with {order.payment_attempts} attempts")
    midtrans_order_id = payment_id(order.number, 1)
    attempt_id = (
        db.session.connection()
        .execute(
            _INSERT_ATTEMPT,
            {"order_id": order.id, "number": 1, "midtrans_order_id": midtrans_order_id},
        )
        .scalar_one()
    )
    shipping = [(s.cooperative_id, s.cooperative_name, s.fee) for s in shipments]
    items = _items(lines, shipping)
    payment = _payment_request(order, items, midtrans_order_id)
    return BegunAttempt(attempt_id, 1, order.id, order.number, payment)


# Built once: its compiled form and cache key are reused (rows written as order_rows does).
_INSERT_ATTEMPT = insert(PaymentAttempt.__table__).returning(PaymentAttempt.__table__.c.id)


def start_begun_payment(begun: BegunAttempt, gateway: Gateway, finish_url: str) -> str:
    """The Snap page of an attempt begun (and committed) by begin_first_attempt. Raises
    GatewayError when Midtrans cannot be reached or refuses: the attempt is then failed, and
    the order stays pending with its stock held, payable by start_payment."""
    return _create_at_gateway(begun, gateway, finish_url)


def fail_unsent_attempt(begun: BegunAttempt) -> None:
    """An attempt begun but never sent to Midtrans (its request lost the database after the
    commit, before the call): failed now, so that "Pay" starts the next one at once rather
    than waiting ABANDONED_AFTER for it. Only for an attempt known unsent: one that may have
    reached Midtrans must be left to that rule."""
    try:
        move_attempt(begun.attempt_id, AttemptStatus.FAILED)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.warning("order %s: attempt %d never sent, failed", begun.order_number, begun.number)


def _resume(order: Order, attempt: PaymentAttempt, gateway: Gateway) -> str | None:
    """The open attempt's page if Midtrans still has it open; None once it has closed."""
    if attempt.status == AttemptStatus.STARTING:
        if attempt.created_at > utcnow() - ABANDONED_AFTER:
            return _wait_for_page(attempt)
        move_attempt(attempt.id, AttemptStatus.FAILED)
        db.session.commit()
        logger.warning("order %s: abandoned start of %s", order.number, attempt.midtrans_order_id)
        return None
    page, midtrans_order_id = attempt.redirect_url, attempt.midtrans_order_id
    close_transaction()
    status = gateway.status(midtrans_order_id)
    if status.transaction_status in OPEN_AT_GATEWAY:
        return page
    apply_gateway_status(order, status)  # paid or closed meanwhile: say so
    if open_attempt(order.id) is not None:  # a card held for review, or an amount mismatch
        raise PaymentInProgress(
            _("Your payment is still being checked. This page will show the result soon.")
        )
    return None


def _wait_for_page(attempt: PaymentAttempt | None) -> str:
    """The page of an attempt another request is starting, once it has one."""
    deadline = time.monotonic() + START_WAIT_SECONDS
    while attempt is not None:
        close_transaction()  # each look is a fresh transaction: it sees the other's commit
        db.session.refresh(attempt)
        if attempt.status == AttemptStatus.OPEN and attempt.redirect_url:
            return attempt.redirect_url
        if attempt.status != AttemptStatus.STARTING or time.monotonic() > deadline:
            break
        time.sleep(POLL_SECONDS)
    raise PaymentInProgress(
        _("Your payment is being prepared. Please wait a moment and press Pay again.")
    )


def _begin_attempt(order_pk: int) -> BegunAttempt | None:
    """Write the next attempt, under the order's row lock; None when another request has
    just written one (the lock serialises this on PostgreSQL, the unique index anywhere)."""
    try:
        locked = (
            db.session.scalars(
                select(Order)
                .where(Order.id == order_pk)
                .with_for_update(of=Order)  # the order's row only, not its lines' or shipments'
                .options(  # for payment_items, in the same statement: a few lines and shipments
                    joinedload(Order.lines),
                    joinedload(Order.shipments).joinedload(OrderShipment.cooperative),
                )
                .execution_options(populate_existing=True)
            )
            .unique()
            .first()
        )
        _check_payable(locked)
        if locked.payment_attempts and open_attempt(order_pk) is not None:
            db.session.rollback()
            return None
        number = locked.payment_attempts + 1
        attempt = PaymentAttempt(
            order_id=order_pk, number=number, midtrans_order_id=payment_id(locked.number, number)
        )
        locked.payment_attempts = number
        db.session.add(attempt)
        db.session.flush()
        payment = _payment_request(locked, payment_items(locked), attempt.midtrans_order_id)
        begun = BegunAttempt(attempt.id, number, order_pk, locked.number, payment)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    except Exception:
        db.session.rollback()
        raise
    return begun


def _payment_request(order: Order, items: list[PaymentItem], midtrans_order_id: str) -> dict:
    return {
        "order_id": midtrans_order_id,
        "gross_amount": order.grand_total,
        "items": items,
        "customer": Customer(
            first_name=order.contact_name, email=order.contact_email, phone=order.contact_phone
        ),
        "expiry_minutes": _minutes_left(order),
    }


def _create_at_gateway(begun: BegunAttempt, gateway: Gateway, finish_url: str) -> str:
    close_transaction()
    try:
        start = gateway.create_payment(**begun.payment, finish_url=finish_url)
    except GatewayError:
        move_attempt(begun.attempt_id, AttemptStatus.FAILED)
        db.session.commit()
        raise
    open_at_gateway(begun.attempt_id, start.redirect_url)
    db.session.commit()
    logger.info("order %s: payment attempt %d started", begun.order_number, begun.number)
    return start.redirect_url


def payment_items(order: Order) -> list[PaymentItem]:
    """The order as Midtrans items: its lines, and each cooperative's shipping as one more
    item, so that they add up to the gross amount exactly (MIDTRANS.md §2)."""
    shipping = [(s.cooperative_id, s.cooperative.name, s.fee) for s in order.shipments]
    return _items(order.lines, shipping)


def _items(lines: Sequence, shipping: Sequence[tuple[int, str, int]]) -> list[PaymentItem]:
    """payment_items of lines (OrderLine or NewLine) and (cooperative id, name, fee)."""
    items = [
        PaymentItem(f"V{line.variant_id}", line.name, line.unit_price, line.quantity)
        for line in lines
    ]
    for cooperative_id, cooperative_name, fee in shipping:
        if fee:
            name = _("Shipping: %(cooperative)s", cooperative=cooperative_name)
            items.append(PaymentItem(f"SHIP-{cooperative_id}", name, fee, 1))
    return items


def refresh_from_gateway(order: Order, gateway: Gateway) -> None:
    """Bring a pending order up to date with its current attempt at Midtrans, for the pages
    a shopper lands on after paying, before the notification may have arrived. An
    unreachable gateway is only logged: the page then shows what we know."""
    if order.status != OrderStatus.PENDING or not order.payment_attempts:
        return
    current_payment_id = order.current_payment_id
    close_transaction()
    try:
        status = gateway.status(current_payment_id)
    except GatewayError as error:
        logger.warning("order %s: status refresh failed: %s", order.number, error)
        return
    if status.is_found:
        apply_gateway_status(order, status)
        db.session.refresh(order)


def _check_payable(order: Order) -> None:
    if order.status != OrderStatus.PENDING:
        if order.status == OrderStatus.PAID or order.paid_at:
            raise OrderNotPayable(_("This order is already paid."))
        raise OrderNotPayable(_("This order is closed and can no longer be paid."))
    if utcnow() >= order.expires_at:
        raise OrderNotPayable(_("The time to pay for this order has passed."))


def _minutes_left(order: Order) -> int:
    seconds = (order.expires_at - utcnow()).total_seconds()
    return max(MIN_EXPIRY_MINUTES, math.ceil(seconds / 60))
