"""One row per outgoing mail, so that a mail is sent once, survives SMTP being down, and
never goes out for a transaction that rolled back (the row rolls back with it)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow

ERROR_LENGTH = 500
# The send task's first run and its retries (shop.outbox.tasks).
MAIL_ATTEMPTS = 6


class MailStatus(StrEnum):
    PENDING = "pending"  # waiting for its task (or for a retry)
    SENDING = "sending"  # claimed by one run of the task
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; listed with the failed jobs


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(
        Enum(
            MailStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        default=MailStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(ERROR_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
