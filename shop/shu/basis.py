"""The SHU basis of each member for a financial year, read from the ledger.

A financial year runs from 1 January to 31 December in Jakarta time; an entry belongs to the
year its created_at falls in (when it was posted, as every report here counts it).

- Sales (jasa usaha): what the member earned on their sales in the year, net of refunds: the
  settlement entries' credits to their pending balance, less what the refund entries took
  back from their pending or available balance. A refund in the year of a sale made the year
  before can take a member's figure below zero; it counts as 0.
- Purchases (jasa usaha, when the statutes count them): what the member, as a shopper signed
  in with their account, paid the cooperative for goods in the year, net of refunds: the
  gateway clearing debit of the cooperative's settlement entries of their orders less the
  shipping in them, less the refunds' credits.
- Capital (jasa modal): their simpanan pokok + wajib at the end of the year.

One grouped query per figure, whatever the number of members.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from shop.checkout.models import Order
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.reports.period import Period

SALES_KINDS = (EntryKind.SETTLEMENT, EntryKind.REFUND)


@dataclass(frozen=True)
class MemberBasis:
    member: Membership
    sales: int
    purchases: int
    capital: int

    def usaha(self, counts_purchases: bool) -> int:
        """The member's weight in jasa usaha."""
        return self.sales + (self.purchases if counts_purchases else 0)


def financial_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def shu_basis(coop: Cooperative, year: int) -> list[MemberBasis]:
    """Every member's basis for the year, by member number: the active members and anyone
    else with a figure in it."""
    period = financial_year(year)
    sales = _sales(coop.id, period)
    purchases = _purchases(coop.id, period)
    capital = _capital(coop.id, period)
    with_figures = {member_id for figures in (sales, purchases, capital) for member_id in figures}
    members = db.session.scalars(
        select(Membership)
        .where(
            Membership.cooperative_id == coop.id,
            or_(Membership.is_active.is_(True), Membership.id.in_(with_figures)),
        )
        .order_by(Membership.member_number)
    ).all()
    return [
        MemberBasis(
            member=member,
            sales=max(sales.get(member.id, 0), 0),
            purchases=max(purchases.get(member.id, 0), 0),
            capital=max(capital.get(member.id, 0), 0),
        )
        for member in members
    ]


def _in_year(cooperative_id: int, period: Period):
    return and_(
        JournalEntry.cooperative_id == cooperative_id,
        JournalEntry.kind.in_(SALES_KINDS),
        JournalEntry.created_at >= period.starts_at,
        JournalEntry.created_at < period.ends_at,
    )


def _sales(cooperative_id: int, period: Period) -> dict[int, int]:
    # Members' accounts are credit-normal: a credit (negative posting) is money earned.
    rows = db.session.execute(
        select(Posting.member_id, -func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            _in_year(cooperative_id, period),
            Posting.account.in_((Account.MEMBER_PENDING, Account.MEMBER_AVAILABLE)),
        )
        .group_by(Posting.member_id)
    ).all()
    return {member_id: int(total) for member_id, total in rows}


def _purchases(cooperative_id: int, period: Period) -> dict[int, int]:
    # Settlement: clearing debited by the part paid, shipping revenue credited (so their sum
    # is the goods); refund: clearing credited by what went back.
    rows = db.session.execute(
        select(Membership.id, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .join(Order, Order.id == JournalEntry.order_id)
        .join(
            Membership,
            and_(Membership.user_id == Order.user_id, Membership.cooperative_id == cooperative_id),
        )
        .where(
            _in_year(cooperative_id, period),
            Posting.account.in_((Account.GATEWAY_CLEARING, Account.SHIPPING_REVENUE)),
        )
        .group_by(Membership.id)
    ).all()
    return {member_id: int(total) for member_id, total in rows}


def _capital(cooperative_id: int, period: Period) -> dict[int, int]:
    rows = db.session.execute(
        select(Posting.member_id, -func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Posting.cooperative_id == cooperative_id,
            Posting.account.in_((Account.SIMPANAN_POKOK, Account.SIMPANAN_WAJIB)),
            JournalEntry.created_at < period.ends_at,
        )
        .group_by(Posting.member_id)
    ).all()
    return {member_id: int(total) for member_id, total in rows}
