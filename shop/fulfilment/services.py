"""A cooperative's part of an order, from packing to completion.

Each cooperative sends its own part of an order (one OrderShipment): pending -> packed ->
shipped -> delivered -> completed. Every move runs under the order's row lock and is one
conditional UPDATE from the state it was read in, so two clicks at once move it once, and
the order's own status, the summary the shopper reads, follows its parts.

Completion moves the members' earnings on that part from pending to available: after the
cooperative's hold period past delivery (`flask orders complete-due`), or earlier when the
shopper confirms receipt.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.checkout.models import (
    Order,
    OrderShipment,
    OrderStatus,
    ShipmentStatus,
    ShippingMethod,
)
from shop.coops.models import Cooperative
from shop.errors import InvalidTransition, NotFound, ShopError
from shop.extensions import db
from shop.fulfilment.labels import shipment_status_label
from shop.ledger.journal import add_entry, credit, debit
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.notifications import events
from shop.payments.services import PAID_OR_LATER
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)
T = TypeVar("T")

ALLOWED_SHIPMENT_MOVES = {
    ShipmentStatus.PENDING: {ShipmentStatus.PACKED},
    ShipmentStatus.PACKED: {ShipmentStatus.SHIPPED},
    ShipmentStatus.SHIPPED: {ShipmentStatus.DELIVERED},
    ShipmentStatus.DELIVERED: {ShipmentStatus.COMPLETED},
    ShipmentStatus.COMPLETED: set(),
}
STAMPS = {
    ShipmentStatus.PACKED: "packed_at",
    ShipmentStatus.SHIPPED: "shipped_at",
    ShipmentStatus.DELIVERED: "delivered_at",
    ShipmentStatus.COMPLETED: "completed_at",
}
# The order is as far as its least advanced part.
SHIPMENT_STAGES = list(ShipmentStatus)
ORDER_STAGES = [
    OrderStatus.PAID,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
]
CONFIRMABLE = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED})


def check_shipment_move(shipment: OrderShipment, target: ShipmentStatus) -> None:
    """Raise InvalidTransition unless the table allows shipment's status -> target."""
    if target not in ALLOWED_SHIPMENT_MOVES[shipment.status]:
        raise InvalidTransition(
            _(
                "This part of the order is %(status)s: it cannot be marked %(target)s.",
                status=shipment_status_label(shipment.status, shipment.method).lower(),
                target=shipment_status_label(target, shipment.method).lower(),
            )
        )


def mark_packed(shipment: OrderShipment, actor: User) -> None:
    """pending -> packed. Raises InvalidTransition from any other status."""
    _in_one_transaction(lambda: _move(shipment, ShipmentStatus.PACKED, actor))


def mark_shipped(shipment: OrderShipment, actor: User, tracking_number: str = "") -> None:
    """packed -> shipped ("ready for pickup" for a pickup part), with the courier's tracking
    number: required for a courier, optional for local delivery, never kept for pickup.
    Raises InvalidTransition or ShopError."""
    tracking_number = tracking_number.strip()

    def ship() -> None:
        order, locked = lock_order(shipment.order_id), _reload(shipment)
        check_shipment_move(locked, ShipmentStatus.SHIPPED)  # that message first
        if locked.method == ShippingMethod.COURIER and not tracking_number:
            raise ShopError(_("Enter the courier's tracking number."), field="tracking_number")
        is_pickup = locked.method == ShippingMethod.PICKUP
        values = {"tracking_number": "" if is_pickup else tracking_number}
        _apply_move(order, locked, ShipmentStatus.SHIPPED, actor, values)

    _in_one_transaction(ship)


def mark_delivered(shipment: OrderShipment, actor: User) -> None:
    """shipped -> delivered; the hold period before completion starts now."""
    _in_one_transaction(lambda: _move(shipment, ShipmentStatus.DELIVERED, actor))


def advance_shipment(
    shipment: OrderShipment, target: ShipmentStatus, actor: User, tracking_number: str = ""
) -> None:
    """The admin's step for a part: packed, shipped (with tracking_number) or delivered."""
    if target == ShipmentStatus.SHIPPED:
        mark_shipped(shipment, actor, tracking_number)
    elif target == ShipmentStatus.PACKED:
        mark_packed(shipment, actor)
    elif target == ShipmentStatus.DELIVERED:
        mark_delivered(shipment, actor)
    else:
        raise ValueError(f"{target} is not an admin's step")


