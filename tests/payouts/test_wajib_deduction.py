"""Simpanan wajib deducted from a payout, with the member's consent.

Koperasi Tani's statutes set simpanan wajib at Rp 25.000 a month. Siti has Rp 95.000
available; she asks for Rp 60.000 and ticks "also pay my simpanan wajib": the payout records
her consent (Rp 25.000), and its approval takes Rp 85.000 from available, Rp 60.000 to
payouts in transit and Rp 25.000 to her simpanan wajib, in one entry.
"""

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.journal import balance
from shop.ledger.models import Account, JournalEntry
from shop.payouts.batches import approve_batch, prepare_batch
from shop.payouts.queries import payout_summary
from shop.payouts.services import (
    PayoutRefused,
    approve_payout,
    reject_payout,
    request_payout,
)
from shop.reports.statement import statement_lines
from shop.reports.tables import line_description
from shop.savings.services import save_settings
from tests.payouts.conftest import available, in_transit

WAJIB = 25_000


@pytest.fixture
def statutes(earned):
    save_settings(earned.coop, 0, WAJIB, None, earned.admin)
    return earned


def wajib(tani) -> int:
    return balance(tani.coop.id, Account.SIMPANAN_WAJIB, tani.siti.id)


def test_the_consent_is_recorded_on_the_payout_and_counts_against_the_balance(statutes, in_english):
    payout = request_payout(statutes.siti, 60_000, statutes.siti_user, deduct_wajib=True)

    assert (payout.amount, payout.wajib_deduction) == (60_000, WAJIB)
    assert payout_summary(statutes.siti).requestable == 95_000 - 60_000 - WAJIB
    with pytest.raises(PayoutRefused, match="at most Rp 10.000"):
        request_payout(statutes.siti, 50_000, statutes.siti_user)


def test_the_payout_and_the_wajib_together_cannot_exceed_what_is_available(statutes, in_english):
    with pytest.raises(PayoutRefused, match="at most Rp 70.000"):
        request_payout(statutes.siti, 95_000, statutes.siti_user, deduct_wajib=True)


def test_approval_posts_the_wajib_to_the_members_simpanan_in_the_same_entry(statutes):
    payout = request_payout(statutes.siti, 60_000, statutes.siti_user, deduct_wajib=True)

    approve_payout(payout, statutes.admin)

    assert available(statutes.siti) == 10_000
    assert in_transit(statutes.coop) == 60_000
    assert wajib(statutes) == WAJIB
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.payout_id == payout.id)
        )
        == 1
    )
    assert check_ledger() == []
    (line,) = [line for line in statement_lines(statutes.siti) if line.payout_id == payout.id]
    assert (line.available_change, line.wajib_change) == (-85_000, WAJIB)


def test_without_consent_nothing_goes_to_simpanan(statutes):
    approve_payout(request_payout(statutes.siti, 60_000, statutes.siti_user), statutes.admin)
    assert (available(statutes.siti), wajib(statutes)) == (35_000, 0)


def test_a_rejected_transfer_returns_the_amount_and_the_wajib_stays_paid(statutes):
    payout = request_payout(statutes.siti, 60_000, statutes.siti_user, deduct_wajib=True)
    approve_payout(payout, statutes.admin)

    reject_payout(payout, "Rekening ditutup", statutes.admin)

    assert (available(statutes.siti), wajib(statutes)) == (70_000, WAJIB)
    assert check_ledger() == []


def test_a_batch_approval_posts_the_wajib_too(statutes, two_admins):
    payout = request_payout(statutes.siti, 60_000, statutes.siti_user, deduct_wajib=True)
    batch = prepare_batch(statutes.coop, [payout.id], statutes.bendahara)

    approve_batch(batch, statutes.admin)

    assert (available(statutes.siti), wajib(statutes)) == (10_000, WAJIB)
    assert check_ledger() == []


def test_the_statement_line_says_the_wajib_was_deducted(statutes, in_english):
    payout = request_payout(statutes.siti, 60_000, statutes.siti_user, deduct_wajib=True)
    approve_payout(payout, statutes.admin)
    (line,) = [line for line in statement_lines(statutes.siti) if line.payout_id == payout.id]
    assert line_description(line) == (
        f"Payout #{payout.id} approved, simpanan wajib Rp 25.000 deducted"
    )


def test_the_member_ticks_the_box_on_the_balance_page(english, login, statutes):
    login(statutes.siti_user)
    url = f"/koperasi/{statutes.coop.slug}/anggota/saldo"
    assert "Rp\xa025.000" in english.get(url).get_data(as_text=True)

    english.post(url, data={"amount": "60.000", "deduct_wajib": "y"})

    html = english.get(url).get_data(as_text=True)
    assert "+ simpanan wajib Rp\xa025.000" in html
    assert payout_summary(statutes.siti).requested == 85_000


def test_with_no_wajib_in_the_statutes_there_is_no_box(english, login, earned):
    login(earned.siti_user)
    html = english.get(f"/koperasi/{earned.coop.slug}/anggota/saldo").get_data(as_text=True)
    assert "deduct_wajib" not in html
