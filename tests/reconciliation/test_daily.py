"""The daily reconciliation: each kind of exception found for a made-up case and not for the
clean case, a repeat run opening nothing twice, and an exception resolved once its cause is
gone.

Koperasi Tani: Siti sells keripik at Rp 50.000; an order of 2, picked up, is Rp 100.000, all
of it Tani's part.
"""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from shop.checkout.models import Order
from shop.coops.membership_admin import change_role, deactivate_member
from shop.coops.models import Membership, Role
from shop.coops.services import accept_invitation, invite_member
from shop.extensions import db
from shop.jobs import periodic
from shop.ledger.journal import add_entry, credit, debit
from shop.ledger.models import Account, EntryKind, ExternalRefund, Payout, PayoutStatus
from shop.notifications.models import Notification
from shop.notifications.services import render_mail
from shop.payments.models import NotificationOutcome, PaymentNotification
from shop.payouts.batches import approve_batch, prepare_batch
from shop.payouts.models import BatchStatus, PayoutBatch
from shop.payouts.services import approve_payout, reject_payout, request_payout
from shop.reconciliation.models import ExceptionKind, ReconciliationException
from shop.reconciliation.services import (
    open_exceptions,
    recently_resolved,
    reconcile_all,
    reconcile_cooperative,
)
from shop.timeutil import utcnow
from tests.factories import make_coop, make_membership, make_product, make_user, pay
from tests.orders.conftest import place
from tests.payouts.conftest import earn

PART = 100_000
LATER = timedelta(days=4)  # past the settlement delay of 3 days (TestConfig: the default)


@pytest.fixture
def tani():
    coop = make_coop(name="Koperasi Tani", fee_bp=500, min_payout=50_000)
    siti = make_membership(
        coop=coop,
        user=make_user(name="Siti Aminah"),
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="Siti Aminah",
    )
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    return coop, siti, admin


def placed_order(siti) -> Order:
    return place([(make_product(siti, variants=((50_000, 10),)), 2)]).order


# The status_code Midtrans sends with each transaction_status (MIDTRANS.md §4).
STATUS_CODES = {"settlement": "200", "capture": "200", "refund": "200", "pending": "201"}


def signed(
    midtrans_id: str,
    status: str,
    received_at: datetime | None = None,
    valid=True,
    status_code: str | None = None,
):
    """A notification from Midtrans, stored as the notification URL stores it."""
    body = {
        "order_id": midtrans_id,
        "transaction_status": status,
        "status_code": status_code or STATUS_CODES.get(status, "202"),
        "gross_amount": "100000.00",
    }
    db.session.add(
        PaymentNotification(
            raw_body=json.dumps(body),
            order_id=midtrans_id,
            transaction_status=status,
            signature_valid=valid,
            outcome=NotificationOutcome.APPLIED,
            received_at=received_at or utcnow() - timedelta(hours=2),
        )
    )
    db.session.commit()


def found(coop, now=None) -> set[tuple[ExceptionKind, str, int]]:
    reconcile_cooperative(coop, now or utcnow() + LATER)
    return {(row.kind, row.reference, row.amount) for row in open_exceptions(coop)}


def test_a_clean_cooperative_has_no_exceptions(tani):
    coop, siti, admin = tani
    order = placed_order(siti)
    pay(order)
    signed(order.number, "settlement")

    assert found(coop) == set()


def test_paid_in_the_ledger_but_never_settled_by_midtrans_after_the_delay_is_found(tani):
    coop, siti, _admin = tani
    order = placed_order(siti)
    pay(order)  # the ledger posts it; Midtrans never says "settlement"
    signed(order.number, "capture")  # a card captured, never settled

    assert found(coop, utcnow() + timedelta(days=2)) == set()  # within the delay
    assert found(coop) == {(ExceptionKind.PAID_NOT_SETTLED, order.number, PART)}


def test_a_settlement_of_a_later_payment_attempt_counts(tani):
    coop, siti, _admin = tani
    order = placed_order(siti)
    pay(order)
    signed(f"{order.number}-2", "settlement")  # no attempt row of ours names it

    assert found(coop) == {(ExceptionKind.PAID_NOT_SETTLED, order.number, PART)}


def test_settled_by_midtrans_but_unknown_to_the_ledger_is_found(tani):
    coop, siti, _admin = tani
    order = placed_order(siti)  # never paid in our books (closed before the money came)
    signed(order.number, "settlement")

    assert found(coop) == {(ExceptionKind.SETTLED_UNKNOWN, order.number, PART)}


