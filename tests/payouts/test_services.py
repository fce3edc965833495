"""Payout rules, worked to the Rupiah: request, approval, transfer, rejection, refusals.

Siti has Rp 95.000 available (tests/payouts/conftest.py) in a cooperative whose minimum
payout is Rp 50.000.
"""

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.coops.models import Membership, Role
from shop.errors import InvalidTransition
from shop.extensions import db
from shop.fulfilment.refunds import RefundRefused, refund_lines
from shop.ledger.checks import check_ledger
from shop.ledger.journal import balance
from shop.ledger.models import Account, EntryKind, JournalEntry, PayoutStatus
from shop.payouts import adapter
from shop.payouts.adapter import ManualTransfer, SubmitResult, payout_adapter
from shop.payouts.queries import payout_summary
from shop.payouts.services import (
    PayoutNotAllowed,
    PayoutRefused,
    approve_payout,
    mark_payout_paid,
    reject_payout,
    request_payout,
)
from tests.factories import make_coop, make_membership
from tests.payouts.conftest import (
    EARNED,
    available,
    earn,
    entry_count,
    entry_keys,
    in_transit,
    payout_count,
    reloaded,
)


def test_request_approve_and_pay_move_the_money_worked_by_hand(earned):
    coop, siti, admin = earned.coop, earned.siti, earned.admin
    assert available(siti) == EARNED == 95_000

    payout = request_payout(siti, 60_000, earned.siti_user)

    # A request moves no money; it only reserves it against further requests.
    assert (payout.status, payout.amount) == (PayoutStatus.REQUESTED, 60_000)
    assert entry_keys(payout) == []
    assert available(siti) == 95_000
    assert payout_summary(siti) == (0, 95_000, 60_000, 0)
    assert payout_summary(siti).requestable == 35_000
    assert check_ledger() == []

    result = approve_payout(payout, admin)

    assert reloaded(payout).status == PayoutStatus.APPROVED
    assert reloaded(payout).decided_by_id == admin.id
    assert entry_keys(payout) == [f"payout-approved:{payout.id}"]
    assert available(siti) == 35_000
    assert in_transit(coop) == 60_000
    assert result.needs_manual_transfer
    assert check_ledger() == []

    mark_payout_paid(payout, "  BRI 2024-0117 ", admin)

    payout = reloaded(payout)
    assert payout.status == PayoutStatus.PAID
    assert payout.transfer_reference == "BRI 2024-0117"
    assert payout.paid_at is not None
    assert entry_keys(payout) == [f"payout-approved:{payout.id}", f"payout-paid:{payout.id}"]
    assert available(siti) == 35_000
    assert in_transit(coop) == 0
    assert balance(coop.id, Account.BANK) == -60_000  # the cooperative's bank paid it out
    assert payout_summary(siti) == (0, 35_000, 0, 60_000)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "Payout").order_by(AuditEntry.id)
    ).all()
    assert actions == ["payout.requested", "payout.approved", "payout.paid"]
    assert check_ledger() == []


def test_the_entries_post_to_the_member_and_the_cooperative_accounts(earned):
    payout = request_payout(earned.siti, 50_000, earned.siti_user)
    approve_payout(payout, earned.admin)
    mark_payout_paid(payout, "TRX-001", earned.admin)

    entries = db.session.scalars(
        select(JournalEntry).where(JournalEntry.payout_id == payout.id).order_by(JournalEntry.id)
    ).all()
    postings = [[(p.account, p.member_id, p.amount) for p in entry.postings] for entry in entries]
    assert [entry.kind for entry in entries] == [EntryKind.PAYOUT_APPROVED, EntryKind.PAYOUT_PAID]
    assert all(entry.actor_id == earned.admin.id for entry in entries)
    assert postings == [
        [
            (Account.MEMBER_AVAILABLE, earned.siti.id, 50_000),
            (Account.PAYOUTS_IN_TRANSIT, None, -50_000),
        ],
        [(Account.PAYOUTS_IN_TRANSIT, None, 50_000), (Account.BANK, None, -50_000)],
    ]


def test_the_bank_account_is_copied_so_a_later_change_cannot_redirect_the_payout(earned):
    payout = request_payout(earned.siti, 50_000, earned.siti_user)
    siti = db.session.get(Membership, earned.siti.id)
    siti.bank_name, siti.bank_account_number = "BCA", "9999999999"
    db.session.commit()

    payout = reloaded(payout)
    assert (payout.bank_name, payout.bank_account_number) == ("BRI", "0123456789")
    assert payout.bank_account_holder == "Siti Aminah"


