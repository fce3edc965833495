"""What the daily reconciliation looks for in one cooperative: each check returns
{reference: amount} of what it finds today. Read only; the whole history each time (one
query per check), since a cause may be put right, or appear, long after the fact.

"What Midtrans says" is what we keep of it: the signed notifications it sent (stored raw,
shop/payments/models.py). Their signature covers order_id, status_code and gross_amount, not
transaction_status (MIDTRANS.md §4): a notification counts as Midtrans saying "paid" only
when it says "settlement" and its signed status_code is "200", so a signed "pending" (201)
or "deny" (202) body sent again with its status changed on the way is not taken for money.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, exists, func, select, union_all
from sqlalchemy.orm import aliased

from shop.checkout.models import Order, OrderLine, OrderShipment
from shop.coops.role_history import RoleHistory
from shop.extensions import db
from shop.ledger.models import (
    Account,
    EntryKind,
    ExternalRefund,
    JournalEntry,
    Payout,
    Posting,
)
from shop.payments.models import PaymentAttempt, PaymentNotification
from shop.payments.signature import PAID_STATUS_CODE
from shop.payouts.models import BatchStatus, PayoutBatch
from shop.raw_bodies import json_object
from shop.reconciliation.models import ExceptionKind

SETTLED = "settlement"
# Said after a settlement, these mean the money went back to the shopper (or never came):
# nothing is left with us to post.
GIVEN_BACK = ("refund", "chargeback", "cancel")
# A notification is stored and committed before it is applied: one that came in this
# recently may still be being applied.
NOTIFICATION_GRACE = timedelta(hours=1)

Found = dict[str, int]


def _signed(status: str | tuple[str, ...]):
    statuses = (status,) if isinstance(status, str) else status
    return and_(
        PaymentNotification.signature_valid.is_(True),
        PaymentNotification.transaction_status.in_(statuses),
    )


def _midtrans_ids():
    """(Midtrans order id, order id) of every order: its number (the first payments) and
    each attempt's "<number>-<n>" (MIDTRANS.md §2)."""
    return union_all(
        select(Order.number.label("midtrans_id"), Order.id.label("order_id")),
        select(PaymentAttempt.midtrans_order_id, PaymentAttempt.order_id),
    ).subquery()


def _settled_at_gateway(order_ids: Select, *conditions) -> set[int]:
    """Those of `order_ids` that Midtrans said it was paid for: a validly signed "settlement"
    notification (meeting `conditions`) for one of their payment ids, with the signed
    status_code "200". The code is read from the stored body in Python, by the parser that
    checked the signature: a body the database's JSON reads otherwise (a repeated key) or
    refuses (NaN) can neither pass for paid nor stop the run."""
    ids = _midtrans_ids()
    notifications = db.session.execute(
        select(ids.c.order_id, PaymentNotification.raw_body)
        .join(PaymentNotification, PaymentNotification.order_id == ids.c.midtrans_id)
        .where(ids.c.order_id.in_(order_ids), _signed(SETTLED), *conditions)
    )
    return {order_id for order_id, raw_body in notifications if _says_paid(raw_body)}


def _says_paid(raw_body: str) -> bool:
    fields = json_object(raw_body.encode())
    return fields is not None and fields.get("status_code") == PAID_STATUS_CODE


def _settlement_entry_of(cooperative_id: int):
    return exists().where(
        JournalEntry.order_id == Order.id,
        JournalEntry.cooperative_id == cooperative_id,
        JournalEntry.kind == EntryKind.SETTLEMENT,
    )


def _in_cooperative(cooperative_id: int):
    return exists().where(
        OrderShipment.order_id == Order.id, OrderShipment.cooperative_id == cooperative_id
    )


def paid_not_settled(cooperative_id: int, now: datetime, settlement_days: int) -> Found:
    """Orders whose settlement the cooperative's ledger posted more than settlement_days ago
    with no signed "settlement" from Midtrans for any of their payment ids: the gateway may
    never pay this money. Amount: what the entry debited to gateway clearing."""
    posted_before = and_(
        JournalEntry.cooperative_id == cooperative_id,
        JournalEntry.kind == EntryKind.SETTLEMENT,
        JournalEntry.created_at < now - timedelta(days=settlement_days),
    )
    rows = db.session.execute(
        select(Order.id, Order.number, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.order_id == Order.id)
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(posted_before, Posting.account == Account.GATEWAY_CLEARING)
        .group_by(Order.id, Order.number)
    ).all()
    if not rows:
        return {}
    settled = _settled_at_gateway(select(JournalEntry.order_id).where(posted_before))
    return {number: int(amount) for order_id, number, amount in rows if order_id not in settled}


