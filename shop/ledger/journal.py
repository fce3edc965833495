"""Writing journal entries and reading balances: the two things every money rule needs.

add_entry() and add_entries() only flush: each posting rule calls one inside the transaction
of the state change that causes it (a payment applied, a payout approved...), which then
commits both or neither.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.ledger.chain import ChainHeadMissing, link_entry, lock_chain_head, lock_chain_heads
from shop.ledger.models import Account, ChainHead, EntryKind, JournalEntry, Posting

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


@dataclass(frozen=True)
class NewEntry:
    """One entry to post: add_entries() writes several in one round of statements."""

    idempotency_key: str
    kind: EntryKind
    cooperative_id: int
    legs: tuple[Leg, ...]
    order_id: int | None = None
    payout_id: int | None = None
    refund_id: int | None = None
    actor_id: int | None = None
    memo: str = ""


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
    new = NewEntry(
        idempotency_key, kind, cooperative_id, tuple(legs), order_id, payout_id, refund_id,
        actor_id, memo,
    )  # fmt: skip
    added = add_entries([new])
    return added[0] if added else None


def add_entries(new_entries: Sequence[NewEntry]) -> list[JournalEntry]:
    """Add balanced entries, as add_entry() would one by one, and flush: the entries posted
    (those whose key exists already are left out). One statement does what add_entry() did
    once per entry: look for the keys, lock the chain heads, insert the entries, insert their
    postings, seal them. Raises UnbalancedEntry for a bad one before writing any."""
    legs = {
        new.idempotency_key: [leg for leg in new.legs if leg.amount != 0] for new in new_entries
    }
    for key, entry_legs in legs.items():
        _check(key, entry_legs)
    posted = set(
        db.session.scalars(
            select(JournalEntry.idempotency_key).where(JournalEntry.idempotency_key.in_(legs))
        )
    )
    for key in posted:
        logger.info("ledger: %s posted already", key)
    fresh = [new for new in new_entries if new.idempotency_key not in posted]
    if not fresh:
        return []
    entries = [_journal_entry(new, legs[new.idempotency_key]) for new in fresh]
    cooperative_ids = sorted({new.cooperative_id for new in fresh})
    try:  # in a savepoint: a concurrent twin fails alone, not the caller's work
        try:
            with db.session.begin_nested():
                _insert_sealed(entries, lock_chain_heads(cooperative_ids))
        except ChainHeadMissing:
            # A cooperative's first entry: the savepoint's rollback let go of the heads locked
            # with it, and they are locked again one by one in order, the new one made.
            heads = {cooperative_id: lock_chain_head(cooperative_id)
                     for cooperative_id in cooperative_ids}  # fmt: skip
            with db.session.begin_nested():
                _insert_sealed(entries, heads)
    except IntegrityError:
        if len(fresh) > 1:  # which one has a twin: each alone, as add_entry() would
            return [entry for new in fresh for entry in add_entries([new])]
        logger.info("ledger: %s posted concurrently", fresh[0].idempotency_key)
        return []
    return entries


def _journal_entry(new: NewEntry, legs: list[Leg]) -> JournalEntry:
    return JournalEntry(
        idempotency_key=new.idempotency_key,
        kind=new.kind,
        cooperative_id=new.cooperative_id,
        order_id=new.order_id,
        payout_id=new.payout_id,
        refund_id=new.refund_id,
        actor_id=new.actor_id,
        memo=new.memo[:200],
        postings=[
            Posting(
                cooperative_id=new.cooperative_id,
                account=leg.account,
                member_id=leg.member_id,
                amount=leg.amount,
            )
            for leg in legs
        ],
    )


def _insert_sealed(entries: list[JournalEntry], heads: dict[int, ChainHead]) -> None:
    """Insert the entries and their postings (one INSERT each, the ids handed out in list
    order), then link each after its cooperative's head in id order, and flush the hashes
    and heads (one UPDATE each)."""
    db.session.add_all(entries)
    db.session.flush()
    for entry in sorted(entries, key=lambda entry: entry.id):
        link_entry(entry, heads[entry.cooperative_id])
    db.session.flush()


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
