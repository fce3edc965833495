"""Maker-checker payouts: the bendahara prepares a batch, a second admin approves it.

Koperasi Tani (tests/payouts/conftest.py) with a second admin, Bu Bendahara, who prepares;
Pak Ketua approves. Siti has Rp 95.000 available; Budi, a second seller, Rp 95.000 too.
"""

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.coops.models import Role
from shop.errors import InvalidTransition
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.models import Payout, PayoutStatus
from shop.payouts import batches
from shop.payouts.batches import (
    ALLOWED_MOVES,
    approve_batch,
    cancel_batch,
    mismatched_holders,
    payouts_in,
    prepare_batch,
    remove_from_batch,
)
from shop.payouts.maker_checker import holder_matches, maker_checker_on, normalised_name
from shop.payouts.models import BatchStatus, PayoutBatch
from shop.payouts.services import (
    PayoutNotAllowed,
    PayoutRefused,
    approve_payout,
    reject_payout,
    request_payout,
)
from shop.rat.pack import maker_checker_payouts
from shop.reports.period import in_jakarta
from tests.factories import make_membership
from tests.payouts.conftest import available, entry_keys, in_transit, reloaded

pytestmark = pytest.mark.usefixtures("in_english")  # messages are matched in English


def batch_of(tani) -> PayoutBatch:
    return prepare_batch(tani.coop, [tani.siti_payout.id, tani.budi_payout.id], tani.bendahara)


def audit_actions(batch: PayoutBatch) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_type == "PayoutBatch", AuditEntry.target_id == batch.id)
            .order_by(AuditEntry.id)
        )
    )


def test_maker_checker_is_on_with_two_active_admins_unless_turned_off(tani):
    assert not maker_checker_on(tani.coop)  # one admin: nobody to check
    second = make_membership(coop=tani.coop, role=Role.ADMIN)
    assert maker_checker_on(tani.coop)
    tani.coop.payouts_need_two_admins = False
    assert not maker_checker_on(tani.coop)
    tani.coop.payouts_need_two_admins = True
    second.is_active = False
    assert not maker_checker_on(tani.coop)


def test_a_batch_approved_by_a_second_admin_moves_each_payout_once(requested):
    tani = requested
    batch = batch_of(tani)

    # Preparing moves no money; the payouts wait in the batch.
    assert batch.status == BatchStatus.PREPARED
    assert [p.id for p in payouts_in(batch)] == [tani.siti_payout.id, tani.budi_payout.id]
    assert available(tani.siti) == 95_000 and in_transit(tani.coop) == 0

    results = approve_batch(batch, tani.admin)

    assert (batch.status, batch.approved_by_id) == (BatchStatus.APPROVED, tani.admin.id)
    assert batch.approved_at is not None
    assert [reloaded(p).status for p in (tani.siti_payout, tani.budi_payout)] == [
        PayoutStatus.APPROVED
    ] * 2
    assert available(tani.siti) == 35_000
    assert available(tani.budi) == 5_000
    assert in_transit(tani.coop) == 150_000
    assert entry_keys(tani.siti_payout) == [f"payout-approved:{tani.siti_payout.id}"]
    assert [r.needs_manual_transfer for r in results] == [True, True]
    assert audit_actions(batch) == ["payout_batch.prepared", "payout_batch.approved"]
    assert check_ledger() == []

    with pytest.raises(InvalidTransition):
        approve_batch(batch, tani.admin)  # a second click
    assert in_transit(tani.coop) == 150_000


def test_the_admin_who_prepared_a_batch_cannot_approve_it(requested):
    tani = requested
    batch = batch_of(tani)

    with pytest.raises(PayoutNotAllowed, match="another admin"):
        approve_batch(batch, tani.bendahara)

    assert reloaded(tani.siti_payout).status == PayoutStatus.REQUESTED
    assert db.session.get(PayoutBatch, batch.id).status == BatchStatus.PREPARED
    assert available(tani.siti) == 95_000


