"""Every Midtrans notification, stored raw before anything acts on it (STYLE rule 13), and
each payment attempt of an order.

The row is committed on its own first, so a notification we then refuse (bad signature,
unknown order, amount mismatch) is still on record; `outcome` says what became of it. Of a
body that is not validly signed, only the first RAW_BODY_LIMIT characters are kept
(shop/raw_bodies.py).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow

# Midtrans order ids are at most 50 characters; a garbage body may send anything.
ORDER_ID_LENGTH = 100
STATUS_LENGTH = 40
DETAIL_LENGTH = 500
# Characters kept of a body that is not a validly signed notification (Midtrans's own, about
# 1 KB, are kept whole): the URL is public, and anyone may post megabytes to it.
# A QRIS payload (EMVCo) is at most 512 characters; a little room on top.
QR_STRING_LENGTH = 1000


class NotificationOutcome(StrEnum):
    RECEIVED = "received"  # stored, not handled yet (or handling crashed: a bug)
    APPLIED = "applied"  # the order now matches the gateway's answer
    DUPLICATE = "duplicate"  # the order already was in that state
    IGNORED = "ignored"  # a state we do not act on here (refunds, late or reversed states)
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_ORDER = "unknown_order"
    AMOUNT_MISMATCH = "amount_mismatch"
    MALFORMED = "malformed"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"


class PaymentNotification(db.Model):
    __tablename__ = "payment_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed: the operator's gateway watch reads the last 30 days of it.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    raw_body: Mapped[str] = mapped_column(Text)
    # As sent, so nullable: a malformed body has none.
    order_id: Mapped[str | None] = mapped_column(String(ORDER_ID_LENGTH), index=True)
    transaction_status: Mapped[str | None] = mapped_column(String(STATUS_LENGTH))
    signature_valid: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[NotificationOutcome] = mapped_column(
        Enum(
            NotificationOutcome,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=NotificationOutcome.RECEIVED,
    )
    detail: Mapped[str] = mapped_column(String(DETAIL_LENGTH), default="")

    def record(self, outcome: NotificationOutcome, detail: str = "") -> None:
        self.outcome = outcome
        self.detail = detail[:DETAIL_LENGTH]


class AttemptStatus(StrEnum):
    STARTING = "starting"  # our row is written; Midtrans has not given its Snap page yet
    OPEN = "open"  # the Snap page exists: no method chosen yet, or waiting for the transfer
    PAID = "paid"
    FAILED = "failed"  # Midtrans could not be reached or refused to start it
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# The one table of the attempt's moves. An attempt that is open may still be paid; a closed
# one never changes again (a settlement reversed later is the ledger's business).
ALLOWED_ATTEMPT_MOVES = {
    AttemptStatus.STARTING: {
        AttemptStatus.OPEN,
        AttemptStatus.FAILED,
        AttemptStatus.PAID,
        AttemptStatus.DENIED,
        AttemptStatus.CANCELLED,
        AttemptStatus.EXPIRED,
    },
    AttemptStatus.OPEN: {
        AttemptStatus.PAID,
        AttemptStatus.DENIED,
        AttemptStatus.CANCELLED,
        AttemptStatus.EXPIRED,
    },
    AttemptStatus.PAID: set(),
    AttemptStatus.FAILED: set(),
    AttemptStatus.DENIED: set(),
    AttemptStatus.CANCELLED: set(),
    AttemptStatus.EXPIRED: set(),
}
OPEN_ATTEMPT_STATUSES = (AttemptStatus.STARTING, AttemptStatus.OPEN)
# The shopper may start another attempt after these while the order still holds its stock.
FAILED_ATTEMPT_STATUSES = frozenset(
    {AttemptStatus.FAILED, AttemptStatus.DENIED, AttemptStatus.CANCELLED, AttemptStatus.EXPIRED}
)


def sources_of(target: AttemptStatus) -> list[AttemptStatus]:
    """The statuses an attempt may move to `target` from, for a conditional UPDATE."""
    return [source for source, targets in ALLOWED_ATTEMPT_MOVES.items() if target in targets]


class PaymentAttempt(db.Model):
    """One Midtrans transaction of an order, "<order number>-<n>" (MIDTRANS.md §2), and what
    Midtrans said the shopper must do to pay it (the bank and virtual account, the QRIS
    string, the store's payment code, until when). Only those fields are kept, each checked
    (shop/payments/instructions.py), never the rest of an answer.

    At most one attempt of an order is open at a time: a partial unique index says so, so
    two "Pay" clicks at once cannot both start one.
    """

    __tablename__ = "payment_attempts"
    __table_args__ = (
        UniqueConstraint("order_id", "number"),
        Index(
            "uq_payment_attempts_one_open_per_order",
            "order_id",
            unique=True,
            sqlite_where=text("status IN ('starting', 'open')"),
            postgresql_where=text("status IN ('starting', 'open')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # n of "<order number>-<n>"
    midtrans_order_id: Mapped[str] = mapped_column(String(50), unique=True)
    status: Mapped[AttemptStatus] = mapped_column(
        Enum(
            AttemptStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=AttemptStatus.STARTING,
    )
    redirect_url: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # What Midtrans's status answer said about paying it (MIDTRANS.md §4), checked first.
    payment_type: Mapped[str | None] = mapped_column(String(STATUS_LENGTH))
    bank: Mapped[str | None] = mapped_column(String(20))
    va_number: Mapped[str | None] = mapped_column(String(40))
    biller_code: Mapped[str | None] = mapped_column(String(20))  # Mandiri Bill (echannel)
    bill_key: Mapped[str | None] = mapped_column(String(40))
    qr_string: Mapped[str | None] = mapped_column(String(QR_STRING_LENGTH))
    payment_code: Mapped[str | None] = mapped_column(String(40))  # Indomaret, Alfamart
    store: Mapped[str | None] = mapped_column(String(20))
    pay_before: Mapped[datetime | None] = mapped_column(UTCDateTime)  # Midtrans's expiry_time

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ATTEMPT_STATUSES

    @property
    def has_failed(self) -> bool:
        return self.status in FAILED_ATTEMPT_STATUSES
