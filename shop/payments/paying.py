"""Applying Midtrans's "paid" to an order: once, under the order's row lock, with the sold
counts, the ledger's postings and the notifications in the same transaction.

Most requests that get here find the order paid already: the return page and the pending
notification ask Midtrans about the same payment at about the same moment, and whichever
takes the lock second finds the other's work done. So the lock is taken by a statement that
reads only what deciding needs, and the order's lines and shipments are read by the request
that pays, after its conditional UPDATE. The statements on the order's row, the sold counts
and the products are written out once (shop/plain_sql.py).
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app

from shop.checkout.models import OrderStatus
from shop.ledger.settlement import post_payment
from shop.notifications import events
from shop.pagecache import bump_catalog_version
from shop.payments.attempt_records import record_gateway_answer
from shop.payments.gateway import TransactionStatus
from shop.payments.models import NotificationOutcome as Outcome
from shop.payments.no_news import PAID_OR_LATER
from shop.payments.notification_rows import StoredNotification, finish
from shop.plain_sql import execute, locking, rows
from shop.timeutil import as_stored, utcnow

logger = logging.getLogger(__name__)

ORDER_TO_DECIDE = "SELECT status, grand_total, number FROM orders WHERE id = :id"
# The paid order's lines and shipments, in one statement (each in id order): what the sold
# counts, the postings and the notifications read. The order's own few columns come with
# the first row of each (every order has a line and a shipment).
PARTS_OF_PAID_ORDER = (
    "SELECT 'line', l.id, l.cooperative_id, l.member_id, l.member_amount, l.fee, l.product_id,"
    " l.quantity, l.product_name, l.variant_label, l.line_total,"
    " o.number, o.grand_total, o.user_id, o.contact_email, o.language"
    " FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.order_id = :id"
    " UNION ALL"
    " SELECT 'shipment', s.id, s.cooperative_id, NULL, NULL, s.fee, NULL, NULL, NULL, NULL, NULL,"
    " NULL, NULL, NULL, NULL, NULL"
    " FROM order_shipments s WHERE s.order_id = :id"
    " ORDER BY 1, 2"
)
# SQLite takes no row lock, so the move stays conditional there (and here, at no cost).
MARK_PAID = (
    "UPDATE orders SET status = :paid, paid_at = :paid_at, payment_method = :payment_method"
    " WHERE id = :id AND status = :pending"
)
COUNT_SOLD = "UPDATE products SET sold_count = sold_count + :sold, updated_at = :now WHERE id = :id"


def apply_paid(
    order_pk: int, status: TransactionStatus, notification: StoredNotification | None
) -> Outcome:
    """Mark the order paid as Midtrans says (status.is_paid), or say why not: the amounts
    differ, it was paid already (a duplicate), or it was closed first (money without goods:
    logged as an error). Commits, with the outcome on the notification's row if one."""
    order_status, grand_total, number = rows(locking(ORDER_TO_DECIDE), {"id": order_pk})[0]
    said = f"order {number} ({status.order_id})"
    if status.gross_amount != grand_total:
        return amount_mismatch(notification, said, status.gross_amount, grand_total)
    detail = answer_detail(status.transaction_status, status.fraud_status)
    record_gateway_answer(status.order_id, status.transaction_status, True, status.instructions)
    if order_status != OrderStatus.PENDING or not _mark_paid(order_pk, status.payment_type):
        if order_status == OrderStatus.PENDING:  # moved by another request (SQLite)
            order_status = rows(ORDER_TO_DECIDE, {"id": order_pk})[0][0]
        if order_status in PAID_OR_LATER:
            return finish(notification, Outcome.DUPLICATE, detail + ": already paid")
        # Paid after we closed the order (and gave its stock back): money without goods.
        logger.error("%s: paid but the order is %s: needs a refund", said, order_status)
        return finish(notification, Outcome.IGNORED, f"{detail} after {order_status}")
    order = _paid_order(order_pk)
    _count_sold(order.lines)  # read with the order, and by the postings and events too
    # The money moves in the same transaction as the order.
    post_payment(order, status.payment_type, current_app.config["MIDTRANS_FEES"])
    events.order_paid(order)
    outcome = finish(notification, Outcome.APPLIED, detail + ": paid")
    bump_catalog_version()  # best-selling order changed
    logger.info("order %s paid (%s)", number, detail)
    return outcome


def amount_mismatch(
    notification: StoredNotification | None, said: str, gateway_amount: int | None, total: int
) -> Outcome:
    logger.error("%s: gateway amount %s, order total %s", said, gateway_amount, total)
    detail = f"gateway {gateway_amount} != order {total}"
    return finish(notification, Outcome.AMOUNT_MISMATCH, detail)


def answer_detail(state: str, fraud_status: str | None) -> str:
    return f"gateway: {state}" + (f"/{fraud_status}" if fraud_status else "")


def _mark_paid(order_pk: int, payment_method: str | None) -> bool:
    values = {"id": order_pk, "paid": OrderStatus.PAID.value, "pending": OrderStatus.PENDING.value,
              "paid_at": as_stored(utcnow()), "payment_method": payment_method}  # fmt: skip
    return execute(MARK_PAID, values) == 1


@dataclass(frozen=True)
class PaidLine:
    """What the payment's rules read of an order line (OrderLine's names)."""

    cooperative_id: int
    member_id: int
    member_amount: int
    fee: int
    product_id: int
    quantity: int
    product_name: str
    variant_label: str
    line_total: int


@dataclass(frozen=True)
class PaidShipment:
    """What the postings read of a shipment (OrderShipment's names)."""

    cooperative_id: int
    fee: int


@dataclass(frozen=True)
class PaidOrder:
    """The order just marked paid, as the sold counts, post_payment() and
    events.order_paid() read it (Order's names): values, read in one statement."""

    id: int
    number: str
    grand_total: int
    user_id: int | None
    contact_email: str
    language: str
    lines: list[PaidLine]
    shipments: list[PaidShipment]


def _paid_order(order_pk: int) -> PaidOrder:
    """No lock: the UPDATE that marked it paid holds the order's."""
    lines, shipments, order_columns = [], [], ()
    for kind, _id, cooperative_id, *columns in rows(PARTS_OF_PAID_ORDER, {"id": order_pk}):
        if kind == "shipment":
            shipments.append(PaidShipment(cooperative_id, columns[2]))
            continue
        lines.append(PaidLine(cooperative_id, *columns[:8]))
        order_columns = columns[8:]
    return PaidOrder(order_pk, *order_columns, lines, shipments)


def _count_sold(lines: list[PaidLine]) -> None:
    sold: dict[int, int] = defaultdict(int)
    for line in lines:
        sold[line.product_id] += line.quantity
    now = as_stored(utcnow())
    for product_id in sorted(sold):  # a fixed order, like every other multi-row update
        execute(COUNT_SOLD, {"id": product_id, "sold": sold[product_id], "now": now})
