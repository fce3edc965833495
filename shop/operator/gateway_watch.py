"""Gateway notifications that no cooperative's reconciliation can own, for the operator.

A correctly signed Midtrans notification about an order we do not know, or with an amount
that is not the order's, and an Iris notification about a payout we do not know, belong to no
cooperative, so the daily reconciliation cannot flag them; a notification still "received"
long after it came means its handling crashed. The operator's dashboard lists them. Unsigned
bodies are left out: anyone can post those to the public URLs; so is an Iris notification of an
unknown payout that a later retry found (Iris can notify before our payout is committed).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, true
from sqlalchemy.orm import aliased

from shop.extensions import db
from shop.payments.models import NotificationOutcome, PaymentNotification
from shop.payouts.models import IrisNotification
from shop.timeutil import utcnow

WATCH_DAYS = 30
# Handling takes well under a second; one still "received" after this crashed midway.
CRASHED_AFTER = timedelta(minutes=10)
LISTED = 20
# What Iris notifications come to once our payout is found: an "unknown" one with a later
# of these for its reference was only early (Iris retries until we answer 2xx).
PAYOUT_FOUND = ("paid", "rejected", "returned", "unchanged", "amount_mismatch")
OUTCOME_LABELS = {
    NotificationOutcome.UNKNOWN_ORDER.value: _l("No such order here"),
    # Midtrans's for an order, Iris's for a payout: the same value, the same words.
    NotificationOutcome.AMOUNT_MISMATCH.value: _l("Amount differs from ours"),
    "unknown": _l("No such payout here"),
    "received": _l("Handling stopped midway"),
}


@dataclass(frozen=True)
class WatchedNotification:
    gateway: str  # "Midtrans" or "Iris"
    received_at: datetime
    reference: str  # the order id or Iris reference_no, as sent
    status: str  # the status the notification said, as sent
    outcome: str


def notifications_to_look_at(now: datetime | None = None) -> list[WatchedNotification]:
    """The last WATCH_DAYS days' signed notifications that matched nothing or crashed,
    newest first, at most LISTED."""
    now = now or utcnow()
    since, crashed_before = now - timedelta(days=WATCH_DAYS), now - CRASHED_AFTER
    payments = _watched(
        PaymentNotification, PaymentNotification.order_id, PaymentNotification.transaction_status,
        (NotificationOutcome.UNKNOWN_ORDER, NotificationOutcome.AMOUNT_MISMATCH),
        NotificationOutcome.RECEIVED, since, crashed_before, true(),
    )  # fmt: skip
    payouts = _watched(
        IrisNotification, IrisNotification.reference_no, IrisNotification.sent_status,
        ("unknown", "amount_mismatch"), "received", since, crashed_before,
        _not_resolved_by_a_retry(),
    )  # fmt: skip
    watched = [
        WatchedNotification(gateway, received_at, reference or "", status or "", str(outcome))
        for gateway, rows in (("Midtrans", payments), ("Iris", payouts))
        for received_at, reference, status, outcome in rows
    ]
    return sorted(watched, key=lambda row: row.received_at, reverse=True)[:LISTED]


def _watched(
    model, reference, status, unmatched, received, since, crashed_before, still_open
) -> list:
    """One gateway's notifications table: (received_at, reference, status, outcome) rows;
    `still_open` leaves out the rows a later notification settled."""
    return db.session.execute(
        select(model.received_at, reference, status, model.outcome)
        .where(
            model.signature_valid.is_(True),
            model.received_at >= since,
            or_(
                model.outcome.in_(unmatched),
                (model.outcome == received) & (model.received_at < crashed_before),
            ),
            still_open,
        )
        .order_by(model.received_at.desc())
        .limit(LISTED)
    ).all()


def _not_resolved_by_a_retry():
    """Not an "unknown" Iris notification whose reference a later signed one found: Iris
    may notify before our payout's reference is committed, then retries."""
    later = aliased(IrisNotification)
    retried = exists().where(
        later.reference_no == IrisNotification.reference_no,
        later.received_at > IrisNotification.received_at,
        later.signature_valid.is_(True),
        later.outcome.in_(PAYOUT_FOUND),
    )
    return or_(IrisNotification.outcome != "unknown", ~retried)
