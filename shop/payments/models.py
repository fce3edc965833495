"""Every Midtrans notification, stored raw before anything acts on it (STYLE rule 13).

The row is committed on its own first, so a notification we then refuse (bad signature,
unknown order, amount mismatch) is still on record; `outcome` says what became of it. Of a
body that is not validly signed, only the first RAW_BODY_LIMIT characters are kept.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow

# Midtrans order ids are at most 50 characters; a garbage body may send anything.
ORDER_ID_LENGTH = 100
STATUS_LENGTH = 40
DETAIL_LENGTH = 500
# Characters kept of a body that is not a validly signed notification (Midtrans's own, about
# 1 KB, are kept whole): the URL is public, and anyone may post megabytes to it.
RAW_BODY_LIMIT = 4096


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
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
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
