"""Paying an order: starting (or resuming) a Midtrans payment attempt, and bringing a pending
order up to date with what Midtrans says.

Every attempt has its own Midtrans order id, "<order number>-<n>" (MIDTRANS.md §2): a
create call that timed out may still have made a transaction at Midtrans, so asking again
under the same id could be refused as a duplicate. While the current attempt is still open
at Midtrans (no method chosen yet, or waiting for a transfer) the shopper goes back to its
page instead of opening a second one, so one order never has two live virtual accounts.
"""

import logging
import math

from flask_babel import gettext as _
from sqlalchemy import update

from shop.checkout.models import Order, OrderStatus, payment_id
from shop.errors import ShopError
from shop.extensions import db
from shop.payments.gateway import Customer, Gateway, GatewayError, PaymentItem
from shop.payments.services import apply_gateway_status, close_transaction
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

# Midtrans documents 5 minutes as the shortest expiry of a Snap transaction.
MIN_EXPIRY_MINUTES = 5
OPEN_AT_GATEWAY = frozenset({"not_found", "pending"})


class OrderNotPayable(ShopError):
    pass


def start_payment(order: Order, gateway: Gateway, finish_url: str) -> str:
    """The Snap page where the shopper pays this order: the current attempt's page while
    Midtrans still has it open, else a new attempt's.

    Raises OrderNotPayable when the order is no longer pending or its time to pay has
    passed, and GatewayError when Midtrans cannot be reached or refuses; the order then
    stays pending with its stock held, and calling again makes a fresh attempt.
    """
    db.session.refresh(order)
    _check_payable(order)
    if order.payment_url:
        payment_url, current_payment_id = order.payment_url, order.current_payment_id
        close_transaction()
        status = gateway.status(current_payment_id)
        if status.transaction_status in OPEN_AT_GATEWAY:
            return payment_url
        apply_gateway_status(order, status)  # paid or closed meanwhile: say so
        db.session.refresh(order)
        _check_payable(order)
    attempt = _new_attempt(order)
    request = {
        "order_id": payment_id(order.number, attempt),
        "gross_amount": order.grand_total,
        "items": payment_items(order),
        "customer": Customer(
            first_name=order.contact_name, email=order.contact_email, phone=order.contact_phone
        ),
        "finish_url": finish_url,
        "expiry_minutes": _minutes_left(order),
    }
    close_transaction()
    start = gateway.create_payment(**request)
    db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.payment_attempts == attempt)
        .values(payment_url=start.redirect_url)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    logger.info("order %s: payment attempt %d started", order.number, attempt)
    return start.redirect_url


def payment_items(order: Order) -> list[PaymentItem]:
    """The order as Midtrans items: its lines, and each cooperative's shipping as one more
    item, so that they add up to the gross amount exactly (MIDTRANS.md §2)."""
    items = [
        PaymentItem(f"V{line.variant_id}", line.name, line.unit_price, line.quantity)
        for line in order.lines
    ]
    for shipment in order.shipments:
        if shipment.fee:
            name = _("Shipping: %(cooperative)s", cooperative=shipment.cooperative.name)
            items.append(PaymentItem(f"SHIP-{shipment.cooperative_id}", name, shipment.fee, 1))
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


def _new_attempt(order: Order) -> int:
    """Count one more attempt; conditional, so two tabs paying at once get two ids."""
    attempt = order.payment_attempts + 1
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.payment_attempts == order.payment_attempts)
        .values(payment_attempts=attempt, payment_url=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if moved.rowcount != 1:
        db.session.refresh(order)
        return _new_attempt(order)
    db.session.refresh(order)
    return attempt


def _minutes_left(order: Order) -> int:
    seconds = (order.expires_at - utcnow()).total_seconds()
    return max(MIN_EXPIRY_MINUTES, math.ceil(seconds / 60))
