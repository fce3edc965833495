"""The words a shopper reads for an order's stored codes (shipping: checkout.shipping)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.checkout.models import OrderStatus
from shop.ledger.models import Refund

# Looked up lazily, so a label costs the one translation shown, not one per entry.
STATUS_LABELS = {
    OrderStatus.PENDING: _l("Waiting for payment"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.PACKED: _l("Packed"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.EXPIRED: _l("Expired: not paid in time"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.DENIED: _l("Payment refused"),
}
PAYMENT_METHOD_LABELS = {
    "bank_transfer": _l("Bank transfer (virtual account)"),
    "echannel": _l("Bank transfer (virtual account)"),  # Mandiri Bill, Midtrans's own name
    "qris": _l("QRIS"),
    "gopay": _l("GoPay"),
    "shopeepay": _l("ShopeePay"),
    "credit_card": _l("Credit card"),
    "cstore": _l("Cash at a convenience store"),
}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return status if label is None else str(label)


def payment_method_label(method: str | None) -> str:
    """Midtrans's payment_type in words; a type we do not know yet is shown as it came."""
    label = PAYMENT_METHOD_LABELS.get(method or "")
    return (method or "") if label is None else str(label)


def refund_method_label(refund: Refund, payment_method: str | None) -> str:
    """How the money went back, in words both order pages use."""
    if refund.is_bank_transfer:
        return _(
            "Refunded by bank transfer, reference %(reference)s", reference=refund.bank_reference
        )
    if payment_method:
        return _(
            "Refunded to the original payment method (%(method)s)",
            method=payment_method_label(payment_method),
        )
    return _("Refunded to the original payment method")