def settled_unknown(cooperative_id: int, now: datetime) -> Found:
    """Orders with a part in the cooperative that Midtrans said it settled (and did not give
    back since) and that the cooperative's ledger never posted: money the books do not know
    of. Amount: the cooperative's part of the order (its items and shipping)."""
    later = aliased(PaymentNotification)
    given_back_since = exists().where(
        later.order_id == PaymentNotification.order_id,
        later.id > PaymentNotification.id,
        later.signature_valid.is_(True),
        later.transaction_status.in_(GIVEN_BACK),
    )
    unposted = select(Order.id).where(
        _in_cooperative(cooperative_id), ~_settlement_entry_of(cooperative_id)
    )
    settled = _settled_at_gateway(
        unposted, PaymentNotification.received_at < now - NOTIFICATION_GRACE, ~given_back_since
    )
    if not settled:
        return {}
    parts = _parts(cooperative_id, sorted(settled))
    numbers = db.session.execute(select(Order.id, Order.number).where(Order.id.in_(settled)))
    return {number: parts.get(order_id, 0) for order_id, number in numbers}


def refund_not_allocated(cooperative_id: int) -> Found:
    """Orders with a part in the cooperative and a refund made at Midtrans that no admin has
    allocated to lines yet. Amount: what is left to allocate."""
    rows = db.session.execute(
        select(Order.number, func.sum(ExternalRefund.amount - ExternalRefund.allocated))
        .join(ExternalRefund, ExternalRefund.order_id == Order.id)
        .where(ExternalRefund.allocated_at.is_(None), _in_cooperative(cooperative_id))
        .group_by(Order.number)
    ).all()
    return {number: int(amount) for number, amount in rows}


def payout_unapproved(cooperative_id: int) -> Found:
    """Payouts whose money the ledger moved (in transit, or paid) and did not give back,
    without an approval on record: no approver or approval time, or an approver who was not
    an active admin of the cooperative when they approved; and for a payout in a
    maker-checker batch, a batch not approved, or approved by its own preparer or by someone
    not an active admin at that moment (the roles as they were: shop/coops/role_history.py).
    Amount: the payout's."""
    moved = exists().where(
        JournalEntry.payout_id == Payout.id,
        JournalEntry.kind.in_([EntryKind.PAYOUT_APPROVED, EntryKind.PAYOUT_PAID]),
    )
    given_back = exists().where(
        JournalEntry.payout_id == Payout.id, JournalEntry.kind == EntryKind.PAYOUT_REJECTED
    )
    rows = db.session.execute(
        select(
            Payout.id,
            Payout.amount,
            Payout.decided_by_id,
            Payout.approved_at,
            Payout.batch_id,
            PayoutBatch.status,
            PayoutBatch.prepared_by_id,
            PayoutBatch.approved_by_id,
            PayoutBatch.approved_at,
        )
        .outerjoin(PayoutBatch, PayoutBatch.id == Payout.batch_id)
        .where(Payout.cooperative_id == cooperative_id, moved, ~given_back)
    ).all()
    if not rows:
        return {}
    roles = RoleHistory(cooperative_id)
    found = {}
    for (payout_id, amount, approver, approved_at, batch_id, batch_status, preparer,
         batch_approver, batch_approved_at) in rows:  # fmt: skip
        approved = roles.was_active_admin(approver, approved_at)
        if batch_id is not None:
            approved = approved and (
                batch_status == BatchStatus.APPROVED
                and batch_approver != preparer
                and roles.was_active_admin(batch_approver, batch_approved_at)
            )
        if not approved:
            found[str(payout_id)] = int(amount)
    return found


def _parts(cooperative_id: int, order_ids: list[int]) -> dict[int, int]:
    """The cooperative's items and shipping per order: what its entry would have cleared."""
    if not order_ids:
        return {}
    parts: dict[int, int] = dict.fromkeys(order_ids, 0)
    for order_id, total in db.session.execute(
        select(OrderLine.order_id, func.sum(OrderLine.line_total))
        .where(OrderLine.cooperative_id == cooperative_id, OrderLine.order_id.in_(order_ids))
        .group_by(OrderLine.order_id)
    ):
        parts[order_id] += int(total)
    for order_id, fee in db.session.execute(
        select(OrderShipment.order_id, OrderShipment.fee).where(
            OrderShipment.cooperative_id == cooperative_id, OrderShipment.order_id.in_(order_ids)
        )
    ):
        parts[order_id] += int(fee)
    return parts


def find_exceptions(
    cooperative_id: int, now: datetime, settlement_days: int
) -> dict[ExceptionKind, Found]:
    """Everything the reconciliation finds in the cooperative's books now, per kind."""
    checks: dict[ExceptionKind, Callable[[], Found]] = {
        ExceptionKind.PAID_NOT_SETTLED: lambda: paid_not_settled(
            cooperative_id, now, settlement_days
        ),
        ExceptionKind.SETTLED_UNKNOWN: lambda: settled_unknown(cooperative_id, now),
        ExceptionKind.REFUND_NOT_ALLOCATED: lambda: refund_not_allocated(cooperative_id),
        ExceptionKind.PAYOUT_UNAPPROVED: lambda: payout_unapproved(cooperative_id),
    }
    return {kind: check() for kind, check in checks.items()}
