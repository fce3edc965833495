"""What the daily reconciliation found that does not agree, one row per thing to look at.

A run finds each exception again while its cause is there (last_seen moves on) and resolves
it on the first run that no longer finds it. At most one open row per (cooperative, kind,
reference): a partial unique index says so, so a run repeated, or two runs at once, can
never open the same exception twice. A cause that comes back after it was resolved opens a
new row: the resolved one stays as history.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.ledger.models import _string_enum
from shop.money import Rupiah
from shop.timeutil import UTCDateTime, utcnow


class ExceptionKind(StrEnum):
    # The ledger posted the payment, and Midtrans has not said it settled it after the
    # settlement delay (RECONCILIATION_SETTLEMENT_DAYS). Reference: the order number.
    PAID_NOT_SETTLED = "paid_not_settled"
    # Midtrans said it settled a payment of the cooperative's order that the ledger never
    # posted (paid after the order closed, for one). Reference: the order number.
    SETTLED_UNKNOWN = "settled_unknown"
    # A refund made at Midtrans that no admin has allocated to lines. Reference: the order.
    REFUND_NOT_ALLOCATED = "refund_not_allocated"
    # A payout's money moved (in transit or paid) without an approval on record by an
    # active admin. Reference: the payout id.
    PAYOUT_UNAPPROVED = "payout_unapproved"

    @property
    def is_about_an_order(self) -> bool:
        return self != ExceptionKind.PAYOUT_UNAPPROVED


OPEN = text("resolved_at IS NULL")


class ReconciliationException(db.Model):
    __tablename__ = "reconciliation_exceptions"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index(
            "uq_reconciliation_exceptions_open",
            "cooperative_id",
            "kind",
            "reference",
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    kind: Mapped[ExceptionKind] = mapped_column(_string_enum(ExceptionKind))
    reference: Mapped[str] = mapped_column(String(80))
    amount: Mapped[Rupiah]  # as last seen
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
