"""Platform-wide figures for the operator, per period, in a handful of grouped queries.

The money comes from the ledger, read the way the cooperatives' own reports read it
(shop/reports/queries.py), so the operator's row of a cooperative equals its reports to the
Rupiah: gross sales are what the settlements of the period credited to members and to the
fee (the lines' totals), fees are the fee revenue those settlements credited, refunds what
the refund entries of the period took back from members and from the fee. Payouts waiting
are not a period's figure but what is owed now: a requested payout has no entry yet.
"""

from dataclasses import dataclass

from sqlalchemy import and_, func, select

from shop.catalog.models import Product, ProductStatus
from shop.checkout.models import Order
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.jobs.models import FailedJob
from shop.ledger.models import Account, EntryKind, JournalEntry, Payout, Posting
from shop.payouts.queries import OPEN_STATUSES
from shop.reports.period import Period
from shop.reports.queries import in_period, sum_where

# The accounts a sale is credited to: the members' part and the cooperative's fee (shipping
# is not a sale of the members).
SALE_ACCOUNTS = (Account.MEMBER_PENDING, Account.MEMBER_AVAILABLE, Account.FEE_REVENUE)


@dataclass
class Money:
    gross: int = 0  # line totals of the orders settled in the period
    fees: int = 0  # the cooperatives' fee on those lines
    refunds: int = 0  # given back to shoppers for lines (member part + fee part)
    payouts_waiting: int = 0  # requested or approved, not transferred yet (now)

    def add(self, other: "Money") -> None:
        self.gross += other.gross
        self.fees += other.fees
        self.refunds += other.refunds
        self.payouts_waiting += other.payouts_waiting


@dataclass(frozen=True)
class CoopRow:
    cooperative: Cooperative
    member_count: int  # active memberships
    products_on_sale: int
    money: Money


@dataclass(frozen=True)
class PlatformFigures:
    period: Period
    orders_placed: int  # placed in the period
    orders_paid: int  # of those, the ones paid
    rows: list[CoopRow]
    totals: Money  # every cooperative's, closed ones included: their money moved

    @property
    def active_cooperatives(self) -> int:
        return sum(1 for row in self.rows if row.cooperative.is_active)

    @property
    def active_members(self) -> int:
        return sum(row.member_count for row in self.rows if row.cooperative.is_active)

    @property
    def products_on_sale(self) -> int:
        # A closed cooperative's products are off the storefront, whatever their status.
        return sum(row.products_on_sale for row in self.rows if row.cooperative.is_active)

    @property
    def payment_success_bp(self) -> int | None:
        """Paid ÷ placed in basis points, rounded half up; None when nothing was placed."""
        if not self.orders_placed:
            return None
        return (self.orders_paid * 10_000 + self.orders_placed // 2) // self.orders_placed


def platform_figures(period: Period) -> PlatformFigures:
    """Every cooperative (by name) with its members, products and money in the period, the
    platform's totals and its orders."""
    members = _count_by_coop(Membership.cooperative_id, Membership.is_active.is_(True))
    products = _count_by_coop(Product.cooperative_id, Product.status == ProductStatus.ACTIVE)
    money = _ledger_money(period)
    for cooperative_id, amount in _payouts_waiting():
        money.setdefault(cooperative_id, Money()).payouts_waiting = int(amount)
    rows = [
        CoopRow(
            coop, members.get(coop.id, 0), products.get(coop.id, 0), money.get(coop.id, Money())
        )
        for coop in db.session.scalars(select(Cooperative).order_by(Cooperative.name))
    ]
    totals = Money()
    for row in rows:
        totals.add(row.money)
    placed, paid = _orders(period)
    return PlatformFigures(period, placed, paid, rows, totals)


def _count_by_coop(cooperative_id, condition) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(cooperative_id, func.count()).where(condition).group_by(cooperative_id)
        ).all()
    )


def _ledger_money(period: Period) -> dict[int, Money]:
    settled = JournalEntry.kind == EntryKind.SETTLEMENT
    refunded = JournalEntry.kind == EntryKind.REFUND
    on_sale_accounts = Posting.account.in_(SALE_ACCOUNTS)
    rows = db.session.execute(
        select(
            JournalEntry.cooperative_id,
            # Credits are negative: a sale credits, a refund debits the same accounts.
            sum_where(and_(settled, on_sale_accounts), -Posting.amount),
            sum_where(and_(settled, Posting.account == Account.FEE_REVENUE), -Posting.amount),
            sum_where(and_(refunded, on_sale_accounts), Posting.amount),
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(JournalEntry.kind.in_([EntryKind.SETTLEMENT, EntryKind.REFUND]), in_period(period))
        .group_by(JournalEntry.cooperative_id)
    ).all()
    return {
        cooperative_id: Money(gross=int(gross), fees=int(fees), refunds=int(refunds))
        for cooperative_id, gross, fees, refunds in rows
    }


def _payouts_waiting():
    return db.session.execute(
        select(Payout.cooperative_id, func.sum(Payout.amount))
        .where(Payout.status.in_(OPEN_STATUSES))
        .group_by(Payout.cooperative_id)
    ).all()


def _orders(period: Period) -> tuple[int, int]:
    """Orders placed in the period, and how many of them were paid (whenever: an order is
    paid within its payment window, so the rate is never above 100 %)."""
    placed, paid = db.session.execute(
        select(func.count(Order.id), func.count(Order.paid_at)).where(
            Order.created_at >= period.starts_at, Order.created_at < period.ends_at
        )
    ).one()
    return int(placed), int(paid)


def unresolved_failure_count() -> int:
    """Jobs that failed for good and wait for the operator (the jobs page lists them)."""
    return db.session.scalar(
        select(func.count()).select_from(FailedJob).where(FailedJob.resolved_at.is_(None))
    )
