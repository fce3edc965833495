"""A batch of payouts: one admin (the bendahara) prepares it, another approves it.

Maker-checker: the money of a batch's payouts moves only when a second admin approves, and
the database itself refuses a batch approved by the admin who prepared it. A payout waiting
in a prepared batch stays "requested" with its batch_id set; cancelling the batch, or the
preparer removing it, clears batch_id again.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.ledger.models import _string_enum
from shop.timeutil import UTCDateTime, utcnow

REFERENCE_LENGTH = 100  # Iris's reference_no, as sent (ours are shorter)
STATUS_LENGTH = 30


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


class IrisNotification(db.Model):
    """Each notification sent to Iris's public URL, stored before anything is done with it,
    then marked with what came of it: what an operator or the pengawas reads when a payout's
    status is questioned. `reference_no` and `sent_status` are as sent (None when the body had
    none); the status applied is the one Iris gave when asked again, not this one."""

    __tablename__ = "iris_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed: the operator's gateway watch reads the last 30 days of it.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    raw_body: Mapped[str] = mapped_column(Text)
    reference_no: Mapped[str | None] = mapped_column(String(REFERENCE_LENGTH), index=True)
    sent_status: Mapped[str | None] = mapped_column(String(STATUS_LENGTH))
    signature_valid: Mapped[bool] = mapped_column(default=False)
    # "received" until handled, then the handler's outcome (paid, rejected, returned,
    # unchanged, bad_signature, malformed, unknown, unavailable) and the HTTP status answered.
    outcome: Mapped[str] = mapped_column(String(20), default="received")
    http_status: Mapped[int | None]
