"""Imports every model, so that metadata is complete for migrations and mappers."""

from shop.accounts.models import PasswordResetToken, User
from shop.audit.models import AuditEntry
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Category, Product, ProductImage, ProductVariant
from shop.checkout.models import Order, OrderLine, OrderShipment
from shop.coops.models import Cooperative, Invitation, Membership
from shop.jobs.models import FailedJob, JobProgress
from shop.ledger.models import JournalEntry, Payout, Posting, Refund, RefundLine
from shop.notifications.models import EmailOptOut, Notification
from shop.outbox.models import OutgoingMail
from shop.payments.models import PaymentNotification
from shop.payouts.models import PayoutBatch
from shop.products.models import ProductImport
from shop.reconciliation.models import ReconciliationException
from shop.reviews.models import Review, ReviewPhoto
from shop.supervision.models import SupervisionReport

__all__ = [
    "AuditEntry",
    "Cart",
    "CartLine",
    "EmailOptOut",
    "FailedJob",
    "JobProgress",
    "Category",
    "Cooperative",
    "Invitation",
    "JournalEntry",
    "Membership",
    "Notification",
    "Order",
    "OrderLine",
    "OrderShipment",
    "OutgoingMail",
    "PasswordResetToken",
    "PaymentNotification",
    "Payout",
    "PayoutBatch",
    "Posting",
    "Product",
    "ProductImage",
    "ProductImport",
    "ProductVariant",
    "ReconciliationException",
    "Refund",
    "RefundLine",
    "Review",
    "ReviewPhoto",
    "SupervisionReport",
    "User",
]
