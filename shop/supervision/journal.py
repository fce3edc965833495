"""The cooperative's journal as the admins and the pengawas read it: every entry, newest
first, with its legs and its place in the hash chain (shop/ledger/chain.py)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.ledger.models import JournalEntry, Posting
from shop.pagination import Page, paginate

PER_PAGE = 25


@dataclass(frozen=True)
class Leg:
    account: str
    member: Membership | None
    debit: int
    credit: int


@dataclass(frozen=True)
class JournalRow:
    entry: JournalEntry
    legs: list[Leg]


def journal_page(coop: Cooperative, number: int) -> Page:
    """A page of the cooperative's journal entries (items: JournalRow); three queries."""
    page = paginate(
        select(JournalEntry)
        .where(JournalEntry.cooperative_id == coop.id)
        .options(selectinload(JournalEntry.postings))
        .order_by(JournalEntry.id.desc()),
        number,
        PER_PAGE,
    )
    members = _members_of(page.items)
    rows = [
        JournalRow(entry, [_leg(posting, members) for posting in entry.postings])
        for entry in page.items
    ]
    return Page(rows, page.number, page.per_page, page.total)


def _members_of(entries: list[JournalEntry]) -> dict[int, Membership]:
    ids = {posting.member_id for entry in entries for posting in entry.postings}
    ids.discard(None)
    if not ids:
        return {}
    return {m.id: m for m in db.session.scalars(select(Membership).where(Membership.id.in_(ids)))}


def _leg(posting: Posting, members: dict[int, Membership]) -> Leg:
    # Debits are positive, credits negative (shop/ledger/models.py).
    return Leg(
        account=posting.account,
        member=members.get(posting.member_id),
        debit=max(posting.amount, 0),
        credit=max(-posting.amount, 0),
    )
