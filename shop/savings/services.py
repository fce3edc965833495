"""Simpanan: the cooperative's amounts, deposits and sukarela withdrawals an admin records,
each a journal entry (debit bank, credit the member's simpanan account, or back)."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.coops.locks import lock_cooperative
from shop.coops.models import Cooperative, Membership
from shop.errors import ShopError
from shop.extensions import db
from shop.ledger.journal import add_entry, balance, credit, debit
from shop.ledger.models import Account, EntryKind
from shop.money import format_rupiah
from shop.savings.models import PaymentMethod, SavingsKind, SavingsMovement, SavingsSettings

REFERENCE_MAX = 80


class SavingsError(ShopError):
    pass


@dataclass(frozen=True)
class SavingsRecord:
    """A deposit or withdrawal as the admin typed it."""

    member: Membership
    kind: SavingsKind
    amount: int
    method: PaymentMethod
    reference: str
    paid_on: date


def settings_of(coop: Cooperative) -> SavingsSettings:
    """The cooperative's simpanan amounts (all 0 until an admin sets them); not added."""
    found = db.session.get(SavingsSettings, coop.id)
    return found or SavingsSettings(cooperative_id=coop.id, pokok_amount=0, wajib_amount=0)


def save_settings(
    coop: Cooperative, pokok_amount: int, wajib_amount: int, wajib_starts_on: date | None,
    actor: User,
) -> SavingsSettings:  # fmt: skip
    """Set the amounts of the statutes. Raises SavingsError for a negative amount."""
    if pokok_amount < 0 or wajib_amount < 0:
        raise SavingsError(_("Amounts cannot be below Rp 0."))
    lock_cooperative(coop.id)
    settings = db.session.get(SavingsSettings, coop.id) or SavingsSettings(cooperative_id=coop.id)
    before = _settings_dict(settings)
    settings.pokok_amount, settings.wajib_amount = pokok_amount, wajib_amount
    settings.wajib_starts_on = wajib_starts_on
    db.session.add(settings)
    db.session.flush()
    record_audit(actor, coop, "savings.settings", coop,
                 {"before": before, "after": _settings_dict(settings)})  # fmt: skip
    db.session.commit()
    return settings


def _settings_dict(settings: SavingsSettings) -> dict:
    starts = settings.wajib_starts_on
    return {
        "pokok_amount": settings.pokok_amount,
        "wajib_amount": settings.wajib_amount,
        "wajib_starts_on": starts.isoformat() if starts else None,
    }


def savings_balance(member: Membership, kind: SavingsKind) -> int:
    return balance(member.cooperative_id, kind.account, member.id)


def record_deposit(record: SavingsRecord, actor: User) -> SavingsMovement:
    """Record money a member paid into their simpanan. Simpanan pokok cannot go beyond the
    cooperative's amount. Raises SavingsError (with the field) for what the admin must fix."""
    _check(record)
    _lock(record.member)
    if record.kind == SavingsKind.POKOK:
        owed = settings_of(record.member.cooperative).pokok_amount
        paid = savings_balance(record.member, SavingsKind.POKOK)
        if paid + record.amount > owed:
            db.session.rollback()
            raise SavingsError(
                _("Simpanan pokok is %(owed)s; this member still owes %(left)s.",
                   owed=format_rupiah(owed), left=format_rupiah(max(owed - paid, 0))),
                field="amount",
            )  # fmt: skip
    return _post(record, actor, is_withdrawal=False)


def record_withdrawal(record: SavingsRecord, actor: User) -> SavingsMovement:
    """Pay a member back part of their simpanan sukarela. Pokok and wajib stay while they
    are a member. Raises SavingsError beyond the balance."""
    if record.kind != SavingsKind.SUKARELA:
        raise SavingsError(
            _("Only simpanan sukarela can be withdrawn while a member."), field="kind"
        )
    _check(record)
    _lock(record.member)  # two withdrawals at once must not both pass the balance check
    held = savings_balance(record.member, SavingsKind.SUKARELA)
    if record.amount > held:
        db.session.rollback()
        raise SavingsError(
            _("This member's simpanan sukarela is %(held)s.", held=format_rupiah(held)),
            field="amount",
        )
    return _post(record, actor, is_withdrawal=True)


def _check(record: SavingsRecord) -> None:
    if record.amount <= 0:
        raise SavingsError(_("Enter an amount above Rp 0."), field="amount")
    if record.method == PaymentMethod.TRANSFER and not record.reference.strip():
        raise SavingsError(_("Enter the transfer's reference."), field="reference")


def _lock(member: Membership) -> None:
    db.session.execute(select(Membership.id).where(Membership.id == member.id).with_for_update())


def _post(record: SavingsRecord, actor: User, is_withdrawal: bool) -> SavingsMovement:
    member = record.member
    movement = SavingsMovement(
        cooperative_id=member.cooperative_id,
        member_id=member.id,
        kind=record.kind,
        is_withdrawal=is_withdrawal,
        amount=record.amount,
        method=record.method,
        reference=record.reference.strip()[:REFERENCE_MAX],
        paid_on=record.paid_on,
        recorded_by_id=actor.id,
    )
    db.session.add(movement)
    db.session.flush()
    legs = [
        debit(Account.BANK, record.amount),
        credit(record.kind.account, record.amount, member.id),
    ]
    if is_withdrawal:
        legs = [credit(Account.BANK, record.amount),
                debit(record.kind.account, record.amount, member.id)]  # fmt: skip
    add_entry(
        f"savings:{movement.id}",
        EntryKind.SAVINGS_WITHDRAWAL if is_withdrawal else EntryKind.SAVINGS_DEPOSIT,
        member.cooperative_id,
        legs,
        actor_id=actor.id,
        memo=f"simpanan {record.kind} {movement.method} {movement.reference}",
    )
    action = "savings.withdrawal" if is_withdrawal else "savings.deposit"
    record_audit(actor, member.cooperative, action, member, {
        "kind": str(record.kind), "amount": record.amount, "method": str(record.method),
        "reference": movement.reference, "paid_on": record.paid_on.isoformat(),
    })  # fmt: skip
    db.session.commit()
    return movement
