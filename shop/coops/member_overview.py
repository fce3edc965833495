"""What a cooperative's admin sees on one member's page: profile, products, sales, balance,
payouts and their audit trail. Money figures come from the reports' and payouts' own
queries, so this page and those pages always agree."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from shop.audit.queries import AuditRow, masked_account_number, trail_of
from shop.catalog.models import Product, ProductStatus
from shop.coops.models import Membership
from shop.extensions import db
from shop.ledger.models import Payout
from shop.payouts.queries import PayoutSummary, payout_summary, payouts_of
from shop.reports.forms import FIRST_YEAR
from shop.reports.period import Period, month_of, today_in_jakarta
from shop.reports.queries import MemberRow, member_report

PRODUCTS_SHOWN = 10


@dataclass(frozen=True)
class MemberOverview:
    membership: Membership
    masked_account_number: str
    product_counts: list[tuple[ProductStatus, int]]  # statuses they have, in the enum's order
    latest_products: list[Product]  # the latest changed, PRODUCTS_SHOWN at most
    this_month: MemberRow
    all_time: MemberRow
    balance: PayoutSummary
    payouts: list[Payout]
    trail: list[AuditRow]

    @property
    def product_total(self) -> int:
        return sum(count for _status, count in self.product_counts)


def member_overview(membership: Membership) -> MemberOverview:
    today = today_in_jakarta()
    return MemberOverview(
        membership=membership,
        masked_account_number=masked_account_number(membership.bank_account_number),
        product_counts=_product_counts(membership),
        latest_products=list(
            db.session.scalars(
                select(Product)
                .where(Product.member_id == membership.id)
                .order_by(Product.updated_at.desc(), Product.id.desc())
                .limit(PRODUCTS_SHOWN)
            )
        ),
        this_month=_sales(membership, month_of(today)),
        # From the first day a report accepts: every settlement the ledger holds.
        all_time=_sales(membership, Period(date(FIRST_YEAR, 1, 1), today)),
        balance=payout_summary(membership),
        payouts=payouts_of(membership),
        trail=trail_of(membership),
    )


def _product_counts(membership: Membership) -> list[tuple[ProductStatus, int]]:
    counts = dict(
        db.session.execute(
            select(Product.status, func.count(Product.id))
            .where(Product.member_id == membership.id)
            .group_by(Product.status)
        ).all()
    )
    return [(status, counts[status]) for status in ProductStatus if counts.get(status)]


def _sales(membership: Membership, period: Period) -> MemberRow:
    report = member_report(membership.cooperative_id, period)
    row = next((row for row in report.rows if row.member_id == membership.id), None)
    return row or MemberRow(membership.id, membership.member_number, membership.display_name)
