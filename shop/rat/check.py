"""Does the RAT pack add up to the ledger? Each of its totals is compared with the postings
summed again here, by account and entry kind alone (not through the reports' joins to order
lines, refunds and payouts), for the year or as at its end. A pack whose totals all match says
so; otherwise it names each difference instead.
"""

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.rat.figures import YearFigures
from shop.reports.period import Period
from shop.reports.queries import sum_where
from shop.shu.services import entry_key


@dataclass(frozen=True)
class Comparison:
    what: str  # a lazy, translatable label
    in_pack: int
    in_ledger: int

    @property
    def matches(self) -> bool:
        return self.in_pack == self.in_ledger


@dataclass(frozen=True)
class LedgerCheck:
    comparisons: list[Comparison]

    @property
    def matches(self) -> bool:
        return all(comparison.matches for comparison in self.comparisons)

    @property
    def differences(self) -> list[Comparison]:
        return [comparison for comparison in self.comparisons if not comparison.matches]


class _Ledger:
    """The cooperative's postings summed by (account, entry kind): within the period, and
    by account as at its end. Signs as posted: debits positive."""

    def __init__(self, cooperative_id: int, period: Period) -> None:
        self.in_period: dict[tuple[Account, EntryKind], int] = defaultdict(int)
        self.at_end: dict[Account, int] = defaultdict(int)
        rows = db.session.execute(
            select(
                Posting.account,
                JournalEntry.kind,
                func.sum(Posting.amount),
                sum_where(JournalEntry.created_at >= period.starts_at, Posting.amount),
            )
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(
                Posting.cooperative_id == cooperative_id,
                JournalEntry.created_at < period.ends_at,
            )
            .group_by(Posting.account, JournalEntry.kind)
        )
        for account, kind, until_end, within in rows:
            self.at_end[Account(account)] += int(until_end)
            self.in_period[(Account(account), EntryKind(kind))] += int(within)

    def credited(self, account: Account, *kinds: EntryKind) -> int:
        """Credited minus debited on account in the period's entries of kinds (all if none)."""
        return -sum(
            total
            for (of, kind), total in self.in_period.items()
            if of == account and (not kinds or kind in kinds)
        )

    def owed_at_end(self, account: Account) -> int:
        return -self.at_end[account]


def shu_shared_in_ledger(cooperative_id: int, year: int) -> int:
    """What the ledger's SHU entry of the year debited to the SHU shared account: the members'
    shares. The entry is posted after the year, when the SHU is confirmed, so it is found by
    its key, not by its date; 0 until then."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Posting.cooperative_id == cooperative_id,
            Posting.account == Account.SHU_SHARED,
            JournalEntry.kind == EntryKind.SHU_DISTRIBUTION,
            JournalEntry.idempotency_key == entry_key(cooperative_id, year),
        )
    )


def check_against_ledger(cooperative_id: int, figures: YearFigures,
                         shu_shares: int = 0) -> LedgerCheck:  # fmt: skip
    """Compare every total of the pack with the ledger; shu_shares: the members' shares of
    the year's SHU in the pack (0 when it is not distributed)."""
    ledger = _Ledger(cooperative_id, figures.period)
    sales, categories, fees = figures.sales.totals, figures.categories.totals, figures.fees
    settled_gross = ledger.credited(Account.MEMBER_PENDING, EntryKind.SETTLEMENT) + ledger.credited(
        Account.FEE_REVENUE, EntryKind.SETTLEMENT
    )
    fees_on_sales = ledger.credited(Account.FEE_REVENUE, EntryKind.SETTLEMENT)
    # A refund credits gateway clearing with what the shopper gets back.
    refunded = ledger.credited(Account.GATEWAY_CLEARING, EntryKind.REFUND)
    paid_out = ledger.credited(Account.BANK, EntryKind.PAYOUT_PAID)
    # The members' report nets out payouts the bank sent back (Iris: completed, then failed).
    paid_out_net = ledger.credited(Account.BANK, EntryKind.PAYOUT_PAID, EntryKind.PAYOUT_RETURNED)
    savings = figures.savings_totals
    pairs = [
        (_l("Volume of business per member"), sales.gross, settled_gross),
        (_l("Volume of business per category"), categories.gross, settled_gross),
        (_l("Fees per member"), sales.fees, fees_on_sales),
        (_l("Fees per category"), categories.fees, fees_on_sales),
        (_l("Fees on sales"), fees.fees_on_sales, fees_on_sales),
        (_l("Fees less fees returned"), fees.fees_on_sales - fees.fees_returned,
         ledger.credited(Account.FEE_REVENUE)),
        (_l("Shipping income"), fees.shipping, ledger.credited(Account.SHIPPING_REVENUE)),
        (_l("Midtrans fees"), fees.gateway_fees, -ledger.credited(Account.GATEWAY_FEES)),
        (_l("Refunds per member"), sales.refunds, refunded),
        (_l("Refunds per category"), categories.refunds, refunded),
        (_l("Refunds listed"), sum(row.amount for row in figures.refunds), refunded),
        (_l("Payouts per member"), sales.paid_out, paid_out_net),
        (_l("Payouts listed"), sum(row.amount for row in figures.payouts), paid_out),
        (_l("Pending balances at year end"), sales.pending,
         ledger.owed_at_end(Account.MEMBER_PENDING)),
        (_l("Available balances at year end"), sales.available,
         ledger.owed_at_end(Account.MEMBER_AVAILABLE)),
        (_l("Payouts approved, not yet transferred, at year end"), figures.in_transit,
         ledger.owed_at_end(Account.PAYOUTS_IN_TRANSIT)),
        (_l("Simpanan pokok at year end"), savings.pokok,
         ledger.owed_at_end(Account.SIMPANAN_POKOK)),
        (_l("Simpanan wajib at year end"), savings.wajib,
         ledger.owed_at_end(Account.SIMPANAN_WAJIB)),
        (_l("Simpanan sukarela at year end"), savings.sukarela,
         ledger.owed_at_end(Account.SIMPANAN_SUKARELA)),
        (_l("SHU shared with the members"), shu_shares,
         shu_shared_in_ledger(cooperative_id, figures.period.first_day.year)),
    ]  # fmt: skip
    return LedgerCheck([Comparison(what, in_pack, in_ledger) for what, in_pack, in_ledger in pairs])
