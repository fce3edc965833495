"""Races for one member's available balance, on PostgreSQL: payout requests against each
other, and a refund against a payout approval. The membership row lock serialises them, so
no more than the balance is ever promised or paid, and available never goes negative.

These need real commits on separate connections: `committed_database` (tests/conftest.py).
Each race widens its window on purpose (a pause between reading the balance and writing),
so that without the lock the test fails every time rather than now and then.
"""

import threading
import time

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.checkout.models import Order
from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db
from shop.fulfilment import refunds
from shop.fulfilment.refunds import RefundRefused, refund_lines
from shop.ledger.checks import check_ledger
from shop.ledger.models import Payout, PayoutStatus
from shop.payouts import services
from shop.payouts.services import (
    PayoutRefused,
    approve_payout,
    mark_payout_paid,
    request_payout,
)
from tests.factories import make_coop, make_membership, make_user
from tests.payouts.conftest import available, earn, in_transit

pytestmark = pytest.mark.pg

PAUSE = 0.3  # seconds a racer waits inside its critical section


def setup_tani(gateway=None):
    """Koperasi Tani with Siti's Rp 95.000 available, committed for real."""
    coop = make_coop(name="Koperasi Tani", fee_bp=500, min_payout=10_000)
    siti = make_membership(
        coop=coop,
        user=make_user(name="Siti"),
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="Siti Aminah",
    )
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    order = earn(siti, admin, gateway=gateway)
    assert available(siti) == 95_000
    return coop.id, siti.id, siti.user_id, admin.id, order.id


def run_all(app, *jobs) -> list[str]:
    """Run each job in its own thread and app context; their outcomes, in job order."""
    outcomes: list[str] = [""] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                outcomes[index] = job()
            except (PayoutRefused, RefundRefused) as error:
                outcomes[index] = f"refused ({type(error).__name__})"
            except Exception as error:  # a deadlock or a bug: make the test say which
                outcomes[index] = f"error: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def slowed(function, started: threading.Event | None = None):
    """function, pausing after it ran (and saying so) while its caller holds its locks."""

    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        if started is not None:
            started.set()
        time.sleep(PAUSE)
        return result

    return wrapper


def test_racing_requests_promise_and_pay_at_most_the_balance(app, committed_database, monkeypatch):
    coop_id, siti_id, siti_user_id, admin_id, _order_id = setup_tani()
    db.session.remove()
    monkeypatch.setattr(services, "_requested", slowed(services._requested))
    barrier = threading.Barrier(5)

    def ask() -> str:
        barrier.wait()
        siti = db.session.get(Membership, siti_id)
        payout = request_payout(siti, 30_000, db.session.get(User, siti_user_id))
        return f"requested {payout.amount}"

    outcomes = run_all(app, *[ask] * 5)

    # 3 x 30.000 fit in 95.000; a fourth would promise money already promised.
    assert sorted(outcomes) == ["refused (PayoutRefused)"] * 2 + ["requested 30000"] * 3
    admin = db.session.get(User, admin_id)
    for payout in db.session.scalars(select(Payout).order_by(Payout.id)).all():
        approve_payout(payout, admin)
        mark_payout_paid(payout, f"TRX-{payout.id}", admin)
    paid = db.session.scalar(
        select(func.sum(Payout.amount)).where(Payout.status == PayoutStatus.PAID)
    )
    siti = db.session.get(Membership, siti_id)
    assert paid == 90_000 <= 95_000
    assert available(siti) == 5_000
    assert in_transit(db.session.get(Cooperative, coop_id)) == 0
    assert check_ledger() == []


@pytest.mark.parametrize("first", ["refund", "approval"])
def test_a_refund_racing_a_payout_approval_never_takes_available_below_zero(
    app, committed_database, gateway, monkeypatch, first
):
    coop_id, siti_id, siti_user_id, admin_id, order_id = setup_tani(gateway)
    siti = db.session.get(Membership, siti_id)
    payout_id = request_payout(siti, 60_000, db.session.get(User, siti_user_id)).id
    db.session.remove()
    # Whoever goes first pauses while holding the membership lock; the other starts then.
    holds_lock = threading.Event()
    if first == "refund":
        monkeypatch.setattr(
            refunds, "_check_available", slowed(refunds._check_available, holds_lock)
        )
    else:
        monkeypatch.setattr(services, "_available", slowed(services._available, holds_lock))

    def refund() -> str:
        if first != "refund":
            holds_lock.wait(10)
        order = db.session.get(Order, order_id)
        coop = db.session.get(Cooperative, coop_id)
        admin = db.session.get(User, admin_id)
        # One unit of two back to the shopper: Siti's part of it is Rp 47.500.
        refund_lines(order, coop, {order.lines[0].id: 1}, "Rusak", admin, gateway)
        return "refunded"

    def approve() -> str:
        if first != "approval":
            holds_lock.wait(10)
        approve_payout(db.session.get(Payout, payout_id), db.session.get(User, admin_id))
        return "approved"

    refund_outcome, approval_outcome = run_all(app, refund, approve)

    siti = db.session.get(Membership, siti_id)
    payout = db.session.get(Payout, payout_id)
    if first == "refund":
        assert refund_outcome == "refunded"
        assert approval_outcome == "refused (PayoutRefused)"
        assert (payout.status, available(siti)) == (PayoutStatus.REQUESTED, 47_500)
    else:
        assert approval_outcome == "approved"
        assert refund_outcome == "refused (RefundRefused)"
        assert (payout.status, available(siti)) == (PayoutStatus.APPROVED, 35_000)
    assert available(siti) >= 0
    assert check_ledger() == []
