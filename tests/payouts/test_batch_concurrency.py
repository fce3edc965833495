"""Two admins (and a double click) approving one payout batch at once, on PostgreSQL: the
batch's money moves once, the admin who prepared it is refused, and the books stay right.

Real commits on separate connections (`committed_database`); the winner pauses while it holds
the batch row, so that the others arrive while it is still deciding.
"""

import threading

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.coops.models import Cooperative, Membership, Role
from shop.errors import ShopError
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.models import JournalEntry, Payout, PayoutStatus
from shop.payouts import services
from shop.payouts.batches import approve_batch, prepare_batch
from shop.payouts.models import BatchStatus, PayoutBatch
from shop.payouts.services import request_payout
from tests.factories import make_membership
from tests.payouts.conftest import available, in_transit
from tests.payouts.test_concurrency import setup_tani, slowed

pytestmark = pytest.mark.pg


def run_all(app, *jobs) -> list[str]:
    outcomes: list[str] = [""] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                outcomes[index] = job()
            except ShopError as error:
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


def test_concurrent_approvals_of_one_batch_move_its_money_once(
    app, committed_database, monkeypatch
):
    coop_id, siti_id, siti_user_id, ketua_id, _order_id = setup_tani()
    coop = db.session.get(Cooperative, coop_id)
    bendahara_id = make_membership(coop=coop, role=Role.ADMIN).user_id
    sekretaris_id = make_membership(coop=coop, role=Role.ADMIN).user_id
    siti = db.session.get(Membership, siti_id)
    siti.bank_account_holder = "Ibu Siti"  # the member's name, setup_tani's user being "Siti"
    payout_id = request_payout(siti, 60_000, db.session.get(User, siti_user_id)).id
    batch_id = prepare_batch(coop, [payout_id], db.session.get(User, bendahara_id)).id
    db.session.remove()
    monkeypatch.setattr(services, "_available", slowed(services._available))
    barrier = threading.Barrier(4)

    def approve_as(user_id: int):
        def approve() -> str:
            barrier.wait()
            batch = db.session.get(PayoutBatch, batch_id)
            approve_batch(batch, db.session.get(User, user_id))
            return "approved"

        return approve

    # The ketua clicks twice, the sekretaris once, the bendahara (who prepared it) once.
    outcomes = run_all(
        app, *(approve_as(user_id) for user_id in (ketua_id, ketua_id, sekretaris_id, bendahara_id))
    )

    assert outcomes[3] == "refused (PayoutNotAllowed)"
    assert sorted(outcomes[:3]) == ["approved"] + ["refused (InvalidTransition)"] * 2
    batch = db.session.get(PayoutBatch, batch_id)
    assert batch.status == BatchStatus.APPROVED
    assert batch.approved_by_id in (ketua_id, sekretaris_id)
    assert db.session.get(Payout, payout_id).status == PayoutStatus.APPROVED
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.payout_id == payout_id)
        )
        == 1
    )
    assert available(db.session.get(Membership, siti_id)) == 35_000
    assert in_transit(db.session.get(Cooperative, coop_id)) == 60_000
    assert check_ledger() == []