@dataclass(frozen=True)
class PackResult:
    """What a bulk "mark packed" did: the order numbers packed, and each refused one with
    the reason."""

    packed: list[str]
    refused: list[tuple[str, str]]


def pack_parts(cooperative: Cooperative, numbers: Sequence[str], actor: User) -> PackResult:
    """Mark packed the cooperative's part of each order named, each through advance_shipment
    in a transaction of its own: a part that cannot move (packed already, no such paid order
    with a part of this cooperative) is refused and changes nothing, and the others still
    move. A number named twice counts once. Raises nothing for a refusal: it is reported."""
    packed, refused = [], []
    for number in dict.fromkeys(numbers):
        shipment = _paid_part(cooperative, number)
        if shipment is None:
            refused.append((number, _("Your cooperative has no paid order with this number.")))
            continue
        try:
            advance_shipment(shipment, ShipmentStatus.PACKED, actor)
        except ShopError as error:
            refused.append((number, error.message))
        else:
            packed.append(number)
    return PackResult(packed, refused)


def _paid_part(cooperative: Cooperative, number: str) -> OrderShipment | None:
    return db.session.scalar(
        select(OrderShipment)
        .join(Order, Order.id == OrderShipment.order_id)
        .where(
            Order.number == number,
            Order.status.in_(PAID_OR_LATER),
            OrderShipment.cooperative_id == cooperative.id,
        )
    )


