"""A cooperative's simpanan (members' savings): its own amounts, and each deposit or
withdrawal an admin records, with how the money came and its reference.

The balances are the ledger's (accounts simpanan pokok, wajib and sukarela per member); a
movement row keeps what the journal does not: the method, the bank's reference, the day the
money changed hands. Its journal entry is keyed "savings:<movement id>".
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.ledger.models import Account, _string_enum
from shop.money import Rupiah
from shop.timeutil import UTCDateTime, utcnow


class SavingsKind(StrEnum):
    POKOK = "pokok"  # paid once on joining, the same for every member
    WAJIB = "wajib"  # every month, the amount the cooperative sets
    SUKARELA = "sukarela"  # any amount, withdrawable any time

    @property
    def account(self) -> Account:
        return SAVINGS_ACCOUNT_OF[self]


SAVINGS_ACCOUNT_OF = {
    SavingsKind.POKOK: Account.SIMPANAN_POKOK,
    SavingsKind.WAJIB: Account.SIMPANAN_WAJIB,
    SavingsKind.SUKARELA: Account.SIMPANAN_SUKARELA,
}


class PaymentMethod(StrEnum):
    CASH = "cash"
    TRANSFER = "transfer"


class SavingsSettings(db.Model):
    """The amounts of the cooperative's statutes (AD/ART): settings, never constants."""

    __tablename__ = "savings_settings"
    __table_args__ = (
        CheckConstraint("pokok_amount >= 0 AND wajib_amount >= 0", name="amounts_not_negative"),
    )

    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id"), primary_key=True, autoincrement=False
    )
    pokok_amount: Mapped[Rupiah] = mapped_column(default=0)
    wajib_amount: Mapped[Rupiah] = mapped_column(default=0)  # per month
    # Wajib is owed from the later of this month and the month the member joined; None:
    # from the month they joined.
    wajib_starts_on: Mapped[date | None] = mapped_column(Date)


class SavingsMovement(db.Model):
    __tablename__ = "savings_movements"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("is_withdrawal = false OR kind = 'sukarela'", name="only_sukarela_out"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    kind: Mapped[SavingsKind] = mapped_column(_string_enum(SavingsKind, 12))
    is_withdrawal: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[Rupiah]
    method: Mapped[PaymentMethod] = mapped_column(_string_enum(PaymentMethod, 12))
    reference: Mapped[str] = mapped_column(String(80), default="")
    paid_on: Mapped[date] = mapped_column(Date)  # the day the money changed hands
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def signed_amount(self) -> int:
        return -self.amount if self.is_withdrawal else self.amount
