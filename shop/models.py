"""Imports every model, so that metadata is complete for migrations and mappers."""

from shop.accounts.models import PasswordResetToken, User
from shop.audit.models import AuditEntry
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Category, Product, ProductImage, ProductVariant
from shop.checkout.models import Order, OrderLine, OrderShipment
from shop.coops.models import Cooperative, Invitation, Membership
from shop.ledger.models import JournalEntry, Payout, Posting, Refund, RefundLine
from shop.payments.models import PaymentNotification

__all__ = [
    "AuditEntry",
    "Cart",
    "CartLine",
    "Category",
    "Cooperative",
    "Invitation",
    "JournalEntry",
    "Membership",
    "Order",
    "OrderLine",
    "OrderShipment",
    "PasswordResetToken",
    "PaymentNotification",
    "Payout",
    "Posting",
    "Product",
    "ProductImage",
    "ProductVariant",
    "Refund",
    "RefundLine",
    "User",
]
