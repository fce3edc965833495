"""Recording a refund that the cooperative's admin made by bank transfer.

Midtrans cannot refund a virtual account or a convenience-store payment through its API
(MIDTRANS.md §3), and it may refuse others (a refund window passed, no partial refunds for
some e-wallets). The admin then transfers the money back from the cooperative's bank and
records it here with the transfer's reference. It is checked and posted exactly as a refund
through Midtrans is (refunds.prepare_refund and write_refund: the same allocation, legs,
audit row and notification), so a line is never refunded beyond its quantity, whichever way
its units went back.

It is open only where Midtrans cannot refund: the order was paid by a method it does not
refund through its API, or it refused a refund of this cooperative's part (refund_lines
audits the refusal). When Midtrans did not answer, the refund may have gone through: asking
it again (under the same key) settles that, so a transfer is not offered then.
"""

import logging
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.checkout.models import Order
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.fulfilment.refunds import (
    NOT_REFUNDABLE_BY_API,
    REFUSED_ACTION,
    RefundRefused,
    prepare_refund,
    write_refund,
)
from shop.ledger.models import Refund, RefundMethod

logger = logging.getLogger(__name__)

BANK_REFERENCE = "bank_reference"  # the form field a reference error belongs to


def can_refund_by_hand(order: Order, cooperative: Cooperative) -> bool:
    """Whether Midtrans cannot refund the cooperative's part of this order itself."""
    if order.payment_method in NOT_REFUNDABLE_BY_API:
        return True
    refused = (
        select(AuditEntry.id)
        .where(
            AuditEntry.action == REFUSED_ACTION,
            AuditEntry.cooperative_id == cooperative.id,
            AuditEntry.target_type == Order.__name__,
            AuditEntry.target_id == order.id,
        )
        .limit(1)
    )
    return db.session.scalar(refused) is not None


def normalise_reference(text: str) -> str:
    """One spelling per transfer reference: spaces collapsed, letters in capitals."""
    return " ".join(text.split()).upper()


def record_manual_refund(
    order: Order,
    cooperative: Cooperative,
    quantities: Mapping[int, int],
    reason: str,
    bank_reference: str,
    note: str,
    actor: User,
) -> Refund:
    """Record units of the cooperative's lines (order line id -> quantity) as refunded by
    the bank transfer `bank_reference`, and post the reversal as refund_lines does.

    Raises RefundRefused when Midtrans can refund the order itself, when the reference is
    blank or already recorded for the order, and for everything refund_lines refuses
    (quantities, a paid-out member); NotFound when the cooperative has no part in the order.
    Nothing is written then.
    """
    reference = normalise_reference(bank_reference)
    try:
        if not reference:
            raise RefundRefused(
                _("Enter the reference of the bank transfer you made."), field=BANK_REFERENCE
            )
        if not can_refund_by_hand(order, cooperative):
            raise RefundRefused(
                _(
                    "The payment service can refund this order itself: use the refund form. "
                    "A bank transfer is recorded here only when it cannot."
                )
            )
        plan = prepare_refund(order, cooperative, quantities, RefundMethod.BANK_TRANSFER)
        _check_new_reference(plan.order, reference)
        refund = write_refund(
            plan, reason.strip(), actor, RefundMethod.BANK_TRANSFER, reference, note.strip()
        )
        db.session.commit()
    except IntegrityError:
        # Recorded at the same moment by another request (SQLite does not lock the order).
        db.session.rollback()
        if _reference_recorded(order, reference):
            raise _already_recorded(reference) from None
        raise RefundRefused(
            _(
                "Another refund of this order was recorded at the same moment: check it, "
                "then try again."
            )
        ) from None
    except Exception:
        db.session.rollback()
        raise
    logger.info("order %s: refund %s of %s by transfer", order.number, refund.refund_key,
                refund.amount)  # fmt: skip
    return refund


def _check_new_reference(order: Order, reference: str) -> None:
    if _reference_recorded(order, reference):
        raise _already_recorded(reference)


def _reference_recorded(order: Order, reference: str) -> bool:
    query = select(Refund.id).where(Refund.order_id == order.id, Refund.bank_reference == reference)
    return db.session.scalar(query) is not None


def _already_recorded(reference: str) -> RefundRefused:
    return RefundRefused(
        _(
            "A refund by bank transfer with reference %(reference)s is already recorded for "
            "this order.",
            reference=reference,
        ),
        field=BANK_REFERENCE,
    )
