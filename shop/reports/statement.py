"""A member's statement: every entry that touched their pending or available balance,
newest first, with each balance as it stood after the entry.

One row per entry (a completion moves money between the two balances in one entry). A page
starts from the balances after its newest row, summed from every entry up to that row, so
page 2 is as right as page 1 without reading page 1.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from shop.checkout.models import Order
from shop.coops.models import Membership
from shop.extensions import db
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.pagination import Page
from shop.reports.queries import sum_where

PER_PAGE = 50


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    created_at: datetime
    kind: EntryKind
    order_number: str | None
    payout_id: int | None
    pending_change: int  # + credited to the member, - debited
    available_change: int
    pending_balance: int  # after this entry
    available_balance: int


def _change(account: Account):
    # Member accounts are credit-normal: a credit (negative posting) raises what is owed.
    return sum_where(Posting.account == account, -Posting.amount)


def _of_member(membership: Membership):
    return and_(
        Posting.cooperative_id == membership.cooperative_id,
        Posting.member_id == membership.id,
    )


def _entries(membership: Membership):
    return (
        select(
            JournalEntry.id,
            JournalEntry.created_at,
            JournalEntry.kind,
            Order.number,
            JournalEntry.payout_id,
            _change(Account.MEMBER_PENDING),
            _change(Account.MEMBER_AVAILABLE),
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .outerjoin(Order, Order.id == JournalEntry.order_id)
        .where(_of_member(membership))
        .group_by(
            JournalEntry.id,
            JournalEntry.created_at,
            JournalEntry.kind,
            Order.number,
            JournalEntry.payout_id,
        )
        .order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc())
    )


def statement_page(membership: Membership, number: int, per_page: int | None = None) -> Page:
    """One page of the member's statement (items: StatementLine); two queries."""
    per_page = per_page or PER_PAGE
    rows = db.session.execute(
        _entries(membership)
        .add_columns(func.count().over())
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    if not rows:  # nothing at all, or a page past the end
        total = db.session.scalar(
            select(func.count()).select_from(_entries(membership).order_by(None).subquery())
        )
        return Page(items=[], number=number, per_page=per_page, total=total or 0)
    newest = rows[0]
    pending, available = db.session.execute(
        select(_change(Account.MEMBER_PENDING), _change(Account.MEMBER_AVAILABLE))
        .select_from(Posting)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            _of_member(membership),
            or_(
                JournalEntry.created_at < newest.created_at,
                and_(JournalEntry.created_at == newest.created_at, JournalEntry.id <= newest.id),
            ),
        )
    ).one()
    lines = _with_balances([row[:7] for row in rows], int(pending), int(available))
    return Page(items=lines, number=number, per_page=per_page, total=rows[0][7])


def statement_lines(membership: Membership) -> list[StatementLine]:
    """The whole statement, newest first (for the CSV); one query."""
    rows = db.session.execute(_entries(membership)).all()
    pending = sum(int(row[5]) for row in rows)
    available = sum(int(row[6]) for row in rows)
    return _with_balances(rows, pending, available)


def _with_balances(rows, pending: int, available: int) -> list[StatementLine]:
    """rows newest first; pending and available: the balances after the newest row."""
    lines = []
    for (
        entry_id,
        created_at,
        kind,
        order_number,
        payout_id,
        pending_change,
        available_change,
    ) in rows:
        lines.append(
            StatementLine(
                entry_id,
                created_at,
                kind,
                order_number,
                payout_id,
                int(pending_change),
                int(available_change),
                pending,
                available,
            )
        )
        pending -= int(pending_change)
        available -= int(available_change)
    return lines
