"""A member's statement: every entry that touched their pending or available balance,
newest first, with each balance as it stood after the entry.

One row per entry (a completion moves money between the two balances in one entry). A page
starts from the balances after its newest row, summed from every entry up to that row, so
page 2 is as right as page 1 without reading page 1, and the entries of a chosen period show
the true balances too. Sales and refunds name the member's products in them.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from shop.checkout.models import Order, OrderLine
from shop.coops.models import Membership
from shop.extensions import db
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting, RefundLine
from shop.pagination import Page
from shop.reports.period import Period
from shop.reports.queries import in_period, sum_where

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
    # A sale's: the member's own lines of the order; a refund's: their units given back.
    products: tuple[tuple[str, int], ...] = ()  # (name with the variant, quantity)
    # A payout approval's simpanan wajib, deducted with the member's consent.
    wajib_change: int = 0


def _change(account: Account):
    # Member accounts are credit-normal: a credit (negative posting) raises what is owed.
    return sum_where(Posting.account == account, -Posting.amount)


def _of_member(membership: Membership):
    # Their simpanan are member accounts too, shown in a section of their own.
    return and_(
        Posting.cooperative_id == membership.cooperative_id,
        Posting.member_id == membership.id,
        Posting.account.in_((Account.MEMBER_PENDING, Account.MEMBER_AVAILABLE)),
    )


def _wajib_with_payout(membership: Membership):
    # Simpanan wajib deducted from a payout: shown on the payout's line of the statement.
    return and_(
        Posting.cooperative_id == membership.cooperative_id,
        Posting.member_id == membership.id,
        Posting.account == Account.SIMPANAN_WAJIB,
        JournalEntry.kind == EntryKind.PAYOUT_APPROVED,
    )


def _entries(membership: Membership, period: Period | None):
    key = (
        JournalEntry.id,
        JournalEntry.created_at,
        JournalEntry.kind,
        JournalEntry.order_id,
        JournalEntry.refund_id,
        Order.number,
        JournalEntry.payout_id,
    )
    statement = (
        select(
            *key,
            _change(Account.MEMBER_PENDING).label("pending_change"),
            _change(Account.MEMBER_AVAILABLE).label("available_change"),
            _change(Account.SIMPANAN_WAJIB).label("wajib_change"),
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .outerjoin(Order, Order.id == JournalEntry.order_id)
        .where(or_(_of_member(membership), _wajib_with_payout(membership)))
        .group_by(*key)
        .order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc())
    )
    return statement if period is None else statement.where(in_period(period))


def statement_page(
    membership: Membership, number: int, per_page: int | None = None, period: Period | None = None
) -> Page:
    """One page of the member's statement (items: StatementLine), only the entries of period
    when one is given, the balances still the true ones; four queries."""
    per_page = per_page or PER_PAGE
    rows = db.session.execute(
        _entries(membership, period)
        .add_columns(func.count().over().label("total"))
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    if not rows:  # nothing at all, or a page past the end
        total = db.session.scalar(
            select(func.count()).select_from(_entries(membership, period).order_by(None).subquery())
        )
        return Page(items=[], number=number, per_page=per_page, total=total or 0)
    lines = _lines(membership, rows)
    return Page(items=lines, number=number, per_page=per_page, total=rows[0].total)


def statement_lines(membership: Membership, period: Period | None = None) -> list[StatementLine]:
    """The whole statement, or the entries of period, newest first (for the downloads); four
    queries."""
    rows = db.session.execute(_entries(membership, period)).all()
    return _lines(membership, rows) if rows else []


def _lines(membership: Membership, rows) -> list[StatementLine]:
    """rows newest first: each with the balances after it and its products."""
    pending, available = _balances_after(membership, rows[0])
    products = _products(membership, rows)
    lines = []
    for row in rows:
        lines.append(
            StatementLine(
                row.id,
                row.created_at,
                row.kind,
                row.number,
                row.payout_id,
                int(row.pending_change),
                int(row.available_change),
                pending,
                available,
                products.get(row.id, ()),
                int(row.wajib_change),
            )
        )
        pending -= int(row.pending_change)
        available -= int(row.available_change)
    return lines


def _balances_after(membership: Membership, newest) -> tuple[int, int]:
    """The balances after the entry `newest`, from every entry up to it: right on any page,
    and with any period."""
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
    return int(pending), int(available)


def _products(membership: Membership, rows) -> dict[int, tuple[tuple[str, int], ...]]:
    """By entry id: the member's products in the sales and refunds among rows; two queries,
    however many rows."""
    # One settlement entry per order and cooperative, one refund entry per refund.
    sales = {row.order_id: row.id for row in rows if row.kind == EntryKind.SETTLEMENT}
    refunds = {row.refund_id: row.id for row in rows if row.kind == EntryKind.REFUND}
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for order_id, name, variant, quantity in db.session.execute(
        select(
            OrderLine.order_id, OrderLine.product_name, OrderLine.variant_label, OrderLine.quantity
        )
        .where(OrderLine.member_id == membership.id, OrderLine.order_id.in_(sales))
        .order_by(OrderLine.id)
    ):
        found[sales[order_id]].append((_named(name, variant), quantity))
    for refund_id, name, variant, quantity in db.session.execute(
        select(
            RefundLine.refund_id,
            OrderLine.product_name,
            OrderLine.variant_label,
            RefundLine.quantity,
        )
        .join(OrderLine, OrderLine.id == RefundLine.order_line_id)
        .where(OrderLine.member_id == membership.id, RefundLine.refund_id.in_(refunds))
        .order_by(RefundLine.id)
    ):
        found[refunds[refund_id]].append((_named(name, variant), quantity))
    return {entry_id: tuple(products) for entry_id, products in found.items()}


def _named(product_name: str, variant_label: str) -> str:
    return f"{product_name} {variant_label}" if variant_label else product_name