def test_rejecting_a_requested_payout_posts_nothing(earned):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    entries = entry_count()

    reject_payout(payout, "Rekening atas nama orang lain", earned.admin)

    payout = reloaded(payout)
    assert payout.status == PayoutStatus.REJECTED
    assert payout.rejection_reason == "Rekening atas nama orang lain"
    assert payout.rejected_at is not None
    assert entry_count() == entries
    assert available(earned.siti) == 95_000
    assert payout_summary(earned.siti).requestable == 95_000
    assert check_ledger() == []


def test_rejecting_an_approved_payout_gives_the_money_back_to_available(earned):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    approve_payout(payout, earned.admin)
    assert available(earned.siti) == 35_000

    reject_payout(payout, "Transfer ditolak bank", earned.admin)

    assert reloaded(payout).status == PayoutStatus.REJECTED
    assert entry_keys(payout) == [
        f"payout-approved:{payout.id}",
        f"payout-rejected:{payout.id}",
    ]
    assert available(earned.siti) == 95_000
    assert in_transit(earned.coop) == 0
    assert balance(earned.coop.id, Account.BANK) == 0
    assert check_ledger() == []


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (95_001, "paling banyak Rp 95.000"),  # "at most"
        (49_999, "Pencairan dana minimal Rp 50.000"),  # "The minimum payout is"
        (0, "di atas Rp 0"),  # "above Rp 0"
        (-50_000, "di atas Rp 0"),
        (60_000.0, "di atas Rp 0"),  # not whole Rupiah as an int
        (True, "di atas Rp 0"),
    ],
)
def test_a_bad_amount_is_refused_and_nothing_is_written(earned, amount, message):
    entries = entry_count()

    with pytest.raises(PayoutRefused, match=message) as refused:
        request_payout(earned.siti, amount, earned.siti_user)

    assert refused.value.field == "amount"
    assert (payout_count(), entry_count()) == (0, entries)
    assert check_ledger() == []


def test_the_minimum_is_the_cooperatives_own(earned):
    earned.coop.min_payout = 80_000
    db.session.commit()

    with pytest.raises(PayoutRefused, match="Pencairan dana minimal Rp 80.000"):  # "minimum payout"
        request_payout(earned.siti, 79_000, earned.siti_user)
    assert request_payout(earned.siti, 80_000, earned.siti_user).amount == 80_000


def test_a_member_without_a_bank_account_is_refused(tani):
    budi = make_membership(coop=tani.coop, business_name="Madu Pak Budi")
    earn(budi, tani.admin)
    assert available(budi) == 95_000

    with pytest.raises(PayoutRefused, match="rekening bank"):  # "bank account"
        request_payout(budi, 50_000, budi.user)

    assert payout_count() == 0


def test_pending_earnings_cannot_be_paid_out(tani):
    """Earnings on an order not received yet are pending, not available."""
    earn(tani.siti, tani.admin, received=False)
    assert payout_summary(tani.siti) == (95_000, 0, 0, 0)

    with pytest.raises(PayoutRefused, match="paling banyak Rp 0"):  # "at most"
        request_payout(tani.siti, 50_000, tani.siti_user)

    assert payout_count() == 0


@pytest.mark.parametrize("who", ["another member", "an admin of the cooperative", "outsider"])
def test_only_the_member_can_ask_for_their_payout(earned, who):
    actor = {
        "another member": lambda: make_membership(coop=earned.coop).user,
        "an admin of the cooperative": lambda: earned.admin,
        "outsider": lambda: make_membership(coop=make_coop(), role=Role.ADMIN).user,
    }[who]()

    with pytest.raises(PayoutNotAllowed, match="diajukan oleh anggota"):  # "Only the member"
        request_payout(earned.siti, 50_000, actor)

    assert payout_count() == 0


def test_a_former_member_can_still_ask_for_what_they_are_owed_even_below_the_minimum(earned):
    earned.coop.min_payout = 100_000  # above Siti's Rp 95.000
    earned.siti.is_active = False
    db.session.commit()

    payout = request_payout(earned.siti, 95_000, earned.siti_user)

    assert (payout.amount, payout_count()) == (95_000, 1)