@pytest.mark.parametrize(
    "case", ["unsigned", "just received", "refunded since", "another cooperative's"]
)
def test_a_settlement_the_books_need_not_know_is_not_flagged(tani, case):
    coop, siti, _admin = tani
    seller = make_membership(coop=make_coop()) if case == "another cooperative's" else siti
    order = placed_order(seller)
    received = utcnow() + LATER - timedelta(minutes=5) if case == "just received" else None
    signed(order.number, "settlement", received, valid=case != "unsigned")
    if case == "refunded since":
        signed(order.number, "refund")

    assert found(coop) == set()


@pytest.mark.parametrize(
    "forged",
    [
        {"status_code": "201"},  # a signed "pending" sent again saying "settlement"
        {"status_code": "202"},  # a signed "deny"
        {"valid": False},  # status_code 200, but not Midtrans's signature
    ],
)
def test_a_settlement_said_without_a_signed_status_code_200_is_not_paid(tani, forged):
    coop, siti, _admin = tani
    paid_in_books, closed = placed_order(siti), placed_order(siti)
    pay(paid_in_books)
    signed(paid_in_books.number, "settlement", **forged)
    signed(closed.number, "settlement", **forged)

    assert found(coop) == {(ExceptionKind.PAID_NOT_SETTLED, paid_in_books.number, PART)}


def test_a_status_code_200_is_read_as_the_signature_check_reads_it(tani):
    """A repeated key: Python's JSON (which checked the signature) takes the last one, as
    PostgreSQL's does; SQLite's json_extract would take the first."""
    coop, siti, _admin = tani
    order = placed_order(siti)
    pay(order)
    signed(order.number, "settlement")
    notification = db.session.scalars(select(PaymentNotification)).one()
    notification.raw_body = (
        '{"status_code": "200", ' + notification.raw_body.replace('"200"', '"201"')[1:]
    )
    db.session.commit()

    assert found(coop) == {(ExceptionKind.PAID_NOT_SETTLED, order.number, PART)}


def test_a_signed_body_the_database_could_not_parse_does_not_stop_the_run(tani):
    coop, siti, _admin = tani
    order = placed_order(siti)
    pay(order)
    signed(order.number, "settlement")
    notification = db.session.scalars(select(PaymentNotification)).one()
    notification.raw_body = notification.raw_body[:-1] + ', "fraud_score": NaN}'
    db.session.commit()

    assert found(coop) == set()


def test_a_refund_made_at_midtrans_not_allocated_is_found_until_allocated(tani):
    coop, siti, _admin = tani
    order = placed_order(siti)
    pay(order)
    signed(order.number, "settlement")
    external = ExternalRefund(order_id=order.id, gateway_refund_key="dash-1", amount=30_000)
    db.session.add(external)
    db.session.commit()

    assert found(coop) == {(ExceptionKind.REFUND_NOT_ALLOCATED, order.number, 30_000)}

    external.allocated, external.allocated_at = 30_000, utcnow()
    db.session.commit()
    assert found(coop) == set()
    [resolved] = recently_resolved(coop, utcnow() + LATER)
    assert resolved.kind == ExceptionKind.REFUND_NOT_ALLOCATED


def earned(siti, admin) -> None:
    """Siti has Rp 95.000 available, from an order Midtrans settled."""
    signed(earn(siti, admin).number, "settlement")


def _payout(siti, amount=50_000) -> Payout:
    return request_payout(siti, amount, siti.user)


def test_a_payout_approved_by_an_admin_is_clean(tani):
    coop, siti, admin = tani
    earned(siti, admin)
    approve_payout(_payout(siti), admin)

    assert found(coop) == set()


def test_money_moved_for_a_payout_without_an_approval_on_record_is_found(tani):
    coop, siti, admin = tani
    earned(siti, admin)
    payout = _payout(siti)
    # Written behind the approval rule's back: the money is in transit, the payout unsigned.
    add_entry(
        f"payout-approved:{payout.id}",
        EntryKind.PAYOUT_APPROVED,
        coop.id,
        [
            debit(Account.MEMBER_AVAILABLE, payout.amount, siti.id),
            credit(Account.PAYOUTS_IN_TRANSIT, payout.amount),
        ],  # fmt: skip
        payout_id=payout.id,
    )
    payout.status = PayoutStatus.APPROVED
    db.session.commit()

    assert found(coop) == {(ExceptionKind.PAYOUT_UNAPPROVED, str(payout.id), 50_000)}