def complete_shipment(
    shipment: OrderShipment, actor: User | None, now: datetime | None = None
) -> bool:
    """Complete a delivered part whose cooperative's hold period has passed: each member's
    pending earnings on it become available, once. Returns False, changing nothing, when the
    part is not delivered, not due yet, or completed already."""
    now = now or utcnow()
    try:
        order = lock_order(shipment.order_id)
        shipment = _reload(shipment)
        if shipment.status != ShipmentStatus.DELIVERED or not _hold_has_passed(shipment, now):
            db.session.rollback()
            return False
        _complete(order, shipment, actor, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True


def confirm_receipt(order: Order, cooperative_id: int, shopper: User | None) -> bool:
    """The shopper says they received one cooperative's part: a shipped part is marked
    delivered, and the part is completed at once, without waiting for the hold period.
    Returns False when it was completed already. Raises NotFound for a cooperative not in
    the order and InvalidTransition for a part not sent yet."""

    def confirm() -> bool:
        locked = lock_order(order.id)
        shipment = db.session.scalar(
            select(OrderShipment)
            .where(
                OrderShipment.order_id == order.id,
                OrderShipment.cooperative_id == cooperative_id,
            )
            .execution_options(populate_existing=True)
        )
        if shipment is None:
            raise NotFound(_("This order has no part from that cooperative."))
        if shipment.status == ShipmentStatus.COMPLETED:
            return False
        if shipment.status not in CONFIRMABLE:
            raise InvalidTransition(
                _("This part has not been sent yet: it can be confirmed once it is on its way.")
            )
        if shipment.status == ShipmentStatus.SHIPPED:
            _apply_move(locked, shipment, ShipmentStatus.DELIVERED, shopper)
        _complete(locked, shipment, shopper, utcnow())
        return True

    return _in_one_transaction(confirm)


def complete_due_shipments(now: datetime | None = None) -> int:
    """`flask orders complete-due`: complete every delivered part whose hold period has
    passed, each in its own transaction. Returns how many were completed."""
    now = now or utcnow()
    rows = db.session.execute(
        select(OrderShipment.id, OrderShipment.delivered_at, Cooperative.hold_days)
        .join(Cooperative, Cooperative.id == OrderShipment.cooperative_id)
        .where(OrderShipment.status == ShipmentStatus.DELIVERED)
        .order_by(OrderShipment.id)
    ).all()
    due = [
        shipment_id
        for shipment_id, delivered_at, hold_days in rows
        if delivered_at is not None and delivered_at + timedelta(days=hold_days) <= now
    ]
    completed = 0
    for shipment_id in due:
        shipment = db.session.get(OrderShipment, shipment_id)
        if complete_shipment(shipment, None, now):
            completed += 1
    logger.info("complete-due: %d of %d due part(s) completed", completed, len(due))
    return completed


def pending_on_part(order_id: int, cooperative_id: int) -> dict[int, int]:
    """What each member still has pending on one cooperative's part of an order: credited at
    settlement, less what refunds took back from pending (and what completion moved on)."""
    rows = db.session.execute(
        select(Posting.member_id, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            JournalEntry.order_id == order_id,
            Posting.cooperative_id == cooperative_id,
            Posting.account == Account.MEMBER_PENDING,
        )
        .group_by(Posting.member_id)
    ).all()
    return {member_id: -int(total) for member_id, total in rows}  # credit-normal


def _in_one_transaction(work: Callable[[], T]) -> T:
    try:
        result = work()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def lock_order(order_id: int) -> Order:
    """The order under its row lock (first in the fixed lock order: order, shipment,
    memberships), read afresh, so concurrent moves of its parts see each other."""
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _reload(shipment: OrderShipment) -> OrderShipment:
    return db.session.get(OrderShipment, shipment.id, populate_existing=True)


def _move(shipment: OrderShipment, target: ShipmentStatus, actor: User) -> None:
    order = lock_order(shipment.order_id)
    _apply_move(order, _reload(shipment), target, actor)


def _apply_move(
    order: Order,
    shipment: OrderShipment,
    target: ShipmentStatus,
    actor: User | None,
    values: dict | None = None,
    now: datetime | None = None,
) -> None:
    """Move a part, order locked: checked against the table, then one conditional UPDATE
    from the status it was read in, stamped and audited. Flushes only."""
    if order.status not in PAID_OR_LATER:
        raise InvalidTransition(_("This order is not paid: nothing can be sent yet."))
    check_shipment_move(shipment, target)
    values = values or {}
    moved = db.session.execute(
        update(OrderShipment)
        .where(OrderShipment.id == shipment.id, OrderShipment.status == shipment.status)
        .values(status=target, **{STAMPS[target]: now or utcnow()}, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # moved by someone else since it was read
        raise InvalidTransition(_("This part of the order was just changed. Please try again."))
    before = shipment.status
    db.session.refresh(shipment)
    _follow_shipments(order)
    events.shipment_moved(order, shipment)
    record_audit(
        actor,
        shipment.cooperative,
        f"shipment.{target.value}",
        shipment,
        {"order": order.number, "from": before.value, **values},
    )


def _follow_shipments(order: Order) -> None:
    """Order.status follows its least advanced part, one allowed step at a time."""
    statuses = db.session.scalars(
        select(OrderShipment.status).where(OrderShipment.order_id == order.id)
    ).all()
    stage = min(SHIPMENT_STAGES.index(status) for status in statuses)
    while order.status in ORDER_STAGES and ORDER_STAGES.index(order.status) < stage:
        order.move_to(ORDER_STAGES[ORDER_STAGES.index(order.status) + 1])
    db.session.flush()


def _hold_has_passed(shipment: OrderShipment, now: datetime) -> bool:
    hold = timedelta(days=shipment.cooperative.hold_days)
    return shipment.delivered_at is not None and shipment.delivered_at + hold <= now


def _complete(order: Order, shipment: OrderShipment, actor: User | None, now: datetime) -> None:
    """delivered -> completed, and each member's pending on this part moved to available in
    one entry; the entry's key and the conditional UPDATE make it happen once. Flushes."""
    cooperative_id = shipment.cooperative_id
    _apply_move(order, shipment, ShipmentStatus.COMPLETED, actor, now=now)
    pending = pending_on_part(order.id, cooperative_id)
    events.part_completed_for_members(order, cooperative_id, pending)
    legs = []
    for member_id, amount in sorted(pending.items()):
        if amount > 0:  # all refunded: nothing left to move
            legs += [
                debit(Account.MEMBER_PENDING, amount, member_id),
                credit(Account.MEMBER_AVAILABLE, amount, member_id),
            ]
    if legs:
        add_entry(
            f"complete:{order.number}:{cooperative_id}",
            EntryKind.COMPLETION,
            cooperative_id,
            legs,
            order_id=order.id,
            actor_id=actor.id if actor is not None else None,
            memo=f"order {order.number} completed",
        )
    logger.info("order %s: part of cooperative %s completed", order.number, cooperative_id)