def test_a_former_member_below_the_minimum_asks_for_all_of_it_not_a_part(earned):
    earned.coop.min_payout = 100_000
    earned.siti.is_active = False
    db.session.commit()

    with pytest.raises(PayoutRefused):
        request_payout(earned.siti, 5_000, earned.siti_user)  # of Rp 95.000

    assert payout_count() == 0


def test_nobody_asks_in_a_closed_cooperative(earned):
    earned.coop.is_active = False
    db.session.commit()

    with pytest.raises(PayoutNotAllowed):
        request_payout(earned.siti, 50_000, earned.siti_user)

    assert payout_count() == 0


def test_two_requests_cannot_promise_the_same_money(earned):
    request_payout(earned.siti, 60_000, earned.siti_user)

    with pytest.raises(PayoutRefused, match="paling banyak Rp 35.000"):  # "at most"
        request_payout(earned.siti, 50_000, earned.siti_user)

    assert payout_count() == 1
    # What is left below the minimum cannot be asked for either, until more is earned.
    with pytest.raises(PayoutRefused, match="Pencairan dana minimal"):  # "minimum payout"
        request_payout(earned.siti, 35_000, earned.siti_user)
    earn(earned.siti, earned.admin, quantity=1)  # + 50.000 - 2.500 = 47.500 more
    assert request_payout(earned.siti, 82_500, earned.siti_user).amount == 82_500
    assert payout_summary(earned.siti) == (0, 142_500, 142_500, 0)
    assert payout_summary(earned.siti).requestable == 0


def test_an_approved_payout_still_counts_against_what_can_be_asked(earned):
    first = request_payout(earned.siti, 60_000, earned.siti_user)
    approve_payout(first, earned.admin)

    with pytest.raises(PayoutRefused, match="paling banyak Rp 35.000"):  # "at most"
        request_payout(earned.siti, 60_000, earned.siti_user)


def test_approval_is_refused_when_a_refund_took_the_money_meanwhile(tani, gateway):
    order = earn(tani.siti, tani.admin, gateway=gateway)
    payout = request_payout(tani.siti, 60_000, tani.siti_user)
    line = order.lines[0]
    # One unit back to the shopper: 50.000, of which 47.500 was Siti's (now available).
    refund_lines(order, tani.coop, {line.id: 1}, "Rusak", tani.admin, gateway)
    assert available(tani.siti) == 47_500
    entries = entry_count()

    with pytest.raises(PayoutRefused, match="tidak lagi mencukupi") as refused:  # "no longer"
        approve_payout(payout, tani.admin)

    assert "Rp 47.500" in refused.value.message
    assert reloaded(payout).status == PayoutStatus.REQUESTED
    assert entry_count() == entries
    assert available(tani.siti) == 47_500
    assert check_ledger() == []


def test_a_refund_is_refused_when_an_approved_payout_took_the_money(tani, gateway):
    order = earn(tani.siti, tani.admin, gateway=gateway)
    approve_payout(request_payout(tani.siti, 60_000, tani.siti_user), tani.admin)

    with pytest.raises(RefundRefused):
        refund_lines(order, tani.coop, {order.lines[0].id: 1}, "Rusak", tani.admin, gateway)

    assert available(tani.siti) == 35_000
    assert check_ledger() == []


def _approved(earned):
    payout = request_payout(earned.siti, 50_000, earned.siti_user)
    approve_payout(payout, earned.admin)
    return payout


def _paid(earned):
    payout = _approved(earned)
    mark_payout_paid(payout, "TRX-1", earned.admin)
    return payout


def _rejected(earned):
    payout = request_payout(earned.siti, 50_000, earned.siti_user)
    reject_payout(payout, "Tidak jelas", earned.admin)
    return payout


STATES = {
    PayoutStatus.REQUESTED: lambda earned: request_payout(earned.siti, 50_000, earned.siti_user),
    PayoutStatus.APPROVED: _approved,
    PayoutStatus.PAID: _paid,
    PayoutStatus.REJECTED: _rejected,
}
MOVES = {
    "approve": lambda payout, admin: approve_payout(payout, admin),
    "pay": lambda payout, admin: mark_payout_paid(payout, "TRX-2", admin),
    "reject": lambda payout, admin: reject_payout(payout, "Alasan", admin),
}