@pytest.mark.parametrize("approver", ["a plain member", "a former admin", "nobody"])
def test_a_payout_approved_by_someone_not_an_active_admin_is_found(tani, approver):
    coop, siti, admin = tani
    earned(siti, admin)
    payout = _payout(siti)
    approve_payout(payout, admin)
    payout = db.session.get(Payout, payout.id)
    if approver == "a plain member":
        payout.decided_by_id = siti.user_id
    elif approver == "a former admin":
        former = make_membership(coop=coop, role=Role.ADMIN, is_active=False)
        payout.decided_by_id = former.user_id
    else:
        payout.approved_at = None
    db.session.commit()

    assert found(coop) == {(ExceptionKind.PAYOUT_UNAPPROVED, str(payout.id), 50_000)}


def _approved_batch(tani):
    """Siti's payout in a batch prepared by a second admin, the bendahara, and approved by
    the first."""
    coop, siti, admin = tani
    earned(siti, admin)
    bendahara = make_membership(coop=coop, role=Role.ADMIN).user
    payout = _payout(siti)
    batch = prepare_batch(coop, [payout.id], bendahara)
    approve_batch(batch, admin)
    return db.session.get(PayoutBatch, batch.id), db.session.get(Payout, payout.id), bendahara


def test_a_payout_in_a_batch_approved_by_a_second_admin_is_clean(tani):
    coop = tani[0]
    _approved_batch(tani)

    assert found(coop) == set()


# (Approved by its preparer cannot even be written: ck_payout_batches_checker_is_not_maker.)
@pytest.mark.parametrize("flaw", ["approved by a plain member", "approver no longer admin",
                                  "batch not approved"])  # fmt: skip
def test_a_payout_in_a_batch_without_a_second_admins_approval_is_found(tani, flaw):
    coop, siti, admin = tani
    batch, payout, _bendahara = _approved_batch(tani)
    if flaw == "approved by a plain member":
        batch.approved_by_id = siti.user_id
    elif flaw == "approver no longer admin":
        # The payout's own approver stays an admin: only the batch's approver is not.
        former = make_membership(coop=coop, role=Role.ADMIN, is_active=False)
        batch.approved_by_id = former.user_id
    else:
        batch.status = BatchStatus.PREPARED
    db.session.commit()

    assert found(coop) == {(ExceptionKind.PAYOUT_UNAPPROVED, str(payout.id), 50_000)}


# The approver's role as it was when they approved (shop/coops/role_history.py).
@pytest.mark.parametrize("later", ["steps down to member", "leaves the cooperative"])
def test_an_admin_who_leaves_after_approving_leaves_their_approvals_clean(tani, later):
    coop, siti, admin = tani
    earned(siti, admin)
    approve_payout(_payout(siti), admin)
    ketua = make_membership(coop=coop, role=Role.ADMIN).user
    former = db.session.scalar(select(Membership).where(Membership.user_id == admin.id))
    if later == "steps down to member":
        change_role(former, Role.MEMBER, ketua)
    else:
        deactivate_member(former, ketua)

    assert found(coop) == set()


def test_an_admin_who_left_and_rejoined_as_a_member_leaves_the_approval_clean(tani):
    coop, siti, admin = tani
    earned(siti, admin)
    approve_payout(_payout(siti), admin)
    ketua = make_membership(coop=coop, role=Role.ADMIN).user
    former = db.session.scalar(select(Membership).where(Membership.user_id == admin.id))
    deactivate_member(former, ketua)
    _invitation, link = invite_member(coop, admin.email, Role.MEMBER, ketua)
    accept_invitation(link.rsplit("/", 1)[-1], admin)

    assert found(coop) == set()


def test_a_member_made_admin_after_the_approval_does_not_make_it_right(tani):
    coop, siti, admin = tani
    earned(siti, admin)
    payout = _payout(siti)
    approve_payout(payout, admin)
    rina = make_membership(coop=coop)
    payout = db.session.get(Payout, payout.id)
    payout.decided_by_id = rina.user_id  # signed by a plain member...
    db.session.commit()
    change_role(rina, Role.ADMIN, admin)  # ...who is an admin only since

    assert found(coop) == {(ExceptionKind.PAYOUT_UNAPPROVED, str(payout.id), 50_000)}


def test_a_batch_approver_who_steps_down_later_leaves_the_batch_clean(tani):
    coop, _siti, admin = tani
    _batch, _payout_in_it, bendahara = _approved_batch(tani)
    former = db.session.scalar(select(Membership).where(Membership.user_id == admin.id))
    change_role(former, Role.MEMBER, bendahara)

    assert found(coop) == set()


