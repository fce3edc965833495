"""Money reports of one cooperative for one period, read from the ledger's postings.

The ledger is the truth: what was settled, refunded and paid out is what its entries say,
and an entry belongs to the period its created_at falls in. Two figures are not on any
posting because the fee is booked per cooperative, not per member: a member's fee (the
`fee` of their order lines in the orders settled in the period, joined to those settlement
entries) and the fee part of their refunds (the `fee` of the refund lines of the refund
entries in the period). Their totals equal the fee revenue postings of those entries, and
the tests hold every total to the postings.

Each report is a handful of grouped queries, whatever the number of members or orders.
"""

from dataclasses import dataclass, fields

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from shop.accounts.models import User
from shop.catalog.models import Category, Product
from shop.checkout.models import OrderLine
from shop.coops.models import Membership
from shop.extensions import db
from shop.ledger.models import Account, EntryKind, JournalEntry, Payout, Posting, RefundLine
from shop.reports.period import Period


@dataclass
class MemberRow:
    """One member's figures; totals use the same shape with no member."""

    member_id: int | None
    member_number: str
    name: str
    gross: int = 0  # line totals of their lines in the orders settled in the period
    fees: int = 0  # the cooperative's fee on those lines
    refunds: int = 0  # given back to shoppers for their lines (member part + fee part)
    refunded_fees: int = 0  # the fee part of those refunds, which the cooperative gave back
    pending: int = 0  # at the end of the period
    available: int = 0  # at the end of the period
    paid_out: int = 0  # payouts transferred in the period

    @property
    def net(self) -> int:
        """What the member earned in the period: gross less fees, less refunds net of fee."""
        return self.gross - self.fees - (self.refunds - self.refunded_fees)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in MONEY_FIELDS)


MONEY_FIELDS = tuple(field.name for field in fields(MemberRow)[3:])


@dataclass(frozen=True)
class MemberReport:
    rows: list[MemberRow]  # members with no figure at all are left out
    totals: MemberRow


@dataclass(frozen=True)
class CategoryRow:
    name: str  # the top-level category, in the reader's language; "" when unknown
    gross: int
    fees: int
    refunds: int


@dataclass(frozen=True)
class CategoryReport:
    rows: list[CategoryRow]
    totals: CategoryRow


@dataclass(frozen=True)
class FeeReport:
    fees_on_sales: int  # fee revenue credited by the settlements
    fees_returned: int  # fee revenue given back with refunds
    shipping: int
    gateway_fees: int  # what Midtrans charged

    @property
    def net(self) -> int:
        return self.fees_on_sales - self.fees_returned + self.shipping - self.gateway_fees


def in_period(period: Period) -> ColumnElement[bool]:
    return and_(
        JournalEntry.created_at >= period.starts_at, JournalEntry.created_at < period.ends_at
    )


def sum_where(condition: ColumnElement[bool], value) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def entries_of(cooperative_id: int, kind: EntryKind, period: Period) -> ColumnElement[bool]:
    return and_(
        JournalEntry.cooperative_id == cooperative_id,
        JournalEntry.kind == kind,
        in_period(period),
    )


def member_report(cooperative_id: int, period: Period) -> MemberReport:
    """Per member: gross sales, fees, refunds, net, balances at the period's end, paid out."""
    rows = {
        member_id: MemberRow(member_id, number, business_name or user_name)
        for member_id, number, business_name, user_name in db.session.execute(
            select(Membership.id, Membership.member_number, Membership.business_name, User.name)
            .join(User, User.id == Membership.user_id)
            .where(Membership.cooperative_id == cooperative_id)
        )
    }
    for member_id, earned, refunded, pending, available in _member_postings(cooperative_id, period):
        row = rows[member_id]
        row.gross += int(earned)
        row.refunds += int(refunded)
        row.pending, row.available = int(pending), int(available)
    for member_id, fee in _line_fees(cooperative_id, period):
        rows[member_id].gross += int(fee)
        rows[member_id].fees += int(fee)
    for member_id, fee in _refunded_fees(cooperative_id, period):
        rows[member_id].refunds += int(fee)
        rows[member_id].refunded_fees += int(fee)
    for member_id, amount in _paid_out(cooperative_id, period):
        rows[member_id].paid_out = int(amount)
    shown = sorted(
        (row for row in rows.values() if not row.is_empty), key=lambda r: r.member_number
    )
    totals = MemberRow(None, "", "")
    for name in MONEY_FIELDS:
        setattr(totals, name, sum(getattr(row, name) for row in shown))
    return MemberReport(shown, totals)


def _member_postings(cooperative_id: int, period: Period):
    """Per member: credited at settlement, debited by refunds (both in the period), and the
    pending and available balances at the period's end. Members' accounts are credit-normal,
    so a credit (negative posting) is money owed to the member."""
    return db.session.execute(
        select(
            Posting.member_id,
            sum_where(
                and_(JournalEntry.kind == EntryKind.SETTLEMENT, in_period(period)), -Posting.amount
            ),
            sum_where(
                and_(JournalEntry.kind == EntryKind.REFUND, in_period(period)), Posting.amount
            ),
            sum_where(Posting.account == Account.MEMBER_PENDING, -Posting.amount),
            sum_where(Posting.account == Account.MEMBER_AVAILABLE, -Posting.amount),
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Posting.cooperative_id == cooperative_id,
            Posting.member_id.is_not(None),
            JournalEntry.created_at < period.ends_at,
        )
        .group_by(Posting.member_id)
    ).all()


