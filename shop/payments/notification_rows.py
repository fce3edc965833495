"""A Midtrans notification's row: stored as received before anything acts on it, and its
outcome written when the handling ends.

Both statements are written out once (shop/plain_sql.py): each notification runs them, and
building and compiling them with SQLAlchemy cost more than running them.
"""

from dataclasses import dataclass

from shop.extensions import db
from shop.payments.models import DETAIL_LENGTH, ORDER_ID_LENGTH, STATUS_LENGTH, NotificationOutcome
from shop.plain_sql import execute, rows
from shop.raw_bodies import stored_body
from shop.timeutil import as_stored, utcnow

INSERT_NOTIFICATION = """INSERT INTO payment_notifications
  (received_at, raw_body, order_id, transaction_status, signature_valid, outcome, detail)
VALUES
  (:received_at, :raw_body, :order_id, :transaction_status, :signature_valid, :outcome, :detail)
RETURNING id"""
RECORD_OUTCOME = (
    "UPDATE payment_notifications SET outcome = :outcome, detail = :detail WHERE id = :id"
)


@dataclass(frozen=True)
class StoredNotification:
    """What the handling needs of a notification row just committed: read from the values
    written, so that the commit's expiry costs no SELECT to read them back."""

    id: int
    order_id: str | None
    signature_valid: bool


def store_notification(
    raw_body: bytes,
    fields: dict | None,
    signature_valid: bool,
    outcome: NotificationOutcome = NotificationOutcome.RECEIVED,
    detail: str = "",
) -> StoredNotification:
    """Insert the notification (one INSERT; the caller commits)."""
    fields = fields or {}
    order_id, status = fields.get("order_id"), fields.get("transaction_status")
    order_id = order_id[:ORDER_ID_LENGTH] if isinstance(order_id, str) else None
    values = {
        "received_at": as_stored(utcnow()),
        "raw_body": stored_body(raw_body, signature_valid),
        "order_id": order_id,
        "transaction_status": status[:STATUS_LENGTH] if isinstance(status, str) else None,
        "signature_valid": signature_valid,
        "outcome": outcome.value,
        "detail": detail[:DETAIL_LENGTH],
    }
    notification_id = rows(INSERT_NOTIFICATION, values)[0][0]
    return StoredNotification(notification_id, order_id, signature_valid)


def record_outcome(
    notification: StoredNotification, outcome: NotificationOutcome, detail: str
) -> None:
    """The row's outcome, by its id: an UPDATE needs nothing of it read back."""
    values = {"id": notification.id, "outcome": outcome.value, "detail": detail[:DETAIL_LENGTH]}
    execute(RECORD_OUTCOME, values)


def finish(
    notification: StoredNotification | None, outcome: NotificationOutcome, detail: str = ""
) -> NotificationOutcome:
    """End the handling: the outcome on the notification's row (when a notification is being
    handled, not a page's own question to Midtrans), and the commit."""
    if notification is not None:
        record_outcome(notification, outcome, detail)
    db.session.commit()
    return outcome
