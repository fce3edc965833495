"""Receiving Midtrans notifications and applying them to orders.

The body is stored first and committed on its own. Its signature is then checked, but its
transaction_status is never trusted (it is not signed, MIDTRANS.md §4): we ask the gateway
for the status and act on that answer; only a body that claims what an earlier answer told
us already is stored as a duplicate without asking (shop/payments/no_news.py). Order states
only move forward, so duplicates and out-of-order deliveries (settlement before pending, a
late expire after paid) change nothing already final. The HTTP status we answer drives
Midtrans's retries: 2xx none, 400/404 two, 503 four.
"""

import logging
import re
from dataclasses import dataclass
from functools import cache

from flask import current_app
from sqlalchemy import Select, bindparam, inspect, select

from shop.checkout.models import Order, OrderStatus
from shop.checkout.services import release_stock
from shop.extensions import db
from shop.payments.attempt_records import record_gateway_answer
from shop.payments.gateway import Gateway, GatewayError, TransactionStatus
from shop.payments.models import NotificationOutcome
from shop.payments.no_news import PAID_OR_LATER, KnownState, known_state, no_news
from shop.payments.notification_rows import (
    StoredNotification,
    finish,
    record_outcome,
    store_notification,
)
from shop.payments.paying import amount_mismatch, answer_detail, apply_paid
from shop.payments.refunds_at_gateway import REFUNDED_STATES, record_refunds_made_at_gateway
from shop.payments.signature import signature_ok
from shop.raw_bodies import json_object
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

Outcome = NotificationOutcome

# A fresh Midtrans order_id per payment attempt is "<order number>-<n>" (MIDTRANS.md §2); an
# order number ("PK-20261123-7QK2MZ") has exactly two dashes, so the suffix is unambiguous.
ATTEMPT_ORDER_ID = re.compile(r"^(PK-\d{8}-[0-9A-Z]{6})-\d{1,4}$")

# Statuses that close an unpaid order and give its stock back.
RELEASING = {
    "deny": OrderStatus.DENIED,
    "failure": OrderStatus.DENIED,
    "cancel": OrderStatus.CANCELLED,
    "expire": OrderStatus.EXPIRED,
}
HOLDING = frozenset({"pending", "capture"})  # capture here: not paid, so fraud challenge


@dataclass(frozen=True)
class NotificationResult:
    http_status: int
    outcome: NotificationOutcome


HTTP_STATUS = {
    Outcome.APPLIED: 200,
    Outcome.DUPLICATE: 200,
    Outcome.IGNORED: 200,
    Outcome.BAD_SIGNATURE: 400,
    Outcome.MALFORMED: 400,
    Outcome.AMOUNT_MISMATCH: 400,
    Outcome.UNKNOWN_ORDER: 404,
    Outcome.GATEWAY_UNAVAILABLE: 503,
}


def handle_notification(raw_body: bytes, gateway: Gateway) -> NotificationResult:
    """Store a Midtrans notification, verify it, ask the gateway, and apply its answer.

    A validly signed one that claims only what we have recorded from Midtrans already is
    stored as a duplicate, without asking (shop/payments/no_news.py). Returns the HTTP status
    to answer and the outcome also stored on the notification row. Bad input never raises;
    a bug does, after rolling back everything but the stored row.
    """
    fields = json_object(raw_body)
    signature_valid = fields is not None and signature_ok(
        fields, current_app.config["MIDTRANS_SERVER_KEY"]
    )
    known = _known_state(fields["order_id"]) if signature_valid else None  # signed: a str
    if known is not None and (detail := no_news(fields, known)):
        store_notification(raw_body, fields, signature_valid, Outcome.DUPLICATE, detail)
        db.session.commit()
        return NotificationResult(HTTP_STATUS[Outcome.DUPLICATE], Outcome.DUPLICATE)
    notification = store_notification(raw_body, fields, signature_valid)
    db.session.commit()  # on record before anything acts on it
    try:
        outcome = _handle(notification, known, fields, gateway)
    except Exception:
        db.session.rollback()
        raise
    return NotificationResult(HTTP_STATUS[outcome], outcome)


def _handle(
    notification: StoredNotification,
    known: KnownState | None,
    fields: dict | None,
    gateway: Gateway,
) -> NotificationOutcome:
    said = f"notification {notification.id} ({notification.order_id!r})"
    if fields is None:
        logger.warning("%s: body is not a JSON object", said)
        return finish(notification, Outcome.MALFORMED, "body is not a JSON object")
    if not notification.signature_valid:
        logger.warning("%s: bad signature", said)
        return finish(notification, Outcome.BAD_SIGNATURE, "signature_key does not match")
    order_id = fields["order_id"]  # a valid signature means it is a string
    if known is None:
        logger.warning("%s: no such order", said)
        return finish(notification, Outcome.UNKNOWN_ORDER, "no order with this number")
    close_transaction()  # nothing open since the store's commit: kept as the rule before a call
    try:
        status = gateway.status(order_id)
    except GatewayError as error:
        logger.warning("%s: gateway status failed: %s", said, error.midtrans_message)
        return finish(notification, Outcome.GATEWAY_UNAVAILABLE, error.midtrans_message)
    if not status.is_found:
        logger.warning("%s: the gateway does not know this transaction", said)
        return finish(notification, Outcome.UNKNOWN_ORDER, "gateway: transaction not found")
    return _apply_to_order(known.order_pk, status, notification)


