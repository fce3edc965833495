"""`flask ledger check`: the proofs a bookkeeper can run at any time.

Each check is one query over the whole ledger and returns readable violations; an empty
list means the books hold. The tests run check_ledger() after every money scenario.
"""

from collections.abc import Callable

from sqlalchemy import func, select

from shop.checkout.models import Order, OrderLine, OrderShipment
from shop.extensions import db
from shop.ledger.chain import broken_hash_chain
from shop.ledger.models import (
    MEMBER_ACCOUNTS,
    Account,
    EntryKind,
    JournalEntry,
    Payout,
    PayoutStatus,
    Posting,
)


def check_ledger() -> list[str]:
    """Every violation of the ledger's invariants, as sentences; [] when the books hold."""
    problems: list[str] = []
    for check in CHECKS:
        problems.extend(check())
    return problems


def _unbalanced_entries() -> list[str]:
    rows = db.session.execute(
        select(JournalEntry.idempotency_key, func.coalesce(func.sum(Posting.amount), 0))
        .outerjoin(Posting, Posting.entry_id == JournalEntry.id)
        .group_by(JournalEntry.id, JournalEntry.idempotency_key)
        .having(func.coalesce(func.sum(Posting.amount), 0) != 0)
        .order_by(JournalEntry.id)  # oldest first, the same on every database
    ).all()
    return [f"entry {key}: postings sum to {total}, not 0" for key, total in rows]


def _cross_cooperative_postings() -> list[str]:
    rows = db.session.execute(
        select(JournalEntry.idempotency_key)
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(Posting.cooperative_id != JournalEntry.cooperative_id)
        .distinct()
    ).all()
    return [f"entry {key}: posts to another cooperative's books" for (key,) in rows]


def _negative_member_balances() -> list[str]:
    rows = db.session.execute(
        select(Posting.member_id, Posting.account, -func.sum(Posting.amount))
        .where(Posting.account.in_(sorted(MEMBER_ACCOUNTS)))
        .group_by(Posting.member_id, Posting.account)
        .having(-func.sum(Posting.amount) < 0)
    ).all()
    return [f"member {member}: {account} balance is {total}" for member, account, total in rows]


def _settlements_match_payments() -> list[str]:
    """Each paid order settled exactly once per cooperative in it, for what was paid; no
    unpaid order settled."""
    settled = dict(
        db.session.execute(
            select(JournalEntry.order_id, func.count(JournalEntry.id))
            .where(JournalEntry.kind == EntryKind.SETTLEMENT)
            .group_by(JournalEntry.order_id)
        ).all()
    )
    cleared = dict(
        db.session.execute(
            select(JournalEntry.order_id, func.sum(Posting.amount))
            .join(Posting, Posting.entry_id == JournalEntry.id)
            .where(
                JournalEntry.kind == EntryKind.SETTLEMENT,
                Posting.account == Account.GATEWAY_CLEARING,
            )
            .group_by(JournalEntry.order_id)
        ).all()
    )
    parts = dict(
        db.session.execute(
            select(OrderShipment.order_id, func.count(OrderShipment.id)).group_by(
                OrderShipment.order_id
            )
        ).all()
    )
    problems = []
    orders = db.session.execute(
        select(Order.id, Order.number, Order.paid_at, Order.grand_total).where(
            (Order.paid_at.is_not(None)) | (Order.id.in_(list(settled)))
        )
    ).all()
    for order_id, number, paid_at, grand_total in orders:
        count = settled.get(order_id, 0)
        if paid_at is None:
            problems.append(f"order {number}: settled {count} time(s) but not paid")
        elif count != parts.get(order_id, 0):
            problems.append(
                f"order {number}: {count} settlement entries for {parts.get(order_id, 0)} "
                "cooperative part(s)"
            )
        elif cleared.get(order_id, 0) != grand_total:
            problems.append(
                f"order {number}: settled {cleared.get(order_id, 0)}, paid {grand_total}"
            )
    return problems


def _refunds_within_payments() -> list[str]:
    refunded = db.session.execute(
        select(Order.number, Order.grand_total, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.order_id == Order.id)
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(JournalEntry.kind == EntryKind.REFUND, Posting.account == Account.GATEWAY_CLEARING)
        .group_by(Order.id, Order.number, Order.grand_total)
    ).all()
    # A refund credits gateway clearing: its postings there are negative.
    return [
        f"order {number}: refunded {-total}, more than the {paid} paid"
        for number, paid, total in refunded
        if -total > paid
    ]


def _payouts_match_entries() -> list[str]:
    """A payout's status says which entries it must have: approved (and paid or rejected
    after it, and returned after paid) exactly once each."""
    expected = {
        PayoutStatus.REQUESTED: set(),
        PayoutStatus.APPROVED: {EntryKind.PAYOUT_APPROVED},
        PayoutStatus.PAID: {EntryKind.PAYOUT_APPROVED, EntryKind.PAYOUT_PAID},
        PayoutStatus.REJECTED: {EntryKind.PAYOUT_APPROVED, EntryKind.PAYOUT_REJECTED},
        PayoutStatus.RETURNED: {
            EntryKind.PAYOUT_APPROVED,
            EntryKind.PAYOUT_PAID,
            EntryKind.PAYOUT_RETURNED,
        },
    }
    kinds: dict[int, list[EntryKind]] = {}
    for payout_id, kind in db.session.execute(
        select(JournalEntry.payout_id, JournalEntry.kind).where(JournalEntry.payout_id.is_not(None))
    ):
        kinds.setdefault(payout_id, []).append(kind)
    problems = []
    for payout_id, status in db.session.execute(select(Payout.id, Payout.status)):
        posted = kinds.get(payout_id, [])
        allowed = expected[status]
        # A rejection straight from "requested" moved no money: no entries at all.
        if status == PayoutStatus.REJECTED and not posted:
            continue
        if sorted(posted) != sorted(allowed):
            problems.append(f"payout {payout_id} ({status}): entries {sorted(posted)}")
    return problems


def _order_lines_add_up() -> list[str]:
    rows = db.session.execute(
        select(Order.number)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .group_by(Order.id, Order.number, Order.items_total)
        .having(func.sum(OrderLine.line_total) != Order.items_total)
    ).all()
    return [f"order {number}: lines do not add up to its items total" for (number,) in rows]


CHECKS: tuple[Callable[[], list[str]], ...] = (
    _unbalanced_entries,
    _cross_cooperative_postings,
    _negative_member_balances,
    _settlements_match_payments,
    _refunds_within_payments,
    _payouts_match_entries,
    _order_lines_add_up,
    broken_hash_chain,
)
