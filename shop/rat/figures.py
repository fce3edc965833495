"""The RAT pack's figures for one financial year, read from the ledger, and the check that
its totals equal the ledger's postings.

The money figures reuse the admin's reports (shop/reports/queries.py) for the year as one
period; what those reports do not list (each refund, each transfer, simpanan and balances at
the year's end) is read here from the same postings. check_against_ledger() then sums the
postings again, by account and entry kind only, with none of the joins the reports use, and
compares: the pack says its totals equal the ledger only when every comparison holds.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from shop.audit.models import AuditEntry
from shop.checkout.models import Order
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.ledger.models import (
    SAVINGS_ACCOUNTS,
    Account,
    EntryKind,
    JournalEntry,
    Payout,
    Posting,
    Refund,
)
from shop.reports.period import Period
from shop.reports.queries import (
    CategoryReport,
    FeeReport,
    MemberReport,
    category_report,
    entries_of,
    fee_report,
    member_report,
)

DEACTIVATED, REACTIVATED = "member.deactivated", "member.reactivated"  # audit actions


@dataclass(frozen=True)
class MemberAtYearEnd:
    member_number: str
    name: str
    joined_at: datetime
    is_active: bool  # at the year's end


@dataclass(frozen=True)
class RefundRow:
    created_at: datetime
    order_number: str
    method: str
    amount: int


@dataclass(frozen=True)
class PayoutRow:
    paid_at: datetime
    member_number: str
    name: str
    reference: str
    amount: int


@dataclass(frozen=True)
class SavingsRow:
    member_number: str
    name: str
    pokok: int
    wajib: int
    sukarela: int

    @property
    def total(self) -> int:
        return self.pokok + self.wajib + self.sukarela


@dataclass(frozen=True)
class YearFigures:
    period: Period
    members: list[MemberAtYearEnd]
    sales: MemberReport  # per member: volume of business, refunds, payouts, balances
    categories: CategoryReport
    fees: FeeReport
    refunds: list[RefundRow]
    payouts: list[PayoutRow]
    in_transit: int  # payouts approved by the year's end, not transferred by then
    savings: list[SavingsRow]

    @property
    def active_members(self) -> int:
        return sum(1 for member in self.members if member.is_active)

    @property
    def savings_totals(self) -> SavingsRow:
        return SavingsRow("", "", *(sum(getattr(row, kind) for row in self.savings)
                                     for kind in ("pokok", "wajib", "sukarela")))  # fmt: skip


def year_figures(coop: Cooperative, period: Period, language: str) -> YearFigures:
    return YearFigures(
        period=period,
        members=members_at(coop, period.ends_at),
        sales=member_report(coop.id, period),
        categories=category_report(coop.id, period, language),
        fees=fee_report(coop.id, period),
        refunds=_refunds(coop, period),
        payouts=_payouts(coop, period),
        in_transit=_in_transit(coop, period.ends_at),
        savings=_savings(coop, period.ends_at),
    )


def members_at(coop: Cooperative, moment: datetime) -> list[MemberAtYearEnd]:
    """Everyone who had joined by `moment`, and whether they were active then, from the
    audit log's deactivations and reactivations: the last one before the moment says; with
    none before, the first one after says the opposite (a deactivation after the moment
    means active at it); with none at all, the member is as they are now."""
    members = db.session.execute(
        select(Membership).where(
            Membership.cooperative_id == coop.id, Membership.joined_at < moment
        ).order_by(Membership.member_number)
    ).scalars().all()  # fmt: skip
    before: dict[int, bool] = {}  # member id -> active after their last move before the moment
    after: dict[int, bool] = {}  # member id -> active before their first move after it
    for member_id, action, at in db.session.execute(
        select(AuditEntry.target_id, AuditEntry.action, AuditEntry.created_at)
        .where(
            AuditEntry.cooperative_id == coop.id,
            AuditEntry.target_type == "Membership",
            AuditEntry.action.in_([DEACTIVATED, REACTIVATED]),
        )
        .order_by(AuditEntry.created_at, AuditEntry.id)
    ):
        if at < moment:
            before[member_id] = action == REACTIVATED
        else:
            after.setdefault(member_id, action == DEACTIVATED)
    return [
        MemberAtYearEnd(
            member.member_number,
            member.display_name,
            member.joined_at,
            before.get(member.id, after.get(member.id, member.is_active)),
        )
        for member in members
    ]


def _refunds(coop: Cooperative, period: Period) -> list[RefundRow]:
    rows = db.session.execute(
        select(JournalEntry.created_at, Order.number, Refund.method, Refund.amount)
        .join(Refund, Refund.id == JournalEntry.refund_id)
        .join(Order, Order.id == Refund.order_id)
        .where(entries_of(coop.id, EntryKind.REFUND, period))
        .order_by(JournalEntry.created_at, JournalEntry.id)
    ).all()
    return [RefundRow(at, number, str(method), int(amount)) for at, number, method, amount in rows]


def _payouts(coop: Cooperative, period: Period) -> list[PayoutRow]:
    rows = db.session.execute(
        select(JournalEntry.created_at, Payout.transfer_reference, Payout.amount, Membership)
        .join(Payout, Payout.id == JournalEntry.payout_id)
        .join(Membership, Membership.id == Payout.member_id)
        .where(entries_of(coop.id, EntryKind.PAYOUT_PAID, period))
        .order_by(JournalEntry.created_at, JournalEntry.id)
    ).all()
    return [
        PayoutRow(at, member.member_number, member.display_name, reference, int(amount))
        for at, reference, amount, member in rows
    ]


def _posted_before(coop_id: int, moment: datetime):
    return and_(
        Posting.cooperative_id == coop_id,
        Posting.entry_id == JournalEntry.id,
        JournalEntry.created_at < moment,
    )


def _in_transit(coop: Cooperative, moment: datetime) -> int:
    total = db.session.scalar(
        select(func.coalesce(-func.sum(Posting.amount), 0))
        .join(JournalEntry, _posted_before(coop.id, moment))
        .where(Posting.account == Account.PAYOUTS_IN_TRANSIT)
    )
    return int(total)


def _savings(coop: Cooperative, moment: datetime) -> list[SavingsRow]:
    held = {
        (member_id, account): int(total)
        for member_id, account, total in db.session.execute(
            select(Posting.member_id, Posting.account, -func.sum(Posting.amount))
            .join(JournalEntry, _posted_before(coop.id, moment))
            .where(Posting.account.in_(SAVINGS_ACCOUNTS))
            .group_by(Posting.member_id, Posting.account)
        )
    }
    savers = db.session.scalars(
        select(Membership)
        .where(
            Membership.cooperative_id == coop.id,
            or_(
                Membership.joined_at < moment,
                Membership.id.in_({member_id for member_id, _account in held}),
            ),
        )
        .order_by(Membership.member_number)
    ).all()
    return [
        SavingsRow(
            saver.member_number,
            saver.display_name,
            *(held.get((saver.id, account), 0) for account in SAVINGS_ACCOUNTS),
        )
        for saver in savers
    ]
