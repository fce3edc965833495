"""Refunds Midtrans made without us: found in its answer about a transaction, recorded once.

An admin may refund in Midtrans's dashboard instead of here. Midtrans then notifies a
"refund" or "partial_refund" status whose `refunds` list holds every refund of the
transaction with its refund_key. The refunds we ask for carry our own keys
("<order number>-R<n>", written by fulfilment/refunds.py in the transaction that asked), so
any other key is a refund made elsewhere: the shopper has the money, the ledger does not
know yet, and which lines it was for is for an admin to allocate (fulfilment/allocation.py).
"""

import logging
import re

from sqlalchemy import select

from shop.checkout.models import Order
from shop.extensions import db
from shop.ledger.models import ExternalRefund
from shop.notifications import events
from shop.payments.gateway import TransactionStatus, parse_rupiah

logger = logging.getLogger(__name__)

REFUNDED_STATES = frozenset({"refund", "partial_refund"})
KEY_LENGTH = 80  # ExternalRefund.gateway_refund_key


def record_refunds_made_at_gateway(order: Order, status: TransactionStatus) -> list[ExternalRefund]:
    """Record each refund in Midtrans's answer that was neither asked from here nor recorded
    before, and tell the order's cooperatives' admins. Flushes only; returns the new ones."""
    ours = re.compile(rf"^{re.escape(order.number)}-R\d+$")
    known = set(
        db.session.scalars(
            select(ExternalRefund.gateway_refund_key).where(ExternalRefund.order_id == order.id)
        )
    )
    found = []
    for listed in _listed_refunds(status):
        key = _refund_key(status.order_id, listed)
        amount = _amount(listed)
        if key is None or ours.match(key) or key in known or amount is None:
            continue
        refund = ExternalRefund(order_id=order.id, gateway_refund_key=key, amount=amount)
        db.session.add(refund)
        known.add(key)
        found.append(refund)
    if found:
        db.session.flush()
        for refund in found:
            events.refund_to_allocate(order, refund)
        logger.warning(
            "order %s: %d refund(s) made at Midtrans, to allocate", order.number, len(found)
        )
    return found


def _listed_refunds(status: TransactionStatus) -> list[dict]:
    listed = status.raw.get("refunds")
    if not isinstance(listed, list):
        return []
    return [item for item in listed if isinstance(item, dict)]


def _amount(listed: dict) -> int | None:
    try:
        amount = parse_rupiah(listed.get("refund_amount"))
    except (TypeError, ValueError):
        return None
    return amount if amount and amount > 0 else None


def _refund_key(midtrans_order_id: str, listed: dict) -> str | None:
    """Midtrans's refund_key; a refund made without one (possible in the dashboard) is named
    by the transaction and its refund id, which Midtrans numbers per transaction."""
    key = listed.get("refund_key")
    if isinstance(key, str) and key.strip():
        return key.strip()[:KEY_LENGTH]
    refund_id = listed.get("refund_chargeback_id")
    if isinstance(refund_id, int | str) and str(refund_id).strip():
        return f"{midtrans_order_id}#{refund_id}"[:KEY_LENGTH]
    return None