@pytest.mark.parametrize(
    ("state", "move", "message"),
    [
        (PayoutStatus.REQUESTED, "pay", "Setujui pencairan dana ini"),  # "Approve this payout"
        (PayoutStatus.APPROVED, "approve", "sudah disetujui"),  # "approved already"
        (PayoutStatus.PAID, "approve", "sudah dibayarkan"),  # "paid already"
        (PayoutStatus.PAID, "pay", "sudah dibayarkan"),
        (PayoutStatus.PAID, "reject", "sudah dibayarkan"),
        (PayoutStatus.REJECTED, "approve", "sudah ditolak"),  # "rejected already"
        (PayoutStatus.REJECTED, "pay", "sudah ditolak"),
        (PayoutStatus.REJECTED, "reject", "sudah ditolak"),
    ],
)
def test_a_move_the_state_does_not_allow_is_refused_and_posts_nothing(earned, state, move, message):
    payout = STATES[state](earned)
    entries, balances = entry_count(), (available(earned.siti), in_transit(earned.coop))

    with pytest.raises(InvalidTransition, match=message):
        MOVES[move](payout, earned.admin)

    assert reloaded(payout).status == state
    assert entry_count() == entries
    assert (available(earned.siti), in_transit(earned.coop)) == balances
    assert check_ledger() == []


@pytest.mark.parametrize("move", list(MOVES))
@pytest.mark.parametrize("who", ["the member", "another member", "admin of another coop"])
def test_only_an_admin_of_the_cooperative_decides(earned, move, who):
    payout = STATES[PayoutStatus.APPROVED if move == "pay" else PayoutStatus.REQUESTED](earned)
    status, entries = reloaded(payout).status, entry_count()
    actor = {
        "the member": lambda: earned.siti_user,
        "another member": lambda: make_membership(coop=earned.coop).user,
        "admin of another coop": lambda: make_membership(coop=make_coop(), role=Role.ADMIN).user,
    }[who]()

    with pytest.raises(PayoutNotAllowed, match="Hanya pengurus"):  # "Only an admin"
        MOVES[move](payout, actor)

    assert reloaded(payout).status == status
    assert entry_count() == entries


@pytest.mark.parametrize("reference", ["", "   ", "AB", "x" * 81])
def test_paying_needs_a_transfer_reference(earned, reference):
    payout = _approved(earned)

    with pytest.raises(PayoutRefused, match="referensi transfer") as refused:  # "reference"
        mark_payout_paid(payout, reference, earned.admin)

    assert refused.value.field == "transfer_reference"
    assert reloaded(payout).status == PayoutStatus.APPROVED
    assert in_transit(earned.coop) == 50_000


@pytest.mark.parametrize("reason", ["", "  \n ", "x" * 501])
def test_rejecting_needs_a_reason(earned, reason):
    payout = _approved(earned)

    with pytest.raises(PayoutRefused, match="Tuliskan alasannya") as refused:  # "Say why"
        reject_payout(payout, reason, earned.admin)

    assert refused.value.field == "reason"
    assert reloaded(payout).status == PayoutStatus.APPROVED
    assert available(earned.siti) == 45_000


def test_manual_transfer_is_the_default_adapter(app):
    assert app.config["PAYOUT_ADAPTER"] == "manual"
    with app.test_request_context():
        assert isinstance(payout_adapter(), ManualTransfer)


def test_an_unknown_adapter_is_a_deployment_error_found_before_approving(earned, app, monkeypatch):
    payout = request_payout(earned.siti, 50_000, earned.siti_user)
    monkeypatch.setitem(app.config, "PAYOUT_ADAPTER", "carrier-pigeon")

    with pytest.raises(RuntimeError, match="PAYOUT_ADAPTER"):
        approve_payout(payout, earned.admin)

    assert reloaded(payout).status == PayoutStatus.REQUESTED
    assert entry_keys(payout) == []


def test_approval_hands_the_committed_payout_to_the_configured_adapter(earned, app, monkeypatch):
    handed: list[tuple[int, str]] = []

    class Recording:
        def submit(self, payout):
            # What a disbursement API would see: the approval is already in the database.
            status = db.session.scalar(
                select(JournalEntry.kind).where(JournalEntry.payout_id == payout.id)
            )
            handed.append((payout.id, status))
            return SubmitResult(needs_manual_transfer=False, message="queued", reference="R-1")

    monkeypatch.setitem(adapter.ADAPTERS, "recording", Recording)
    monkeypatch.setitem(app.config, "PAYOUT_ADAPTER", "recording")
    payout = request_payout(earned.siti, 50_000, earned.siti_user)

    result = approve_payout(payout, earned.admin)

    assert handed == [(payout.id, EntryKind.PAYOUT_APPROVED)]
    assert result.reference == "R-1"
