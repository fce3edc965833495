"""The journal as a hash chain, one per cooperative, so an edit behind the application's back
shows.

Each entry stores the SHA-256 of a canonical serialisation of its own content (its columns and
its postings) together with the hash of the entry before it in its cooperative's chain. A row
edited in the database no longer matches its hash; an entry deleted leaves the next one
pointing at a hash nobody has; the last entries deleted leave the chain shorter than its head
row says. `flask ledger check` recomputes the chain and names the entry where it breaks.

Two entries of one cooperative written at once must not both follow the same entry, so
add_entries() locks the cooperatives' head rows (in cooperative id order) before it inserts:
the entry ids are then handed out in chain order too. SQLite
serialises writers on its own.
The chain catches a hand edit or a stray script; someone who recomputes every later hash
after an edit is caught only by comparing the head hash with a copy kept elsewhere.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.ledger.models import GENESIS_HASH, ChainHead, JournalEntry


@dataclass(frozen=True)
class PostingContent:
    id: int
    account: str
    member_id: int | None
    amount: int


@dataclass(frozen=True)
class EntryContent:
    """An entry's hashed content as written by add_entries() (which writes without the ORM),
    with the same attribute names as JournalEntry's."""

    id: int
    idempotency_key: str
    kind: str
    cooperative_id: int
    order_id: int | None
    payout_id: int | None
    refund_id: int | None
    actor_id: int | None
    memo: str
    created_at: datetime
    postings: list[PostingContent]


def canonical_content(entry: JournalEntry | EntryContent, previous_hash: str) -> bytes:
    """What an entry's hash covers, as bytes that mean the same on every database and Python:
    sorted JSON keys, no spaces, UTC times with microseconds, postings in id order."""
    content = {
        "id": entry.id,
        "key": entry.idempotency_key,
        "kind": str(entry.kind),
        "cooperative": entry.cooperative_id,
        "order": entry.order_id,
        "payout": entry.payout_id,
        "refund": entry.refund_id,
        "actor": entry.actor_id,
        "memo": entry.memo,
        "created_at": entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "postings": [
            [str(posting.account), posting.member_id, posting.amount]
            for posting in sorted(entry.postings, key=lambda posting: posting.id)
        ],
        "previous": previous_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def content_hash(entry: JournalEntry | EntryContent, previous_hash: str) -> str:
    return hashlib.sha256(canonical_content(entry, previous_hash)).hexdigest()


@dataclass
class Head:
    """A cooperative's chain head as locked: where its next entry links."""

    cooperative_id: int
    last_entry_id: int | None
    last_hash: str


def lock_chain_heads(cooperative_ids: list[int]) -> dict[int, Head]:
    """The cooperatives' chain heads, locked until the transaction ends, by one statement in
    cooperative id order: an upsert that makes a head on its cooperative's first entry and
    otherwise rewrites it as it is, which locks it (PostgreSQL takes the row locks of an
    INSERT ... ON CONFLICT DO UPDATE in the order of its rows). Two first entries racing:
    the second waits for the first's commit, then locks the head it made."""
    table = ChainHead.__table__
    upsert = _insert_for(db.session.get_bind().dialect.name)(table).values(
        [{"cooperative_id": cooperative_id, "last_hash": GENESIS_HASH}
         for cooperative_id in sorted(set(cooperative_ids))]
    )  # fmt: skip
    rows = db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=[table.c.cooperative_id], set_={"last_hash": table.c.last_hash}
        ).returning(table.c.cooperative_id, table.c.last_entry_id, table.c.last_hash)
    )
    return {row.cooperative_id: Head(*row) for row in rows}


def _insert_for(dialect: str):
    return sqlite_insert if dialect == "sqlite" else postgresql_insert


def link_entry(entry: JournalEntry, head: ChainHead | Head) -> None:
    """Link an inserted entry (its id and its postings' ids known) after the head, and move
    the head to it. Writes nothing yet: the next flush does, for every entry linked."""
    entry.previous_hash = head.last_hash
    entry.content_hash = content_hash(entry, head.last_hash)
    head.last_entry_id = entry.id
    head.last_hash = entry.content_hash


def seal_entry(entry: JournalEntry, head: ChainHead) -> None:
    """link_entry(), flushed."""
    link_entry(entry, head)
    db.session.flush()


def broken_hash_chain() -> list[str]:
    """Where each cooperative's chain breaks, as sentences naming the entry; [] when every
    entry matches its hash and follows the one before it."""
    heads = {head.cooperative_id: head for head in db.session.scalars(select(ChainHead))}
    problems: list[str] = []
    cooperative_id, previous_hash, previous_id = None, GENESIS_HASH, None
    entries = db.session.scalars(
        select(JournalEntry)
        .options(selectinload(JournalEntry.postings))
        .order_by(JournalEntry.cooperative_id, JournalEntry.id)
        .execution_options(yield_per=500)
    )
    for entry in entries:
        if entry.cooperative_id != cooperative_id:
            if cooperative_id is not None:
                problems += _head_problems(cooperative_id, heads.pop(cooperative_id, None),
                                           previous_hash, previous_id)  # fmt: skip
            cooperative_id, previous_hash, previous_id = entry.cooperative_id, GENESIS_HASH, None
        problems += _entry_problems(entry, previous_hash, previous_id)
        previous_hash, previous_id = entry.content_hash or "", entry.id
    if cooperative_id is not None:
        problems += _head_problems(cooperative_id, heads.pop(cooperative_id, None),
                                   previous_hash, previous_id)  # fmt: skip
    for head in heads.values():  # a chain whose every entry is gone
        if head.last_entry_id is not None:
            problems += _head_problems(head.cooperative_id, head, GENESIS_HASH, None)
    return problems


def _entry_problems(entry: JournalEntry, previous_hash: str, previous_id: int | None) -> list:
    name = f"entry {entry.id} ({entry.idempotency_key})"
    if entry.content_hash is None:
        return [f"{name}: not sealed in its cooperative's hash chain"]
    problems = []
    if entry.previous_hash != previous_hash:
        before = f"entry {previous_id}" if previous_id else "the start of the chain"
        problems.append(
            f"{name}: does not follow {before} in the hash chain "
            "(an entry between them was deleted, or the chain rewritten)"
        )
    if entry.content_hash != content_hash(entry, entry.previous_hash or ""):
        problems.append(f"{name}: its content does not match its hash (edited in the database)")
    return problems


def _head_problems(
    cooperative_id: int, head: ChainHead | None, last_hash: str, last_id: int | None
) -> list[str]:
    if head is not None and (head.last_hash, head.last_entry_id) == (last_hash, last_id):
        return []
    said = f"entry {head.last_entry_id}" if head is not None else "nothing"
    return [
        f"cooperative {cooperative_id}: its hash chain ends at entry {last_id} but its head "
        f"says {said} (entries at the end deleted, or the head edited)"
    ]
