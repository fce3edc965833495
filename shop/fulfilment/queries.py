"""Reading a cooperative's parts of orders for its admin pages: the list and one part.

A cooperative sees only its own part of an order: its lines, its shipment and its refunds,
with the shopper's contact and address it needs to send them. Orders not paid yet are not
its business.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from shop.checkout.models import Order, OrderLine, OrderShipment, ShipmentStatus, ShippingMethod
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.fulfilment.labels import shipment_status_label
from shop.fulfilment.manual_refunds import can_refund_by_hand
from shop.fulfilment.refunds import NOT_REFUNDABLE_BY_API, refunded_quantities
from shop.ledger.models import Refund
from shop.pagination import Page, paginate
from shop.payments.services import PAID_OR_LATER

PARTS_PER_PAGE = 20


@dataclass(frozen=True)
class PartSummary:
    """One row of the list: an order's part for this cooperative."""

    shipment: OrderShipment
    items_total: int

    @property
    def order(self) -> Order:
        return self.shipment.order

    @property
    def status_label(self) -> str:
        return shipment_status_label(self.shipment.status, self.shipment.method)

    @property
    def is_to_pack(self) -> bool:
        return self.shipment.status == ShipmentStatus.PENDING


@dataclass(frozen=True)
class PartLine:
    line: OrderLine
    member_name: str
    refunded: int  # units refunded so far

    @property
    def refundable(self) -> int:
        return self.line.quantity - self.refunded


@dataclass(frozen=True)
class CoopPart:
    """One cooperative's part of an order, as its admin page shows it."""

    order: Order
    shipment: OrderShipment
    lines: list[PartLine]
    refunds: list[Refund]
    can_refund_by_hand: bool = False  # Midtrans cannot refund it: a transfer is recorded

    @property
    def can_refund_by_api(self) -> bool:
        return self.order.payment_method not in NOT_REFUNDABLE_BY_API

    @property
    def status_label(self) -> str:
        return shipment_status_label(self.shipment.status, self.shipment.method)

    @property
    def is_pickup(self) -> bool:
        return self.shipment.method == ShippingMethod.PICKUP

    @property
    def pickup_place(self) -> str:
        return self.shipment.cooperative.pickup_place

    @property
    def line_ids(self) -> list[int]:
        return [part_line.line.id for part_line in self.lines]

    @property
    def line_names(self) -> dict[int, str]:
        return {part_line.line.id: part_line.line.name for part_line in self.lines}

    @property
    def items_total(self) -> int:
        return sum(part_line.line.line_total for part_line in self.lines)

    @property
    def refunded_total(self) -> int:
        return sum(refund.amount for refund in self.refunds)

    @property
    def has_refundable_lines(self) -> bool:
        return any(part_line.refundable and part_line.line.unit_price for part_line in self.lines)

    @property
    def available_from(self) -> datetime | None:
        """When the hold period after delivery ends (the earnings become available)."""
        if self.shipment.delivered_at is None:
            return None
        return self.shipment.delivered_at + timedelta(days=self.shipment.cooperative.hold_days)


def parts_of(cooperative: Cooperative, status: ShipmentStatus | None, page_number: int) -> Page:
    """The cooperative's parts of paid (or later) orders, newest first, optionally only
    those in one shipment status; a page of PartSummary."""
    statement = (
        select(OrderShipment)
        .join(Order, Order.id == OrderShipment.order_id)
        .options(contains_eager(OrderShipment.order))
        .where(OrderShipment.cooperative_id == cooperative.id, Order.status.in_(PAID_OR_LATER))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if status is not None:
        statement = statement.where(OrderShipment.status == status)
    page = paginate(statement, page_number, PARTS_PER_PAGE)
    order_ids = [shipment.order_id for shipment in page.items]
    totals = dict(
        db.session.execute(
            select(OrderLine.order_id, func.sum(OrderLine.line_total))
            .where(OrderLine.order_id.in_(order_ids), OrderLine.cooperative_id == cooperative.id)
            .group_by(OrderLine.order_id)
        ).all()
    )
    summaries = [
        PartSummary(shipment=shipment, items_total=int(totals.get(shipment.order_id, 0)))
        for shipment in page.items
    ]
    return replace(page, items=summaries)


def find_part(cooperative: Cooperative, number: str) -> CoopPart | None:
    """The cooperative's part of a paid (or later) order; None when there is no such order,
    it is not paid, or the cooperative has no part in it (the same 404 for all three)."""
    order = db.session.scalar(
        select(Order).where(Order.number == number, Order.status.in_(PAID_OR_LATER))
    )
    if order is None:
        return None
    shipment = db.session.scalar(
        select(OrderShipment).where(
            OrderShipment.order_id == order.id, OrderShipment.cooperative_id == cooperative.id
        )
    )
    if shipment is None:
        return None
    lines = list(
        db.session.scalars(
            select(OrderLine)
            .where(OrderLine.order_id == order.id, OrderLine.cooperative_id == cooperative.id)
            .order_by(OrderLine.id)
        )
    )
    members = {
        membership.id: membership.display_name
        for membership in db.session.scalars(
            select(Membership)
            .where(Membership.id.in_({line.member_id for line in lines}))
            .options(selectinload(Membership.user))
        )
    }
    refunded = refunded_quantities([line.id for line in lines])
    refunds = list(
        db.session.scalars(
            select(Refund)
            .where(Refund.order_id == order.id, Refund.cooperative_id == cooperative.id)
            .options(selectinload(Refund.lines))
            .order_by(Refund.id)
        )
    )
    return CoopPart(
        order=order,
        shipment=shipment,
        lines=[
            PartLine(
                line=line, member_name=members[line.member_id], refunded=refunded.get(line.id, 0)
            )
            for line in lines
        ],
        refunds=refunds,
        can_refund_by_hand=can_refund_by_hand(order, cooperative),
    )
