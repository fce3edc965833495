"""Simpanan deposits and withdrawals are journal entries against the bank; the rules of the
three kinds; wajib arrears."""

from datetime import date

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.errors import ShopError
from shop.extensions import db
from shop.ledger.journal import balance
from shop.ledger.models import Account, JournalEntry
from shop.savings.models import PaymentMethod, SavingsKind, SavingsMovement
from shop.savings.queries import months_due, savings_of, savings_of_members
from shop.savings.services import record_deposit, record_withdrawal, save_settings
from tests.savings.conftest import POKOK, WAJIB, record

DECEMBER = date(2026, 12, 3)


def movements() -> int:
    return db.session.scalar(select(func.count()).select_from(SavingsMovement))


def test_a_deposit_debits_the_bank_and_credits_the_members_simpanan(tani):
    movement = record_deposit(
        record(tani.siti, SavingsKind.POKOK, POKOK, PaymentMethod.TRANSFER, "BRI-778"), tani.admin
    )

    assert balance(tani.coop.id, Account.SIMPANAN_POKOK, tani.siti.id) == POKOK
    assert balance(tani.coop.id, Account.BANK) == POKOK
    entry = db.session.scalar(select(JournalEntry).where(
        JournalEntry.idempotency_key == f"savings:{movement.id}"))  # fmt: skip
    assert (entry.kind, entry.actor_id) == ("savings_deposit", tani.admin.id)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "savings.deposit"))
    assert audit.details["reference"] == "BRI-778" and audit.target_id == tani.siti.id


def test_simpanan_pokok_cannot_go_beyond_the_cooperatives_amount(tani, in_english):
    record_deposit(record(tani.siti, SavingsKind.POKOK, 60_000), tani.admin)

    with pytest.raises(ShopError) as refused:
        record_deposit(record(tani.siti, SavingsKind.POKOK, 50_000), tani.admin)

    assert refused.value.message == (
        "Simpanan pokok is Rp 100.000; this member still owes Rp 40.000."
    )
    assert refused.value.field == "amount"
    assert balance(tani.coop.id, Account.SIMPANAN_POKOK, tani.siti.id) == 60_000
    assert movements() == 1


def test_a_transfer_needs_its_reference(tani):
    with pytest.raises(ShopError) as refused:
        record_deposit(record(tani.siti, method=PaymentMethod.TRANSFER, reference=" "), tani.admin)
    assert refused.value.field == "reference"
    assert movements() == 0


def test_sukarela_is_withdrawn_up_to_its_balance_and_no_further(tani, in_english):
    record_deposit(record(tani.siti, SavingsKind.SUKARELA, 80_000), tani.admin)
    record_withdrawal(record(tani.siti, SavingsKind.SUKARELA, 30_000), tani.admin)

    with pytest.raises(ShopError) as refused:
        record_withdrawal(record(tani.siti, SavingsKind.SUKARELA, 50_001), tani.admin)

    assert refused.value.message == "This member's simpanan sukarela is Rp 50.000."
    assert balance(tani.coop.id, Account.SIMPANAN_SUKARELA, tani.siti.id) == 50_000
    assert balance(tani.coop.id, Account.BANK) == 50_000
    assert movements() == 2


@pytest.mark.parametrize("kind", [SavingsKind.POKOK, SavingsKind.WAJIB])
def test_pokok_and_wajib_cannot_be_withdrawn(tani, kind):
    record_deposit(record(tani.siti, kind, 25_000), tani.admin)

    with pytest.raises(ShopError):
        record_withdrawal(record(tani.siti, kind, 10_000), tani.admin)

    assert balance(tani.coop.id, kind.account, tani.siti.id) == 25_000


@pytest.mark.parametrize(
    ("start", "today", "months"),
    [
        (date(2026, 1, 15), date(2026, 12, 3), 12),
        (date(2026, 11, 30), date(2026, 11, 30), 1),
        (date(2025, 12, 1), date(2026, 1, 31), 2),
        (date(2027, 1, 1), date(2026, 12, 3), 0),
    ],
)
def test_wajib_is_owed_for_every_month_from_the_start_this_month_included(start, today, months):
    assert months_due(start, today) == months


def test_wajib_arrears_are_the_months_owed_less_what_was_paid(tani):
    for _ in range(3):
        record_deposit(record(tani.siti), tani.admin)
    record_deposit(record(tani.budi, amount=3 * WAJIB), tani.admin)  # paid ahead

    rows = {row.member.id: row for row in savings_of_members(tani.coop, DECEMBER)}

    # Siti: January to December, 12 x 25.000 = 300.000 owed, 75.000 paid.
    assert (rows[tani.siti.id].wajib_due, rows[tani.siti.id].wajib_arrears) == (300_000, 225_000)
    # Budi: November and December, 50.000 owed, 75.000 paid: nothing in arrears.
    assert (rows[tani.budi.id].wajib_due, rows[tani.budi.id].wajib_arrears) == (50_000, 0)


def test_the_settings_start_month_counts_from_then(tani):
    save_settings(tani.coop, POKOK, WAJIB, date(2026, 10, 1), tani.admin)

    # Siti joined before October: October to December. Budi joined after: from November.
    assert savings_of(tani.siti, DECEMBER).wajib_due == 3 * WAJIB
    assert savings_of(tani.budi, DECEMBER).wajib_due == 2 * WAJIB