def test_the_database_refuses_a_batch_approved_by_its_preparer(requested, monkeypatch):
    """Even past the service's check (a bug), the check constraint holds the rule."""
    tani = requested
    batch = batch_of(tani)
    batch.approved_by_id = tani.bendahara.id
    with pytest.raises(Exception, match="(?i)check"):
        db.session.flush()
    db.session.rollback()


def test_with_maker_checker_on_a_single_approval_is_refused(requested):
    with pytest.raises(PayoutNotAllowed, match="two admins"):
        approve_payout(requested.siti_payout, requested.admin)
    assert reloaded(requested.siti_payout).status == PayoutStatus.REQUESTED


def test_with_one_admin_the_single_approval_stays_and_batches_are_refused(earned):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    with pytest.raises(PayoutNotAllowed):
        prepare_batch(earned.coop, [payout.id], earned.admin)
    approve_payout(payout, earned.admin)
    assert reloaded(payout).status == PayoutStatus.APPROVED


def test_a_payout_is_in_one_batch_at_most(requested):
    tani = requested
    batch_of(tani)
    with pytest.raises(InvalidTransition):
        prepare_batch(tani.coop, [tani.siti_payout.id], tani.admin)
    assert db.session.scalar(select(func.count()).select_from(PayoutBatch)) == 1


def test_a_batch_takes_only_requested_payouts_of_its_cooperative(requested):
    other = make_membership(role=Role.ADMIN)  # an admin of another cooperative
    elsewhere = Payout(
        cooperative_id=other.cooperative_id, member_id=other.id, amount=10_000,
        bank_name="BRI", bank_account_number="1", bank_account_holder="X",
        requested_by_id=other.user_id,
    )  # fmt: skip
    db.session.add(elsewhere)
    db.session.flush()
    with pytest.raises(InvalidTransition):
        prepare_batch(requested.coop, [requested.siti_payout.id, elsewhere.id], requested.admin)
    with pytest.raises(PayoutRefused):
        prepare_batch(requested.coop, [], requested.admin)
    assert reloaded(requested.siti_payout).batch_id is None


def test_a_payout_waiting_in_a_batch_cannot_be_rejected_alone(requested):
    batch_of(requested)
    with pytest.raises(InvalidTransition, match="batch"):
        reject_payout(requested.siti_payout, "Salah rekening", requested.admin)
    assert reloaded(requested.siti_payout).status == PayoutStatus.REQUESTED


def test_cancelling_a_batch_sends_its_payouts_back_to_waiting(requested):
    tani = requested
    batch = batch_of(tani)

    cancel_batch(batch, tani.admin)

    assert (batch.status, batch.cancelled_by_id) == (BatchStatus.CANCELLED, tani.admin.id)
    assert reloaded(tani.siti_payout).batch_id is None
    assert reloaded(tani.siti_payout).status == PayoutStatus.REQUESTED
    assert audit_actions(batch) == ["payout_batch.prepared", "payout_batch.cancelled"]
    with pytest.raises(InvalidTransition):
        approve_batch(batch, tani.admin)
    with pytest.raises(InvalidTransition):
        cancel_batch(batch, tani.admin)
    # Free for a new batch.
    assert prepare_batch(tani.coop, [tani.siti_payout.id], tani.bendahara).id != batch.id


def test_an_approved_batch_cannot_be_cancelled(requested):
    batch = batch_of(requested)
    approve_batch(batch, requested.admin)
    with pytest.raises(InvalidTransition, match="approved"):
        cancel_batch(batch, requested.bendahara)
    assert in_transit(requested.coop) == 150_000


