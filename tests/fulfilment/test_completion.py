"""Completing a cooperative's part of an order: its members' pending earnings become
available once, after the hold period past delivery or when the shopper confirms receipt.

Tani's part: Siti 3 x 15.000 = 45.000 less 2,5 % (1.125) = 43.875 pending; Budi 40.000 less
1.000 = 39.000. Batik's part: Rina 350.000 less 10 % = 315.000.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.checkout.models import OrderStatus, ShipmentStatus
from shop.errors import InvalidTransition, NotFound
from shop.extensions import db
from shop.fulfilment.services import (
    complete_due_shipments,
    complete_shipment,
    confirm_receipt,
    mark_delivered,
    mark_packed,
    mark_shipped,
)
from shop.ledger.checks import check_ledger
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.timeutil import utcnow
from tests.fulfilment.conftest import balances, delivered_days_ago

SITI, BUDI, RINA = 43_875, 39_000, 315_000


def deliver(shop, coop, admin):
    shipment = shop.shipment(coop)
    mark_packed(shipment, admin)
    mark_shipped(shipment, admin, "RESI-7")
    mark_delivered(shipment, admin)
    return shop.shipment(coop)


def completion_entries(order) -> list[JournalEntry]:
    return list(
        db.session.scalars(
            select(JournalEntry).where(
                JournalEntry.order_id == order.id, JournalEntry.kind == EntryKind.COMPLETION
            )
        )
    )


def test_a_delivered_part_is_not_completed_before_its_hold_period(paid):
    shipment = deliver(paid, paid.tani, paid.tani_admin)
    delivered_days_ago(shipment, 2.9)  # hold is 3 days

    assert complete_shipment(shipment, None) is False

    assert paid.shipment(paid.tani).status == ShipmentStatus.DELIVERED
    assert balances(paid.tani, paid.siti) == (SITI, 0)
    assert completion_entries(paid.order) == []
    assert check_ledger() == []


def test_after_the_hold_period_pending_moves_to_available_exactly(paid):
    shipment = deliver(paid, paid.tani, paid.tani_admin)
    delivered_days_ago(shipment, 3.01)

    assert complete_shipment(shipment, None) is True

    shipment = paid.shipment(paid.tani)
    assert shipment.status == ShipmentStatus.COMPLETED and shipment.completed_at is not None
    assert balances(paid.tani, paid.siti) == (0, SITI)
    assert balances(paid.tani, paid.budi) == (0, BUDI)
    assert balances(paid.batik, paid.rina) == (RINA, 0)  # Batik's part is not delivered
    [entry] = completion_entries(paid.order)
    assert entry.idempotency_key == f"complete:{paid.order.number}:{paid.tani.id}"
    assert entry.cooperative_id == paid.tani.id and entry.actor_id is None
    assert sorted((p.account, p.member_id, p.amount) for p in entry.postings) == sorted(
        [
            (Account.MEMBER_PENDING, paid.siti.id, SITI),
            (Account.MEMBER_AVAILABLE, paid.siti.id, -SITI),
            (Account.MEMBER_PENDING, paid.budi.id, BUDI),
            (Account.MEMBER_AVAILABLE, paid.budi.id, -BUDI),
        ]
    )
    assert paid.reload().status == OrderStatus.PAID  # Batik's part is still to pack
    assert check_ledger() == []


def test_the_hold_period_is_the_cooperatives_own(paid):
    paid.tani.hold_days = 0
    db.session.commit()
    shipment = deliver(paid, paid.tani, paid.tani_admin)

    assert complete_shipment(shipment, None) is True
    assert balances(paid.tani, paid.siti) == (0, SITI)


def test_completing_twice_moves_the_money_once(paid):
    shipment = deliver(paid, paid.tani, paid.tani_admin)
    delivered_days_ago(shipment, 4)

    results = [complete_shipment(shipment, None) for _ in range(3)]

    assert results == [True, False, False]
    assert balances(paid.tani, paid.siti) == (0, SITI)
    assert len(completion_entries(paid.order)) == 1
    assert check_ledger() == []


def test_the_shopper_confirming_a_shipped_part_completes_it_at_once(paid):
    shipment = paid.shipment(paid.batik)
    mark_packed(shipment, paid.batik_admin)
    mark_shipped(shipment, paid.batik_admin, "JNE-9")

    assert confirm_receipt(paid.order, paid.batik.id, None) is True

    shipment = paid.shipment(paid.batik)
    assert shipment.status == ShipmentStatus.COMPLETED
    assert shipment.delivered_at is not None and shipment.completed_at is not None
    assert balances(paid.batik, paid.rina) == (0, RINA)
    assert balances(paid.tani, paid.siti) == (SITI, 0)  # the other part waits
    assert check_ledger() == []


def test_a_confirmed_delivered_part_completes_once_even_if_confirmed_again(paid):
    deliver(paid, paid.tani, paid.tani_admin)

    first = confirm_receipt(paid.order, paid.tani.id, None)
    again = confirm_receipt(paid.order, paid.tani.id, None)
    later = complete_shipment(paid.shipment(paid.tani), None, utcnow() + timedelta(days=30))

    assert (first, again, later) == (True, False, False)
    assert balances(paid.tani, paid.budi) == (0, BUDI)
    assert len(completion_entries(paid.order)) == 1
    assert check_ledger() == []


@pytest.mark.parametrize("status", [ShipmentStatus.PENDING, ShipmentStatus.PACKED])
def test_a_part_not_sent_yet_cannot_be_confirmed(paid, status):
    shipment = paid.shipment(paid.tani)
    if status == ShipmentStatus.PACKED:
        mark_packed(shipment, paid.tani_admin)

    with pytest.raises(InvalidTransition):
        confirm_receipt(paid.order, paid.tani.id, None)

    assert paid.shipment(paid.tani).status == status
    assert balances(paid.tani, paid.siti) == (SITI, 0)


def test_confirming_a_cooperative_not_in_the_order_is_not_found(paid):
    with pytest.raises(NotFound):
        confirm_receipt(paid.order, paid.tani.id + paid.batik.id + 1000, None)


def test_the_order_is_completed_when_all_its_parts_are(paid):
    deliver(paid, paid.tani, paid.tani_admin)
    deliver(paid, paid.batik, paid.batik_admin)
    assert paid.reload().status == OrderStatus.DELIVERED

    confirm_receipt(paid.order, paid.tani.id, paid.tani_admin)
    assert paid.reload().status == OrderStatus.DELIVERED
    confirm_receipt(paid.order, paid.batik.id, None)

    assert paid.reload().status == OrderStatus.COMPLETED
    assert check_ledger() == []


def test_complete_due_completes_only_parts_past_their_hold(paid, runner):
    due = deliver(paid, paid.tani, paid.tani_admin)
    not_due = deliver(paid, paid.batik, paid.batik_admin)
    delivered_days_ago(due, 3.5)
    delivered_days_ago(not_due, 1)

    result = runner.invoke(args=["orders", "complete-due"])

    assert result.exit_code == 0, result.output
    assert "Completed 1 order part(s)." in result.output
    assert paid.shipment(paid.tani).status == ShipmentStatus.COMPLETED
    assert paid.shipment(paid.batik).status == ShipmentStatus.DELIVERED
    assert balances(paid.tani, paid.siti) == (0, SITI)
    assert balances(paid.batik, paid.rina) == (RINA, 0)
    again = runner.invoke(args=["orders", "complete-due"])
    assert "Completed 0 order part(s)." in again.output
    assert len(completion_entries(paid.order)) == 1
    assert check_ledger() == []


def test_complete_due_counts_what_it_completed(paid):
    for coop, admin in ((paid.tani, paid.tani_admin), (paid.batik, paid.batik_admin)):
        deliver(paid, coop, admin)

    assert complete_due_shipments(utcnow() + timedelta(days=2)) == 0
    assert complete_due_shipments(utcnow() + timedelta(days=3, minutes=1)) == 2
    total_available = db.session.scalar(
        select(-func.sum(Posting.amount)).where(Posting.account == Account.MEMBER_AVAILABLE)
    )
    assert total_available == SITI + BUDI + RINA
    assert check_ledger() == []
