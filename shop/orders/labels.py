"""The words a shopper reads for an order's stored codes (shipping: checkout.shipping)."""

from flask_babel import gettext as _

from shop.checkout.models import OrderStatus
from shop.ledger.models import Refund


def status_label(status: str) -> str:
    labels = {
        OrderStatus.PENDING: _("Waiting for payment"),
        OrderStatus.PAID: _("Paid"),
        OrderStatus.PACKED: _("Packed"),
        OrderStatus.SHIPPED: _("Shipped"),
        OrderStatus.DELIVERED: _("Delivered"),
        OrderStatus.COMPLETED: _("Completed"),
        OrderStatus.EXPIRED: _("Expired: not paid in time"),
        OrderStatus.CANCELLED: _("Cancelled"),
        OrderStatus.DENIED: _("Payment refused"),
    }
    return labels.get(status, status)


def payment_method_label(method: str | None) -> str:
    """Midtrans's payment_type in words; a type we do not know yet is shown as it came."""
    labels = {
        "bank_transfer": _("Bank transfer (virtual account)"),
        "echannel": _("Bank transfer (virtual account)"),  # Mandiri Bill, Midtrans's own name
        "qris": _("QRIS"),
        "gopay": _("GoPay"),
        "shopeepay": _("ShopeePay"),
        "credit_card": _("Credit card"),
        "cstore": _("Cash at a convenience store"),
    }
    return labels.get(method or "", method or "")


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
