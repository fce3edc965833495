"""A notification is one event for one person: the in-app list shows it, a task mails it.

The text is not stored: `kind` and `params` are, and the words are rendered in the reader's
language when the list is shown or the mail is written (shop.notifications.kinds).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.timeutil import UTCDateTime, utcnow


class EmailStatus(StrEnum):
    PENDING = "pending"  # its task has not run yet
    QUEUED = "queued"  # written to the outbox (shop.outbox), which sends it
    OFF = "off"  # the recipient turned e-mail off for this kind
    NONE = "none"  # nobody to mail
    FAILED = "failed"  # its mail could not be written (a bug): listed with the failed jobs


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_id_id", "recipient_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: recording the same event for the same person twice is refused by the database.
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    # None for a guest shopper, who is only mailed.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(5), default="id")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # The guest's order link carries its key: used once for the mail, then forgotten.
    mail_secret: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_status: Mapped[EmailStatus] = mapped_column(
        Enum(
            EmailStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=EmailStatus.PENDING,
        index=True,
    )
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_mails.id"))


class EmailOptOut(db.Model):
    """A person who does not want e-mail for one kind of event (the in-app list still has it)."""

    __tablename__ = "notification_email_optouts"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