def close_transaction() -> None:
    """End the (read-only by now) transaction before waiting on Midtrans: a call may take
    seconds, and an idle transaction would hold a pooled connection, and any row lock,
    all that time."""
    db.session.commit()


def _known_state(order_id: str) -> KnownState | None:
    """The order of an attempt id ("<number>-<n>"), or of a bare order number (orders paid
    before attempts had their own ids), with what we recorded of that attempt. An order
    number never matches ATTEMPT_ORDER_ID (it has two dashes, an attempt id three), so one
    query finds either."""
    attempt = ATTEMPT_ORDER_ID.match(order_id)
    return known_state(attempt.group(1) if attempt else order_id, order_id)


def apply_gateway_status(
    order: Order, status: TransactionStatus, notification: StoredNotification | None = None
) -> NotificationOutcome:
    """Move an order to match Midtrans's answer about one of its payment attempts, once.

    Used by notifications (which record the outcome on their row) and by the pages and
    commands that ask Midtrans themselves. One transaction, under the order's row lock
    (ignored by SQLite, where the conditional UPDATEs below keep two deliveries from both
    taking effect).
    """
    # The order's id from its identity: the caller's commit expired the object, and reading
    # an attribute would cost a SELECT just before the locking one.
    return _apply_to_order(inspect(order).identity[0], status, notification)


def apply_gateway_status_to(order_pk: int, status: TransactionStatus) -> NotificationOutcome:
    """apply_gateway_status() for the order of this id, for a page that holds no ORM object
    of it."""
    return _apply_to_order(order_pk, status, None)


def _apply_to_order(
    order_pk: int, status: TransactionStatus, notification: StoredNotification | None
) -> NotificationOutcome:
    if status.is_paid:
        return apply_paid(order_pk, status, notification)
    order = db.session.scalars(_locked_order(), {"order_pk": order_pk}).one()
    said = f"order {order.number} ({status.order_id})"
    if status.gross_amount != order.grand_total:
        return amount_mismatch(notification, said, status.gross_amount, order.grand_total)
    state = status.transaction_status
    if state == "capture" and status.fraud_status == "deny":
        state = "deny"  # a card refused by fraud review fails like a deny (MIDTRANS.md §4)
    detail = answer_detail(state, status.fraud_status)
    record_gateway_answer(status.order_id, state, False, status.instructions)
    if state in RELEASING:
        if _is_superseded(order, status.order_id):
            # An earlier attempt closing does not close the order: a later one may be paid.
            return finish(notification, Outcome.IGNORED, f"{detail}: an earlier attempt")
        if order.status == OrderStatus.PENDING and order.expires_at > utcnow():
            # The order still holds its stock: the shopper may pay it another way until its
            # deadline, when the expiry job closes it (issue 13, bug 7).
            return finish(notification, Outcome.APPLIED, f"{detail}: attempt closed")
        return _apply_release(notification, order, RELEASING[state], detail, said)
    if state in HOLDING:  # pending, or a card capture held for fraud review
        if order.status == OrderStatus.PENDING:
            return finish(notification, Outcome.APPLIED, detail + ": still pending")
        logger.info("%s: late %s for a %s order: nothing changes", said, state, order.status)
        return finish(notification, Outcome.IGNORED, f"{detail} after {order.status}")
    if state in REFUNDED_STATES:
        # Ours are recorded by the refund that asked; others were made at Midtrans.
        if found := record_refunds_made_at_gateway(order, status):
            return finish(notification, Outcome.APPLIED, f"{detail}: {len(found)} to allocate")
        return finish(notification, Outcome.IGNORED, f"{detail}: refunds already recorded")
    # authorize / chargeback are unused.
    logger.warning("%s: %s on a %s order: stored only", said, state, order.status)
    return finish(notification, Outcome.IGNORED, f"{detail}: stored only")


def _is_superseded(order: Order, midtrans_order_id: str) -> bool:
    """An attempt id ("<number>-<n>") other than the order's latest attempt."""
    return (
        ATTEMPT_ORDER_ID.match(midtrans_order_id) is not None
        and midtrans_order_id != order.current_payment_id
    )


def _apply_release(
    notification: StoredNotification | None,
    order: Order,
    target: OrderStatus,
    detail: str,
    said: str,
) -> NotificationOutcome:
    if order.status == target:
        return finish(notification, Outcome.DUPLICATE, detail + f": already {target}")
    if order.status != OrderStatus.PENDING:
        if order.status in PAID_OR_LATER:
            # A deny after settlement is a reversal (MIDTRANS.md §4): the ledger's job.
            logger.error("%s: %s after the order was paid: not applied", said, target)
        return finish(notification, Outcome.IGNORED, f"{detail} after {order.status}")
    if notification is not None:
        record_outcome(notification, Outcome.APPLIED, detail + f": {target}, stock released")
    # release_stock commits this row with the order's move, or rolls both back and says False.
    if not release_stock(order, target):
        db.session.refresh(order)
        return finish(notification, Outcome.DUPLICATE, f"{detail} after {order.status}")
    return Outcome.APPLIED


@cache
def _locked_order() -> Select:
    """The order under its row lock, built once (its id a parameter)."""
    return (
        select(Order)
        .where(Order.id == bindparam("order_pk"))
        .execution_options(populate_existing=True)
        .with_for_update()
    )
