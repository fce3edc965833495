"""Reading orders for the shopper: one order with everything its page shows, and their list.

An order page costs the same few queries whatever the number of cooperatives: the order,
its lines, its shipments and their cooperatives, each loaded in one go.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.accounts.models import User
from shop.checkout.models import (
    RELEASING_STATUSES,
    Order,
    OrderLine,
    OrderShipment,
    OrderStatus,
    ShipmentStatus,
    ShippingMethod,
)
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.fulfilment.labels import shipment_status_label
from shop.orders.labels import status_label
from shop.pagination import Page, paginate

ORDERS_PER_PAGE = 20


@dataclass(frozen=True)
class TimelineStep:
    label: str
    is_done: bool
    at: datetime | None = None
    detail: str = ""  # the tracking number of the "Shipped" step


@dataclass(frozen=True)
class ShipmentSection:
    """One cooperative's part of an order: what it sends, how, and how far it has got."""

    cooperative: Cooperative
    shipment: OrderShipment
    lines: list[OrderLine]
    timeline: list[TimelineStep]

    @property
    def items_total(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def status_label(self) -> str:
        return shipment_status_label(self.shipment.status, self.shipment.method)

    @property
    def is_pickup(self) -> bool:
        return self.shipment.method == ShippingMethod.PICKUP

    @property
    def pickup_place(self) -> str:
        return self.cooperative.pickup_place


def find_order(number: str) -> Order | None:
    """The order with this number, its lines and shipments loaded; None when there is none."""
    return db.session.scalar(
        select(Order)
        .where(Order.number == number)
        .options(selectinload(Order.lines), selectinload(Order.shipments))
    )


def order_sections(order: Order) -> list[ShipmentSection]:
    """The order cut by cooperative, in the order the shipments were written."""
    cooperative_ids = [shipment.cooperative_id for shipment in order.shipments]
    cooperatives = {
        cooperative.id: cooperative
        for cooperative in db.session.scalars(
            select(Cooperative).where(Cooperative.id.in_(cooperative_ids))
        )
    }
    return [
        ShipmentSection(
            cooperative=cooperatives[shipment.cooperative_id],
            shipment=shipment,
            lines=[line for line in order.lines if line.cooperative_id == shipment.cooperative_id],
            timeline=shipment_timeline(order, shipment),
        )
        for shipment in order.shipments
    ]


def order_status_text(order: Order) -> str:
    """The order's status in words; an order whose parts are all picked up is "ready for
    pickup" or "picked up", never "shipped" or "delivered"."""
    stage = {OrderStatus.SHIPPED: ShipmentStatus.SHIPPED,
             OrderStatus.DELIVERED: ShipmentStatus.DELIVERED}.get(order.status)  # fmt: skip
    is_pickup = all(shipment.method == ShippingMethod.PICKUP for shipment in order.shipments)
    if stage is not None and order.shipments and is_pickup:
        return shipment_status_label(stage, ShippingMethod.PICKUP)
    return status_label(order.status)


def shipment_timeline(order: Order, shipment: OrderShipment) -> list[TimelineStep]:
    """Ordered, paid, packed, shipped (or ready for pickup), delivered (or picked up),
    completed; a closed order ends at its closing instead."""
    ordered = TimelineStep(_("Ordered"), is_done=True, at=order.created_at)
    if order.status in RELEASING_STATUSES:
        closed = TimelineStep(status_label(order.status), is_done=True, at=order.stock_released_at)
        return [ordered, closed]

    def label(status: ShipmentStatus) -> str:
        return shipment_status_label(status, shipment.method)

    steps = [
        (_("Paid"), order.paid_at, ""),
        (label(ShipmentStatus.PACKED), shipment.packed_at, ""),
        (label(ShipmentStatus.SHIPPED), shipment.shipped_at, shipment.tracking_number),
        (label(ShipmentStatus.DELIVERED), shipment.delivered_at, ""),
        (label(ShipmentStatus.COMPLETED), shipment.completed_at, ""),
    ]
    return [ordered] + [
        TimelineStep(label, is_done=at is not None, at=at, detail=detail)
        for label, at, detail in steps
    ]


def orders_of(user: User, page_number: int) -> Page:
    """The user's orders, newest first, one page of them."""
    statement = (
        select(Order)
        .where(Order.user_id == user.id)
        .options(selectinload(Order.shipments))  # for order_status_text
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    return paginate(statement, page_number, ORDERS_PER_PAGE)
