"""Writing journal entries and reading balances: the two things every money rule needs.

add_entry() and add_entries() only flush: each posting rule calls one inside the transaction
of the state change that causes it (a payment applied, a payout approved...), which then
commits both or neither.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Insert, Select, Table, Update, bindparam, func, insert, select, update

from shop.extensions import db
from shop.ledger.chain import EntryContent, Head, PostingContent, content_hash, lock_chain_heads
from shop.ledger.models import Account, ChainHead, EntryKind, JournalEntry, Posting
from shop.timeutil import utcnow

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
class PostedEntry:
    """An entry add_entries() has just written."""

    id: int
    idempotency_key: str
    cooperative_id: int


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
) -> PostedEntry | None:
    """Add a balanced entry (legs of 0 are left out) and flush. Returns None, adding nothing,
    when an entry with this key exists already: posting is idempotent by the database's
    unique key, even for two transactions racing."""
    new = NewEntry(
        idempotency_key, kind, cooperative_id, tuple(legs), order_id, payout_id, refund_id,
        actor_id, memo,
    )  # fmt: skip
    added = add_entries([new])
    return added[0] if added else None


def add_entries(new_entries: Sequence[NewEntry]) -> list[PostedEntry]:
    """Add balanced entries, as add_entry() would one by one, and flush: the entries posted
    (those whose key exists already are left out, and a key's second entry in the list).
    Raises UnbalancedEntry for a bad one before writing any.

    Written without the ORM's unit of work, in six statements however many entries and
    cooperatives: the chain heads locked (in cooperative id order, made on a first entry),
    the keys looked for, the entries inserted, their postings inserted, their hashes and
    the heads written. The keys are looked for under the heads' locks: a concurrent twin
    (same key, so same cooperative) has committed by then, and is seen."""
    by_key: dict[str, NewEntry] = {}
    for new in new_entries:  # a key twice in one call is posted once, as its first
        by_key.setdefault(new.idempotency_key, new)
    legs = {key: [leg for leg in new.legs if leg.amount != 0] for key, new in by_key.items()}
    for key, entry_legs in legs.items():
        _check(key, entry_legs)
    if not by_key:
        return []
    db.session.flush()  # the rows the entries name (an order, a payout) are written first
    heads = lock_chain_heads([new.cooperative_id for new in by_key.values()])
    posted = set(db.session.scalars(_posted_keys(), {"keys": list(legs)}))
    for key in posted:
        logger.info("ledger: %s posted already", key)
    fresh = [new for key, new in by_key.items() if key not in posted]
    if not fresh:
        return []
    written = _insert(fresh, legs, utcnow())
    _seal(written, heads)
    return [PostedEntry(entry.id, entry.idempotency_key, entry.cooperative_id) for entry in written]


def _insert(
    fresh: list[NewEntry], legs: dict[str, list[Leg]], created_at: datetime
) -> list[EntryContent]:
    """The entries and their postings, one INSERT each (ids handed back in list order)."""
    entry_ids = db.session.scalars(
        _insert_returning_ids(JournalEntry.__table__),
        [
            {"idempotency_key": new.idempotency_key, "kind": new.kind,
             "cooperative_id": new.cooperative_id, "order_id": new.order_id,
             "payout_id": new.payout_id, "refund_id": new.refund_id, "actor_id": new.actor_id,
             "memo": new.memo[:200], "created_at": created_at}
            for new in fresh
        ],
    ).all()  # fmt: skip
    rows = [
        {"entry_id": entry_id, "cooperative_id": new.cooperative_id, "account": leg.account,
         "member_id": leg.member_id, "amount": leg.amount}
        for new, entry_id in zip(fresh, entry_ids, strict=True)
        for leg in legs[new.idempotency_key]
    ]  # fmt: skip
    posting_ids = iter(db.session.scalars(_insert_returning_ids(Posting.__table__), rows).all())
    return [
        EntryContent(
            entry_id,
            new.idempotency_key,
            new.kind,
            new.cooperative_id,
            new.order_id,
            new.payout_id,
            new.refund_id,
            new.actor_id,
            new.memo[:200],
            created_at,
            [
                PostingContent(next(posting_ids), leg.account, leg.member_id, leg.amount)
                for leg in legs[new.idempotency_key]
            ],
        )  # fmt: skip
        for new, entry_id in zip(fresh, entry_ids, strict=True)
    ]


def _seal(written: list[EntryContent], heads: dict[int, Head]) -> None:
    """Link each entry after its cooperative's head in id order, then write the hashes and
    the heads moved (one UPDATE each, executed for every row)."""
    hashes = []
    for entry in sorted(written, key=lambda entry: entry.id):
        head = heads[entry.cooperative_id]
        sealed = content_hash(entry, head.last_hash)
        hashes.append({"b_id": entry.id, "b_hash": sealed, "b_previous": head.last_hash})
        head.last_entry_id, head.last_hash = entry.id, sealed
    db.session.execute(_write_hashes(), hashes)
    moved = sorted({entry.cooperative_id for entry in written})
    db.session.execute(
        _move_heads(),
        [{"b_cooperative": cooperative_id, "b_entry": heads[cooperative_id].last_entry_id,
          "b_hash": heads[cooperative_id].last_hash} for cooperative_id in moved],
    )  # fmt: skip


# add_entries' statements, each built once (at its first use: building them at import would
# set up the mappers of a worker that never posts): only their parameters change.


@cache
def _posted_keys() -> Select:
    keys = JournalEntry.__table__.c.idempotency_key
    return select(keys).where(keys.in_(bindparam("keys", expanding=True)))


@cache
def _insert_returning_ids(table: Table) -> Insert:
    """An INSERT of many rows handing back their ids in the order of the rows given."""
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


@cache
def _write_hashes() -> Update:
    entries = JournalEntry.__table__
    return (
        update(entries)
        .where(entries.c.id == bindparam("b_id"))
        .values(content_hash=bindparam("b_hash"), previous_hash=bindparam("b_previous"))
    )


@cache
def _move_heads() -> Update:
    chain_heads = ChainHead.__table__
    return (
        update(chain_heads)
        .where(chain_heads.c.cooperative_id == bindparam("b_cooperative"))
        .values(last_entry_id=bindparam("b_entry"), last_hash=bindparam("b_hash"))
    )


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
