"""Midtrans Iris's notifications about payouts: checked, then believed only after asking Iris.

The URL is public (Iris sends no auth) and exempt from CSRF (no browser form). A notification
counts only when its Iris-Signature header is the SHA-512 of the raw body bytes followed by
the merchant key; anything else is refused (403) and changes nothing. Even then its status is
not trusted: the payout's status is fetched again from Iris (GET /payouts/{reference_no}) and
that answer is applied, so a replayed or late notification can only repeat what Iris says now.
Every notification is stored before anything else (IrisNotification), then marked with what
came of it.

Applying a status is one state machine (services.ALLOWED_MOVES) moved by conditional UPDATEs,
with idempotent journal entries, so duplicates and notifications out of order are harmless:
- completed: approved -> paid (payouts in transit -> bank), like mark_payout_paid with the
  reference_no as the transfer reference;
- failed or rejected before completion: approved -> rejected (in transit -> member available);
- failed after completion (the bank sent the money back): paid -> returned (bank -> member
  available), and the member and the admins are told.
Any other status (queued, approved, processed) changes nothing yet.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select, update

from shop.audit.services import record_audit
from shop.auth.policy import public
from shop.coops.models import Cooperative
from shop.errors import InvalidTransition
from shop.extensions import csrf, db
from shop.ledger.journal import add_entry, credit, debit
from shop.ledger.models import Account, EntryKind, Payout, PayoutStatus
from shop.notifications import events
from shop.payouts import services
from shop.payouts.iris import (
    COMPLETED,
    FAILED,
    REJECTED,
    IrisClient,
    IrisError,
    IrisPayoutStatus,
    iris_client,
)
from shop.payouts.models import REFERENCE_LENGTH, STATUS_LENGTH, IrisNotification
from shop.raw_bodies import json_object, stored_body
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

bp = Blueprint("iris", __name__)
SIGNATURE_HEADER = "Iris-Signature"


def iris_signature(raw_body: bytes, merchant_key: str) -> str:
    """Hex SHA-512 of the raw body bytes followed by the merchant key (MIDTRANS.md §7)."""
    return hashlib.sha512(raw_body + merchant_key.encode()).hexdigest()


def signature_ok(raw_body: bytes, received: str | None, merchant_key: str) -> bool:
    if not merchant_key or not received:
        return False
    expected = iris_signature(raw_body, merchant_key)
    return hmac.compare_digest(expected.encode(), received.strip().lower().encode())


@dataclass(frozen=True)
class NotificationResult:
    outcome: str  # for the answer's body and the logs
    http_status: int


def handle_iris_notification(
    raw_body: bytes, signature: str | None, client: IrisClient, merchant_key: str
) -> NotificationResult:
    """Store, check, re-fetch and apply one Iris notification. Answers 2xx once handled (or
    nothing to do), 403 for a bad signature, 400 for a body without a reference_no, 404 for a
    reference we do not know (yet: Iris retries) and 503 when Iris cannot be asked (retry).
    The notification is stored first and marked with the outcome after, whatever it is."""
    valid = signature_ok(raw_body, signature, merchant_key)
    stored_id = _store(raw_body, valid)
    result = _handle(raw_body, valid, client)
    db.session.execute(
        update(IrisNotification)
        .where(IrisNotification.id == stored_id)
        .values(outcome=result.outcome, http_status=result.http_status)
    )
    db.session.commit()
    return result


def _store(raw_body: bytes, signature_valid: bool) -> int:
    fields = json_object(raw_body) or {}
    reference, status = fields.get("reference_no"), fields.get("status")
    notification = IrisNotification(
        raw_body=stored_body(raw_body, signature_valid),
        reference_no=reference[:REFERENCE_LENGTH] if isinstance(reference, str) else None,
        sent_status=status[:STATUS_LENGTH] if isinstance(status, str) else None,
        signature_valid=signature_valid,
        received_at=utcnow(),
    )
    db.session.add(notification)
    db.session.commit()
    return notification.id


def _handle(raw_body: bytes, signature_valid: bool, client: IrisClient) -> NotificationResult:
    if not signature_valid:
        logger.warning("Iris notification refused: bad signature")
        return NotificationResult("bad_signature", 403)
    reference = (json_object(raw_body) or {}).get("reference_no")
    if not isinstance(reference, str) or not reference:
        return NotificationResult("malformed", 400)
    payout = db.session.scalar(select(Payout).where(Payout.iris_reference == reference))
    if payout is None:
        logger.warning("Iris notification for unknown reference %s", reference[:64])
        return NotificationResult("unknown", 404)
    # Iris may take seconds to answer: hold no transaction (and no pooled connection's
    # snapshot) meanwhile. apply_iris_status reads the payout's status afresh anyway.
    db.session.commit()
    try:
        remote = client.payout_status(reference)
    except IrisError as error:
        logger.warning("Iris status of %s not fetched: %s", reference, error.detail)
        return NotificationResult("unavailable", 503)
    outcome = apply_iris_status(payout, remote)
    return NotificationResult(outcome, 200)


def apply_iris_status(payout: Payout, remote: IrisPayoutStatus) -> str:
    """Bring our payout in line with Iris's status for it. Returns what happened: "paid",
    "rejected", "returned", "unchanged" (already applied, or nothing to do yet) or
    "amount_mismatch" (left alone for a person to look at)."""
    if remote.reference_no != payout.iris_reference:
        logger.error("Iris answered %s for payout %s", remote.reference_no, payout.id)
        return "unchanged"
    if remote.amount != payout.amount:
        # Never act on a transfer that is not the one we asked for: a person must look.
        logger.error(
            "Iris payout %s is Rp %s, our payout %s is Rp %s: left alone",
            remote.reference_no, remote.amount, payout.id, payout.amount,
        )  # fmt: skip
        return "amount_mismatch"  # stored with the notification: the operator's dashboard
    local = db.session.scalar(select(Payout.status).where(Payout.id == payout.id))
    try:
        if remote.status == COMPLETED and local == PayoutStatus.APPROVED:
            _paid(payout)
            return "paid"
        if remote.status in (FAILED, REJECTED) and local == PayoutStatus.APPROVED:
            _rejected(payout, remote)
            return "rejected"
        if remote.status == FAILED and local == PayoutStatus.PAID:
            _returned(payout)
            return "returned"
    except InvalidTransition:  # another notification applied it meanwhile
        db.session.rollback()
    return "unchanged"


def _paid(payout: Payout) -> None:
    reference = payout.iris_reference
    try:
        coop = db.session.get(Cooperative, payout.cooperative_id)
        services.lock_membership(payout.member_id)
        services.move_payout(
            payout, PayoutStatus.PAID, paid_at=utcnow(), transfer_reference=reference
        )
        memo = f"payout {payout.id} paid by Iris: {reference}"
        services.post_payout_paid(payout, None, memo=memo)
        details = {"amount": payout.amount, "reference": reference, "by": "iris"}
        record_audit(None, coop, "payout.paid", payout, details)
        db.session.refresh(payout)
        events.payout_decided(payout, "payout_paid")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout %s paid through Iris, reference %s", payout.id, reference)


def _rejected(payout: Payout, remote: IrisPayoutStatus) -> None:
    reason = _("Midtrans Iris could not transfer it.")
    if remote.error_message:
        reason += f" ({remote.error_message[:200]})"
    try:
        coop = db.session.get(Cooperative, payout.cooperative_id)
        services.lock_membership(payout.member_id)
        services.move_payout(
            payout, PayoutStatus.REJECTED, rejected_at=utcnow(), rejection_reason=reason
        )
        memo = f"payout {payout.id} {remote.status} at Iris"
        services.post_payout_rejected(payout, None, memo=memo)
        details = {"amount": payout.amount, "was": PayoutStatus.APPROVED.value,
                   "reason": reason, "by": "iris"}  # fmt: skip
        record_audit(None, coop, "payout.rejected", payout, details)
        db.session.refresh(payout)
        events.payout_decided(payout, "payout_rejected")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout %s %s at Iris: back to available", payout.id, remote.status)


def _returned(payout: Payout) -> None:
    """Completed, then failed: the bank sent the money back to the cooperative's account, so
    the member is owed it again."""
    try:
        coop = db.session.get(Cooperative, payout.cooperative_id)
        member = services.lock_membership(payout.member_id)
        services.move_payout(payout, PayoutStatus.RETURNED, returned_at=utcnow())
        add_entry(
            f"payout-returned:{payout.id}",
            EntryKind.PAYOUT_RETURNED,
            coop.id,
            [
                debit(Account.BANK, payout.amount),
                credit(Account.MEMBER_AVAILABLE, payout.amount, member.id),
            ],
            payout_id=payout.id,
            memo=f"payout {payout.id} returned by the bank (Iris {payout.iris_reference})",
        )
        details = {"amount": payout.amount, "reference": payout.iris_reference, "by": "iris"}
        record_audit(None, coop, "payout.returned", payout, details)
        db.session.refresh(payout)
        events.payout_returned(payout)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("payout %s returned by the bank: back to available", payout.id)


@bp.route("/payouts/iris/notification", methods=["POST"])
@csrf.exempt
@public
def iris_notification():
    config = current_app.config
    result = handle_iris_notification(
        request.get_data(),
        request.headers.get(SIGNATURE_HEADER),
        iris_client(config),
        config.get("IRIS_MERCHANT_KEY", ""),
    )
    return jsonify(status=result.outcome), result.http_status
