"""A batch of payouts: one admin (the bendahara) prepares it, another approves it.

Maker-checker: the money of a batch's payouts moves only when a second admin approves, and
the database itself refuses a batch approved by the admin who prepared it. A payout waiting
in a prepared batch stays "requested" with its batch_id set; cancelling the batch, or the
preparer removing it, clears batch_id again.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.ledger.models import _string_enum
from shop.timeutil import UTCDateTime, utcnow


class BatchStatus(StrEnum):
    PREPARED = "prepared"  # waiting for a second admin
    APPROVED = "approved"  # its payouts' money moved to payouts in transit
    CANCELLED = "cancelled"  # its payouts went back to waiting for approval


class PayoutBatch(db.Model):
    __tablename__ = "payout_batches"
    __table_args__ = (
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> prepared_by_id",
            name="checker_is_not_maker",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    status: Mapped[BatchStatus] = mapped_column(
        _string_enum(BatchStatus, 16), default=BatchStatus.PREPARED, index=True
    )
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
