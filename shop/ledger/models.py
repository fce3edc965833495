"""The double-entry ledger: journal entries, each with postings that sum to zero.

Entries are written once and never edited; a correction is a reversing entry. Every entry
has a unique idempotency key ("settle:PK-...:3"), so a notification processed twice can never
post twice: the database refuses the second insert.

An account is not a row of its own: a posting names its cooperative, its account kind and,
for a member's accounts, the membership. Each cooperative's books balance on their own.
Amounts are signed whole Rupiah: a debit is positive, a credit negative.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.money import Rupiah
from shop.timeutil import UTCDateTime, utcnow


def _string_enum(enum: type[StrEnum], length: int = 24) -> Enum:
    return Enum(
        enum, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Account(StrEnum):
    # What Midtrans owes the cooperative for settled payments (an asset: debit-normal).
    GATEWAY_CLEARING = "gateway_clearing"
    # What the cooperative owes a member: earned on an order not completed yet, then payable.
    MEMBER_PENDING = "member_pending"
    MEMBER_AVAILABLE = "member_available"
    FEE_REVENUE = "fee_revenue"  # the cooperative's fee on its members' sales
    SHIPPING_REVENUE = "shipping_revenue"
    GATEWAY_FEES = "gateway_fees"  # what Midtrans charges (an expense: debit-normal)
    PAYOUTS_IN_TRANSIT = "payouts_in_transit"  # approved payouts not transferred yet
    BANK = "bank"  # the cooperative's bank account, which transfers pay from
    # A member's savings in their cooperative (shop/savings): what the cooperative owes them
    # back. Pokok and wajib stay while they are a member; sukarela is theirs any time.
    SIMPANAN_POKOK = "simpanan_pokok"
    SIMPANAN_WAJIB = "simpanan_wajib"
    SIMPANAN_SUKARELA = "simpanan_sukarela"
    # The SHU given to members (shop/shu): a contra-equity account, debit-normal, debited by
    # what each year's confirmed SHU pays them, so its balance is the SHU shared so far.
    SHU_SHARED = "shu_shared"

    @property
    def is_debit_normal(self) -> bool:
        return self in DEBIT_NORMAL

    @property
    def is_member_account(self) -> bool:
        return self in MEMBER_ACCOUNTS


DEBIT_NORMAL = frozenset(
    {Account.GATEWAY_CLEARING, Account.GATEWAY_FEES, Account.BANK, Account.SHU_SHARED}
)
SAVINGS_ACCOUNTS = (Account.SIMPANAN_POKOK, Account.SIMPANAN_WAJIB, Account.SIMPANAN_SUKARELA)
MEMBER_ACCOUNTS = frozenset({Account.MEMBER_PENDING, Account.MEMBER_AVAILABLE, *SAVINGS_ACCOUNTS})


class EntryKind(StrEnum):
    SETTLEMENT = "settlement"
    GATEWAY_FEE = "gateway_fee"
    COMPLETION = "completion"
    REFUND = "refund"
    PAYOUT_APPROVED = "payout_approved"
    PAYOUT_PAID = "payout_paid"
    PAYOUT_REJECTED = "payout_rejected"
    PAYOUT_RETURNED = "payout_returned"  # a paid payout's bank sent the money back
    SAVINGS_DEPOSIT = "savings_deposit"
    SAVINGS_WITHDRAWAL = "savings_withdrawal"
    SHU_DISTRIBUTION = "shu_distribution"


class JournalEntry(db.Model):
    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[EntryKind] = mapped_column(_string_enum(EntryKind))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    memo: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The hash chain (shop/ledger/chain.py): hex SHA-256 of this entry's content with the
    # previous entry's hash, and that previous hash. None only between the insert and the
    # sealing, which happen in one transaction.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    previous_hash: Mapped[str | None] = mapped_column(String(64))

    postings: Mapped[list["Posting"]] = relationship(
        back_populates="entry", order_by="Posting.id", cascade="all, delete-orphan"
    )


GENESIS_HASH = "0" * 64  # what the first entry of a cooperative's chain follows


class ChainHead(db.Model):
    """The last entry of a cooperative's hash chain: the row add_entry() locks, so entries of
    one cooperative are chained one at a time."""

    __tablename__ = "ledger_chain_heads"

    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id"), primary_key=True, autoincrement=False
    )
    # No foreign key: an entry deleted behind the application's back must be found by the
    # check, naming it, rather than stop the deletion that is being looked for.
    last_entry_id: Mapped[int | None]
    last_hash: Mapped[str] = mapped_column(String(64))


class Posting(db.Model):
    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_postings_account", "cooperative_id", "account", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    account: Mapped[Account] = mapped_column(_string_enum(Account))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"), index=True)
    amount: Mapped[Rupiah]  # debit positive, credit negative

    entry: Mapped[JournalEntry] = relationship(back_populates="postings")


class PayoutStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"  # money moved to payouts in transit
    PAID = "paid"  # transferred, with the bank's reference
    REJECTED = "rejected"  # money back to available
    RETURNED = "returned"  # paid, then the bank sent it back (Iris "failed"): back to available


class Payout(db.Model):
    """A member's request to be paid part of their available balance, to their bank account
    as it was when they asked (copied, so a later change cannot redirect this transfer)."""

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("wajib_deduction >= 0", name="wajib_deduction_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    amount: Mapped[Rupiah]
    status: Mapped[PayoutStatus] = mapped_column(
        _string_enum(PayoutStatus), default=PayoutStatus.REQUESTED, index=True
    )
    bank_name: Mapped[str] = mapped_column(String(60))
    bank_account_number: Mapped[str] = mapped_column(String(34))
    bank_account_holder: Mapped[str] = mapped_column(String(120))
    # Simpanan wajib the member agreed, when asking, to have taken from their available
    # balance with this payout, on top of `amount` (which is what reaches their bank): posted
    # to their simpanan wajib when the payout is approved. 0: no deduction.
    wajib_deduction: Mapped[Rupiah] = mapped_column(default=0, server_default="0")
    transfer_reference: Mapped[str] = mapped_column(String(80), default="")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The maker-checker batch it was put in (shop/payouts/batches.py), if any.
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Midtrans Iris's reference_no for the transfer, once the iris adapter created it there.
    iris_reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Sent through Iris again by an admin after a failed attempt: each attempt its own key.
    iris_attempt: Mapped[int] = mapped_column(default=0, server_default="0")


class RefundMethod(StrEnum):
    GATEWAY = "gateway"  # through Midtrans's refund API, to the shopper's payment method
    # Transferred by the cooperative's admin (Midtrans cannot refund a virtual account, or
    # refused), then recorded here with the transfer's reference.
    BANK_TRANSFER = "bank_transfer"
    # Made at Midtrans without us (its dashboard), then allocated to lines here by an admin.
    GATEWAY_DIRECT = "gateway_direct"


class Refund(db.Model):
    """Money given back to a shopper for some lines of a paid order: through Midtrans's
    refund API, where refund_key makes the gateway call idempotent too (MIDTRANS.md §3), or
    by a bank transfer the admin made, recorded once per transfer reference."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "(method = 'bank_transfer') = (bank_reference IS NOT NULL)",
            name="bank_reference_iff_transfer",
        ),
        # The same transfer recorded twice (a form sent again) is refused by the database.
        UniqueConstraint("order_id", "bank_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    refund_key: Mapped[str] = mapped_column(String(60), unique=True)
    amount: Mapped[Rupiah]
    reason: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[RefundMethod] = mapped_column(
        _string_enum(RefundMethod, 16), default=RefundMethod.GATEWAY, server_default="gateway"
    )
    bank_reference: Mapped[str | None] = mapped_column(String(80))  # a transfer's only
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The refund made at Midtrans that this one allocates to lines; None: asked from here.
    external_refund_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_refunds.id"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list["RefundLine"]] = relationship(
        back_populates="refund", order_by="RefundLine.id", cascade="all, delete-orphan"
    )

    @property
    def is_bank_transfer(self) -> bool:
        return self.method == RefundMethod.BANK_TRANSFER


