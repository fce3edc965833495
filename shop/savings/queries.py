"""What the simpanan pages show: each member's three balances and their wajib arrears."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.ledger.models import SAVINGS_ACCOUNTS, Account, Posting
from shop.reports.period import in_jakarta, today_in_jakarta
from shop.savings.models import PaymentMethod, SavingsKind, SavingsMovement
from shop.savings.services import settings_of
from shop.shu.models import ShuDestination, ShuDistribution, ShuShare


@dataclass(frozen=True)
class MemberSavings:
    member: Membership
    pokok: int
    wajib: int
    sukarela: int
    wajib_due: int  # what the months so far ask for
    pokok_owed: int

    @property
    def total(self) -> int:
        return self.pokok + self.wajib + self.sukarela

    @property
    def wajib_arrears(self) -> int:
        return max(self.wajib_due - self.wajib, 0)

    @property
    def pokok_arrears(self) -> int:
        return max(self.pokok_owed - self.pokok, 0)


def months_due(start: date, today: date) -> int:
    """Months of simpanan wajib owed from `start`'s month through `today`'s, both counted (a
    month's wajib is due within that month); 0 before the start."""
    return max((today.year - start.year) * 12 + today.month - start.month + 1, 0)


def savings_of_members(coop: Cooperative, today: date | None = None) -> list[MemberSavings]:
    """Every active member's simpanan and arrears, by member number."""
    members = db.session.scalars(
        select(Membership)
        .where(Membership.cooperative_id == coop.id, Membership.is_active.is_(True))
        .order_by(Membership.member_number)
    ).all()
    held = _balances(coop.id)
    return [_member_savings(coop, member, held, today) for member in members]


def savings_of(member: Membership, today: date | None = None) -> MemberSavings:
    return _member_savings(member.cooperative, member, _balances(member.cooperative_id), today)


@dataclass(frozen=True)
class SavingsLine:
    """A line of the member's simpanan: a deposit or withdrawal an admin recorded (with how it
    was paid), or a year's SHU the RAT put into their simpanan sukarela (shu_year)."""

    paid_on: date
    kind: SavingsKind
    signed_amount: int
    method: PaymentMethod | None = None
    reference: str = ""
    shu_year: int | None = None


def movements_of(member: Membership) -> list[SavingsLine]:
    """Everything that moved the member's simpanan, newest first."""
    movements = db.session.scalars(
        select(SavingsMovement)
        .where(SavingsMovement.member_id == member.id)
        .order_by(SavingsMovement.id.desc())
    ).all()
    lines = [
        SavingsLine(m.paid_on, m.kind, m.signed_amount, m.method, m.reference) for m in movements
    ]
    shu_shares = db.session.execute(
        select(ShuDistribution.year, ShuDistribution.confirmed_at,
               ShuShare.usaha_share + ShuShare.modal_share)
        .join(ShuShare, ShuShare.distribution_id == ShuDistribution.id)
        .where(ShuShare.member_id == member.id,
               ShuDistribution.destination == ShuDestination.SUKARELA)
    ).all()  # fmt: skip
    lines += [
        SavingsLine(in_jakarta(confirmed_at).date(), SavingsKind.SUKARELA, amount, shu_year=year)
        for year, confirmed_at, amount in shu_shares
        if amount
    ]
    # Stable: on one day, the newest recorded movement stays first.
    return sorted(lines, key=lambda line: line.paid_on, reverse=True)


def _balances(cooperative_id: int) -> dict[tuple[int, Account], int]:
    rows = db.session.execute(
        select(Posting.member_id, Posting.account, -func.sum(Posting.amount))
        .where(Posting.cooperative_id == cooperative_id, Posting.account.in_(SAVINGS_ACCOUNTS))
        .group_by(Posting.member_id, Posting.account)
    ).all()
    return {(member_id, account): int(total) for member_id, account, total in rows}


def _member_savings(coop, member, held, today) -> MemberSavings:
    settings = settings_of(coop)
    joined = in_jakarta(member.joined_at).date()
    start = max(joined, settings.wajib_starts_on) if settings.wajib_starts_on else joined
    due = months_due(start, today or today_in_jakarta()) * settings.wajib_amount
    return MemberSavings(
        member=member,
        pokok=held.get((member.id, Account.SIMPANAN_POKOK), 0),
        wajib=held.get((member.id, Account.SIMPANAN_WAJIB), 0),
        sukarela=held.get((member.id, Account.SIMPANAN_SUKARELA), 0),
        wajib_due=due,
        pokok_owed=settings.pokok_amount,
    )