@pytest.mark.parametrize(
    ("holder", "matches"),
    [
        ("Siti Aminah", True),
        ("SITI  AMINAH", True),
        ("Ibu Siti Aminah", True),
        ("Hj. Siti Aminah, S.E.", True),
        ("Keripik Bu Siti", True),  # the business's name
        ("Siti Aminah Putri", False),
        ("Andi Wijaya", False),
        ("", False),
    ],
)
def test_an_account_holder_matches_the_member_once_normalised(tani, holder, matches):
    assert holder_matches(holder, tani.siti) is matches


def test_titles_and_punctuation_are_not_part_of_a_name():
    assert normalised_name("Bpk. H. Ahmad  Yani, S.E.") == "ahmad yani"


def test_a_mismatched_holder_blocks_approval_until_its_preparer_takes_it_out(requested):
    tani = requested
    tani.siti_payout.bank_account_holder = "Andi Wijaya"  # not Siti's account
    db.session.flush()
    batch = batch_of(tani)
    assert mismatched_holders(payouts_in(batch)) == [tani.siti_payout]

    with pytest.raises(PayoutRefused, match="does not match"):
        approve_batch(batch, tani.admin)
    assert in_transit(tani.coop) == 0
    assert db.session.get(PayoutBatch, batch.id).status == BatchStatus.PREPARED

    with pytest.raises(PayoutNotAllowed):  # the checker does not change what it approves
        remove_from_batch(batch, tani.siti_payout, tani.admin)
    remove_from_batch(batch, tani.siti_payout, tani.bendahara)
    approve_batch(batch, tani.admin)

    assert reloaded(tani.siti_payout).status == PayoutStatus.REQUESTED
    assert reloaded(tani.siti_payout).batch_id is None
    assert reloaded(tani.budi_payout).status == PayoutStatus.APPROVED
    assert in_transit(tani.coop) == 90_000
    assert "payout_batch.payout_removed" in audit_actions(batch)
    assert check_ledger() == []


def test_the_last_payout_is_not_removed_but_the_batch_cancelled(requested):
    batch = prepare_batch(requested.coop, [requested.siti_payout.id], requested.bendahara)
    with pytest.raises(PayoutRefused, match="cancel"):
        remove_from_batch(batch, requested.siti_payout, requested.bendahara)


def test_a_balance_that_no_longer_covers_a_payout_refuses_the_whole_batch(requested, monkeypatch):
    tani = requested
    batch = batch_of(tani)
    monkeypatch.setattr(
        "shop.payouts.services._available", lambda member: 0 if member.id == tani.budi.id else 10**9
    )
    with pytest.raises(PayoutRefused, match="Budi"):
        approve_batch(batch, tani.admin)
    assert reloaded(tani.siti_payout).status == PayoutStatus.REQUESTED  # all or none
    assert db.session.get(PayoutBatch, batch.id).status == BatchStatus.PREPARED
    assert in_transit(tani.coop) == 0


def test_the_adapter_hears_of_a_batch_in_one_place_each(requested, monkeypatch):
    heard = []
    monkeypatch.setattr(batches, "on_batch_prepared", lambda b: heard.append(("prepared", b.id)))
    batch = batch_of(requested)
    approve_batch(batch, requested.admin)
    assert heard == [("prepared", batch.id)]


@pytest.mark.parametrize("source", list(BatchStatus))
def test_only_a_prepared_batch_moves(source):
    expected = {BatchStatus.APPROVED, BatchStatus.CANCELLED} if source == "prepared" else set()
    assert set(ALLOWED_MOVES.get(source, ())) == expected


def test_the_rat_pack_counts_the_years_payouts_approved_by_a_second_admin(requested):
    tani = requested
    approve_batch(batch_of(tani), tani.admin)
    tani.coop.payouts_need_two_admins = False  # turned off later: the approvals still count
    db.session.commit()
    year = in_jakarta(reloaded(tani.siti_payout).approved_at).year

    checker = maker_checker_payouts(tani.coop, year)

    assert (checker.approved, checker.by_second_admin, checker.setting_on) == (2, 2, False)
    assert maker_checker_payouts(tani.coop, year - 1).approved == 0
