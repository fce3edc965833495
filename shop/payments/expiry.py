"""Closing orders whose time to pay has passed (`flask orders expire`, run from cron).

Midtrans sends an expire notification for a transaction that lapses, but not for a Snap
page where no method was ever chosen, and a notification can be lost. So we ask Midtrans
about each overdue order's current attempt before closing it: one paid at the last minute
is marked paid, not expired, and one still open there is expired there first, so it cannot
be paid after its stock has gone back on sale.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from shop.checkout.models import Order, OrderStatus
from shop.checkout.services import release_stock
from shop.extensions import db
from shop.payments.attempt_records import move_attempt, open_attempt
from shop.payments.gateway import Gateway, GatewayError
from shop.payments.models import AttemptStatus
from shop.payments.services import RELEASING, apply_gateway_status, close_transaction
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class ExpiryReport:
    expired: list[str] = field(default_factory=list)
    paid: list[str] = field(default_factory=list)
    left_for_later: list[str] = field(default_factory=list)  # Midtrans did not answer


def expire_overdue_orders(gateway: Gateway, now: datetime | None = None) -> ExpiryReport:
    """Close every pending order whose deadline has passed, after asking Midtrans about it.

    Each order is its own transaction: one that fails (Midtrans unreachable) is left
    pending for the next run and the others go on.
    """
    now = now or utcnow()
    report = ExpiryReport()
    overdue = db.session.scalars(
        select(Order.id)
        .where(Order.status == OrderStatus.PENDING, Order.expires_at <= now)
        .order_by(Order.expires_at)
        .limit(BATCH_SIZE)
    ).all()
    for order_id in overdue:
        order = db.session.get(Order, order_id)
        try:
            _close_overdue(order, gateway)
        except GatewayError as error:
            logger.warning(
                "order %s: not expired, Midtrans did not answer: %s", order.number, error
            )
            report.left_for_later.append(order.number)
            continue
        db.session.refresh(order)
        if order.status == OrderStatus.PENDING:
            report.left_for_later.append(order.number)
        else:
            (report.paid if order.paid_at else report.expired).append(order.number)
    return report


def _close_overdue(order: Order, gateway: Gateway) -> None:
    if order.payment_attempts:
        payment_id = order.current_payment_id
        close_transaction()
        status = gateway.status(payment_id)
        if status.transaction_status == "pending":
            status = gateway.expire(payment_id)
        if status.is_found:
            apply_gateway_status(order, status)
            db.session.refresh(order)
            if order.status != OrderStatus.PENDING or status.transaction_status not in RELEASING:
                return  # paid, closed, or held for a fraud review: Midtrans decides
            # Its last attempt failed or expired and the deadline has come: the order closes.
    if release_stock(order, OrderStatus.EXPIRED):
        _close_open_attempt(order)


def _close_open_attempt(order: Order) -> None:
    """An attempt whose page was opened but no method chosen: Midtrans never closes it."""
    attempt = open_attempt(order.id)
    if attempt is not None:
        move_attempt(attempt.id, AttemptStatus.EXPIRED)
        db.session.commit()