def test_a_payout_whose_money_came_back_is_not_flagged(tani):
    coop, siti, admin = tani
    earned(siti, admin)
    payout = _payout(siti)
    approve_payout(payout, admin)

    reject_payout(payout, "Rekening salah", admin)
    payout = db.session.get(Payout, payout.id)
    assert payout.status == PayoutStatus.REJECTED
    payout.approved_at = None  # whatever its approval was, no money is out
    db.session.commit()

    assert found(coop) == set()


def test_running_twice_opens_nothing_twice_and_keeps_when_it_was_first_seen(tani):
    coop, siti, _admin = tani
    order = placed_order(siti)
    pay(order)
    first, second = utcnow() + LATER, utcnow() + LATER + timedelta(hours=12)

    reconcile_cooperative(coop, first)
    result = reconcile_cooperative(coop, second)

    [row] = db.session.scalars(select(ReconciliationException)).all()
    assert (result.opened, result.still_open, result.resolved) == (0, 1, 0)
    assert (row.first_seen, row.last_seen) == (first, second)
    assert row.resolved_at is None


def test_an_exception_is_resolved_once_its_cause_is_gone_and_opened_anew_if_it_returns(tani):
    coop, siti, _admin = tani
    order = placed_order(siti)
    pay(order)
    reconcile_cooperative(coop, utcnow() + LATER)
    signed(order.number, "settlement")  # Midtrans's word, late

    result = reconcile_cooperative(coop, utcnow() + LATER)

    assert result.resolved == 1 and open_exceptions(coop) == []
    [row] = db.session.scalars(select(ReconciliationException)).all()
    assert row.resolved_at is not None

    db.session.execute(db.delete(PaymentNotification))  # as if it had never come
    db.session.commit()
    reconcile_cooperative(coop, utcnow() + LATER)
    rows = db.session.scalars(select(ReconciliationException)).all()
    assert len(rows) == 2 and len(open_exceptions(coop)) == 1


def test_each_cooperative_keeps_its_own_exceptions(tani):
    coop, siti, _admin = tani
    other = make_coop(name="Koperasi Batik")
    order = placed_order(siti)
    pay(order)

    results = reconcile_all(utcnow() + LATER)

    assert results[coop.id].opened == 1 and results[other.id].opened == 0
    assert open_exceptions(other) == []


def test_the_daily_task_reconciles_every_cooperative(tani, monkeypatch, app):
    coop, siti, _admin = tani
    order = placed_order(siti)
    pay(order)
    monkeypatch.setitem(app.config, "RECONCILIATION_SETTLEMENT_DAYS", 0)

    periodic.daily_reconciliation_exceptions()

    [row] = open_exceptions(coop)
    assert (row.kind, row.reference) == (ExceptionKind.PAID_NOT_SETTLED, order.number)
    assert periodic.daily_reconciliation_exceptions.task_class().validate_datetime(
        datetime(2026, 12, 2, 19, 45)
    )


def test_the_command_runs_it_and_says_what_it_found(tani, runner, monkeypatch, app):
    coop, siti, _admin = tani
    pay(placed_order(siti))
    monkeypatch.setitem(app.config, "RECONCILIATION_SETTLEMENT_DAYS", 0)

    result = runner.invoke(args=["reconciliation", "run", "--coop", coop.slug])

    assert result.exit_code == 0, result.output
    assert f"{coop.slug}: 1 new, 0 still open, 0 resolved" in result.output
    again = runner.invoke(args=["reconciliation", "run"])
    assert f"{coop.slug}: 0 new, 1 still open, 0 resolved" in again.output


def test_the_admins_hear_once_when_a_run_opens_new_exceptions(tani, app):
    coop, siti, admin = tani
    admin.language = "en"
    pay(placed_order(siti))
    told = select(Notification).where(Notification.kind == "admin_reconciliation_exceptions")

    reconcile_cooperative(coop, utcnow() + LATER)
    reconcile_cooperative(coop, utcnow() + LATER + timedelta(hours=12))  # nothing new

    [notification] = db.session.scalars(told).all()
    assert notification.recipient_id == admin.id
    with app.test_request_context():
        subject, body = render_mail(notification)
    assert subject == "The daily reconciliation found 1 new exception"
    assert f"/koperasi/{coop.slug}/kelola/rekonsiliasi/pengecualian" in body