class ExternalRefund(db.Model):
    """A refund Midtrans made that nobody asked for here (in its dashboard): the shopper has
    the money back, but which lines it was for is for an admin to say. Until its whole
    amount is allocated to lines (as Refunds of method GATEWAY_DIRECT), the order's members
    are held: none of them can be paid out, since the refund may take from their earnings."""

    __tablename__ = "external_refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("allocated >= 0 AND allocated <= amount", name="allocated_within"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    # Midtrans's refund_key (or its refund id when it has none): each is recorded once.
    gateway_refund_key: Mapped[str] = mapped_column(String(80), unique=True)
    amount: Mapped[Rupiah]
    allocated: Mapped[Rupiah] = mapped_column(default=0, server_default="0")
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def remaining(self) -> int:
        return self.amount - self.allocated


class RefundLine(db.Model):
    __tablename__ = "refund_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount >= 0 AND fee >= 0 AND member_amount >= 0", name="not_negative"),
        CheckConstraint("fee + member_amount = amount", name="parts_sum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]
    amount: Mapped[Rupiah]  # what the shopper gets back for these units
    fee: Mapped[Rupiah]  # the part of it the cooperative had kept
    member_amount: Mapped[Rupiah]  # the part the member had earned

    refund: Mapped[Refund] = relationship(back_populates="lines")


class LedgerCheckRun(db.Model):
    """One run of the whole-ledger check (nightly, `flask ledger check` or the operator's
    button): the operator's dashboard shows the last one."""

    __tablename__ = "ledger_check_runs"
    __table_args__ = (CheckConstraint("problem_count >= 0", name="problem_count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    problem_count: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # the first few, as text
    source: Mapped[str] = mapped_column(String(16))  # "nightly", "cli" or "operator"
