"""Writing journal entries and reading balances: the two things every money rule needs.

add_entry() only flushes: each posting rule calls it inside the transaction of the state
change that causes it (a payment applied, a payout approved...), which then commits both or
neither.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.ledger.chain import lock_chain_head, seal_entry
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting

logger = logging.getLogger(__name__)


class UnbalancedEntry(Exception):
    """Postings that do not sum to zero: a bug in a posting rule, never a user's doing."""


@dataclass(frozen=True)
class Leg:
    """One posting to make: debit when amount > 0, credit when < 0."""

    account: Account
    amount: int
    member_id: int | None = None


def debit(account: Account, amount: int, member_id: int | None = None) -> Leg:
    return Leg(account, amount, member_id)


def credit(account: Account, amount: int, member_id: int | None = None) -> Leg:
    return Leg(account, -amount, member_id)


def add_entry(
    idempotency_key: str,
    kind: EntryKind,
    cooperative_id: int,
    legs: Iterable[Leg],
    *,
    order_id: int | None = None,
    payout_id: int | None = None,
    refund_id: int | None = None,
    actor_id: int | None = None,
    memo: str = "",
) -> JournalEntry | None:
    """Add a balanced entry (legs of 0 are left out) and flush. Returns None, adding nothing,
    when an entry with this key exists already: posting is idempotent by the database's
    unique key, even for two transactions racing."""
    legs = [leg for leg in legs if leg.amount != 0]
    _check(idempotency_key, legs)
    if db.session.scalar(
        select(JournalEntry.id).where(JournalEntry.idempotency_key == idempotency_key)
    ):
        logger.info("ledger: %s posted already", idempotency_key)
        return None
    head = lock_chain_head(cooperative_id)
    entry = JournalEntry(
        idempotency_key=idempotency_key,
        kind=kind,
        cooperative_id=cooperative_id,
        order_id=order_id,
        payout_id=payout_id,
        refund_id=refund_id,
        actor_id=actor_id,
        memo=memo[:200],
        postings=[
            Posting(
                cooperative_id=cooperative_id,
                account=leg.account,
                member_id=leg.member_id,
                amount=leg.amount,
            )
            for leg in legs
        ],
    )
    try:
        with db.session.begin_nested():  # a concurrent twin fails alone, not the caller's work
            db.session.add(entry)
            db.session.flush()
            seal_entry(entry, head)
    except IntegrityError:
        logger.info("ledger: %s posted concurrently", idempotency_key)
        return None
    return entry


def _check(idempotency_key: str, legs: list[Leg]) -> None:
    if not legs:
        raise UnbalancedEntry(f"{idempotency_key}: no postings")
    total = sum(leg.amount for leg in legs)
    if total != 0:
        raise UnbalancedEntry(f"{idempotency_key}: postings sum to {total}")
    for leg in legs:
        if leg.account.is_member_account != (leg.member_id is not None):
            raise UnbalancedEntry(f"{idempotency_key}: {leg.account} with member {leg.member_id}")


def balance(cooperative_id: int, account: Account, member_id: int | None = None) -> int:
    """The account's balance on its normal side: what a member is owed is positive, as is
    what Midtrans owes the cooperative."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Posting.amount), 0)).where(
            Posting.cooperative_id == cooperative_id,
            Posting.account == account,
            Posting.member_id.is_(None) if member_id is None else Posting.member_id == member_id,
        )
    )
    return int(total) if account.is_debit_normal else -int(total)