def settled_lines(cooperative_id: int, period: Period):
    """A join condition: the cooperative's lines of the orders it settled in the period (one
    settlement entry per order and cooperative, by its idempotency key)."""
    return and_(
        JournalEntry.order_id == OrderLine.order_id,
        JournalEntry.cooperative_id == OrderLine.cooperative_id,
        entries_of(cooperative_id, EntryKind.SETTLEMENT, period),
    )


def _refunds_in(cooperative_id: int, period: Period):
    return select(JournalEntry.refund_id).where(
        entries_of(cooperative_id, EntryKind.REFUND, period)
    )


def _line_fees(cooperative_id: int, period: Period):
    return db.session.execute(
        select(OrderLine.member_id, func.sum(OrderLine.fee))
        .join(JournalEntry, settled_lines(cooperative_id, period))
        .group_by(OrderLine.member_id)
    ).all()


def _refunded_fees(cooperative_id: int, period: Period):
    return db.session.execute(
        select(OrderLine.member_id, func.sum(RefundLine.fee))
        .join(OrderLine, OrderLine.id == RefundLine.order_line_id)
        .where(RefundLine.refund_id.in_(_refunds_in(cooperative_id, period)))
        .group_by(OrderLine.member_id)
    ).all()


def _paid_out(cooperative_id: int, period: Period):
    # A paid payout's entry moves in transit -> bank; its member is the payout's. One the
    # bank sent back (bank -> the member's available, a credit) counts against it.
    return db.session.execute(
        select(Payout.member_id, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.payout_id == Payout.id)
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(
            or_(
                and_(
                    entries_of(cooperative_id, EntryKind.PAYOUT_PAID, period),
                    Posting.account == Account.PAYOUTS_IN_TRANSIT,
                ),
                and_(
                    entries_of(cooperative_id, EntryKind.PAYOUT_RETURNED, period),
                    Posting.account == Account.MEMBER_AVAILABLE,
                ),
            )
        )
        .group_by(Payout.member_id)
    ).all()


def category_report(cooperative_id: int, period: Period, language: str) -> CategoryReport:
    """Per top-level category: gross sales and fees of the lines settled in the period, and
    the refunds of the period. A line whose product is gone counts as uncategorised."""
    top = aliased(Category)
    key = (top.id, top.position, top.name_id, top.name_en)

    def by_category(statement):
        return (
            statement.outerjoin(Product, Product.id == OrderLine.product_id)
            .outerjoin(Category, Category.id == Product.category_id)
            .outerjoin(top, top.id == func.coalesce(Category.parent_id, Category.id))
            .group_by(*key)
        )

    sales = db.session.execute(
        by_category(
            select(*key, func.sum(OrderLine.line_total), func.sum(OrderLine.fee)).join(
                JournalEntry, settled_lines(cooperative_id, period)
            )
        )
    ).all()
    refunds = db.session.execute(
        by_category(
            select(*key, func.sum(RefundLine.amount))
            .join(OrderLine, OrderLine.id == RefundLine.order_line_id)
            .where(RefundLine.refund_id.in_(_refunds_in(cooperative_id, period)))
        )
    ).all()
    figures: dict[tuple, list[int]] = {}
    for *category, gross, fees in sales:
        figures.setdefault(tuple(category), [0, 0, 0])[:2] = [int(gross), int(fees)]
    for *category, refunded in refunds:
        figures.setdefault(tuple(category), [0, 0, 0])[2] = int(refunded)
    # Known categories in their shop order, the uncategorised last.
    ordered = sorted(figures, key=lambda c: (c[0] is None, c[1] or 0, c[0] or 0))
    rows = []
    for category in ordered:
        _id, _position, name_id, name_en = category
        rows.append(
            CategoryRow((name_en if language == "en" else name_id) or "", *figures[category])
        )
    totals = CategoryRow(
        "", *(sum(getattr(row, name) for row in rows) for name in ("gross", "fees", "refunds"))
    )
    return CategoryReport(rows, totals)


def fee_report(cooperative_id: int, period: Period) -> FeeReport:
    """What the cooperative earned in the period: fees, shipping, less Midtrans's fees."""
    sums = {
        (account, kind): int(total)
        for account, kind, total in db.session.execute(
            select(Posting.account, JournalEntry.kind, func.sum(Posting.amount))
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(
                JournalEntry.cooperative_id == cooperative_id,
                in_period(period),
                Posting.account.in_(
                    [Account.FEE_REVENUE, Account.SHIPPING_REVENUE, Account.GATEWAY_FEES]
                ),
            )
            .group_by(Posting.account, JournalEntry.kind)
        )
    }

    def total(account: Account) -> int:
        return sum(amount for (of, _kind), amount in sums.items() if of == account)

    fees_on_sales = -sums.get((Account.FEE_REVENUE, EntryKind.SETTLEMENT), 0)
    return FeeReport(
        fees_on_sales=fees_on_sales,
        # Every other entry on fee revenue gives fees back (refunds): the net stays exact.
        fees_returned=fees_on_sales + total(Account.FEE_REVENUE),
        shipping=-total(Account.SHIPPING_REVENUE),
        gateway_fees=total(Account.GATEWAY_FEES),
    )
