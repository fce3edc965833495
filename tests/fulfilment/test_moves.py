"""A cooperative's part of an order moving pending -> packed -> shipped -> delivered: each
move once, stamped and audited, and the order's status following its parts."""

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.checkout.models import OrderShipment, OrderStatus, ShipmentStatus
from shop.errors import InvalidTransition, ShopError
from shop.extensions import db
from shop.fulfilment.services import (
    ALLOWED_SHIPMENT_MOVES,
    advance_shipment,
    mark_delivered,
    mark_packed,
    mark_shipped,
)
from shop.ledger.checks import check_ledger
from shop.timeutil import utcnow

ADMIN_STEPS = [ShipmentStatus.PACKED, ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED]


def audit_actions(shipment: OrderShipment) -> list[tuple[str, int | None, dict]]:
    return [
        (entry.action, entry.actor_id, entry.details)
        for entry in db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "OrderShipment", AuditEntry.target_id == shipment.id)
            .order_by(AuditEntry.id)
        )
    ]


def shipment_row(shipment: OrderShipment) -> tuple:
    return db.session.execute(
        select(*OrderShipment.__table__.c).where(OrderShipment.id == shipment.id)
    ).one()


def put_at(shipment: OrderShipment, status: ShipmentStatus) -> None:
    shipment.status = status
    db.session.commit()


def test_a_part_goes_packed_shipped_delivered_with_timestamps_and_audit(paid):
    shipment = paid.shipment(paid.batik)
    started = utcnow()

    mark_packed(shipment, paid.batik_admin)
    mark_shipped(shipment, paid.batik_admin, "  JNE-0042  ")
    mark_delivered(shipment, paid.batik_admin)

    shipment = paid.shipment(paid.batik)
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.tracking_number == "JNE-0042"
    assert started <= shipment.packed_at <= shipment.shipped_at <= shipment.delivered_at
    assert shipment.completed_at is None
    number = paid.order.number
    assert audit_actions(shipment) == [
        ("shipment.packed", paid.batik_admin.id, {"order": number, "from": "pending"}),
        (
            "shipment.shipped",
            paid.batik_admin.id,
            {"order": number, "from": "packed", "tracking_number": "JNE-0042"},
        ),
        ("shipment.delivered", paid.batik_admin.id, {"order": number, "from": "shipped"}),
    ]
    assert check_ledger() == []


@pytest.mark.parametrize("start", list(ShipmentStatus))
@pytest.mark.parametrize("target", ADMIN_STEPS)
def test_only_the_next_step_is_allowed_and_a_wrong_one_changes_nothing(paid, start, target):
    shipment = paid.shipment(paid.tani)
    put_at(shipment, start)
    before = shipment_row(shipment)

    if target in ALLOWED_SHIPMENT_MOVES[start]:
        advance_shipment(shipment, target, paid.tani_admin, "RESI-1")
        assert paid.shipment(paid.tani).status == target
        return
    with pytest.raises(InvalidTransition) as refused:
        advance_shipment(shipment, target, paid.tani_admin, "RESI-1")

    assert "tidak dapat ditandai" in refused.value.message  # "cannot be marked"
    assert shipment_row(shipment) == before
    assert audit_actions(shipment) == []


def test_the_table_allows_exactly_one_step_forward_from_each_status():
    stages = list(ShipmentStatus)
    assert ALLOWED_SHIPMENT_MOVES == {
        status: ({stages[index + 1]} if index + 1 < len(stages) else set())
        for index, status in enumerate(stages)
    }


def test_a_courier_part_needs_its_tracking_number_to_ship(paid):
    shipment = paid.shipment(paid.batik)  # courier
    mark_packed(shipment, paid.batik_admin)

    with pytest.raises(ShopError) as refused:
        mark_shipped(shipment, paid.batik_admin, "   ")

    assert refused.value.field == "tracking_number"
    assert paid.shipment(paid.batik).status == ShipmentStatus.PACKED
    assert paid.shipment(paid.batik).shipped_at is None


def test_local_delivery_ships_without_a_tracking_number(paid):
    shipment = paid.shipment(paid.tani)  # local delivery
    mark_packed(shipment, paid.tani_admin)

    mark_shipped(shipment, paid.tani_admin)

    assert paid.shipment(paid.tani).status == ShipmentStatus.SHIPPED
    assert paid.shipment(paid.tani).tracking_number == ""


def test_an_unpaid_order_cannot_be_packed(shop):
    shipment = shop.shipment(shop.tani)

    with pytest.raises(InvalidTransition):
        mark_packed(shipment, shop.tani_admin)

    assert shop.shipment(shop.tani).status == ShipmentStatus.PENDING
    assert audit_actions(shipment) == []


def test_the_order_status_follows_its_least_advanced_part(paid):
    tani, batik = paid.shipment(paid.tani), paid.shipment(paid.batik)
    seen = []

    def step(action, shipment, admin, *args):
        action(shipment, admin, *args)
        seen.append(paid.reload().status)

    step(mark_packed, tani, paid.tani_admin)
    step(mark_packed, batik, paid.batik_admin)
    step(mark_shipped, tani, paid.tani_admin)
    step(mark_delivered, tani, paid.tani_admin)
    step(mark_shipped, batik, paid.batik_admin, "JNE-1")
    step(mark_delivered, batik, paid.batik_admin)

    assert seen == [
        OrderStatus.PAID,  # Batik has not packed yet
        OrderStatus.PACKED,
        OrderStatus.PACKED,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,  # Tani delivered, Batik shipped
        OrderStatus.DELIVERED,
    ]
