"""Reading orders for the shopper: one order with everything its page shows, and their list.

An order page costs the same few queries whatever the number of cooperatives: the order,
its lines, its shipments and their cooperatives, and (once paid) its refunds with their
lines, each loaded in one go.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, bindparam, inspect, select
from sqlalchemy.orm import joinedload, selectinload

from shop.accounts.models import User
from shop.catalog.models import ProductImage
from shop.checkout.models import (
    RELEASING_STATUSES,
    Order,
    OrderLine,
    OrderShipment,
    OrderStatus,
    ShipmentStatus,
    ShippingMethod,
    payment_id,
)
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.fulfilment.labels import shipment_status_label
from shop.ledger.models import Refund
from shop.orders.labels import status_label
from shop.pagination import Page, paginate
from shop.plain_sql import rows
from shop.timeutil import from_stored

ORDERS_PER_PAGE = 20


@dataclass(frozen=True)
class OrderTab:
    key: str  # the ?tab= value
    label: object  # a lazy string
    condition: Callable[[], ColumnElement[bool]]


# My orders' tabs, as shoppers know them from other marketplaces. An order with a refund is
# also under "returns and refunds", whatever its status.
ORDER_TABS: dict[str, OrderTab] = {tab.key: tab for tab in (
    OrderTab("belum-bayar", _l("To pay"), lambda: Order.status == OrderStatus.PENDING),
    OrderTab("dikemas", _l("To pack"),
             lambda: Order.status.in_([OrderStatus.PAID, OrderStatus.PACKED])),
    OrderTab("dikirim", _l("On the way"), lambda: Order.status == OrderStatus.SHIPPED),
    OrderTab("selesai", _l("Completed"),
             lambda: Order.status.in_([OrderStatus.DELIVERED, OrderStatus.COMPLETED])),
    OrderTab("dibatalkan", _l("Cancelled"), lambda: Order.status.in_(
        [OrderStatus.EXPIRED, OrderStatus.CANCELLED, OrderStatus.DENIED])),
    OrderTab("pengembalian", _l("Returns and refunds"),
             lambda: select(Refund.id).where(Refund.order_id == Order.id).exists()),
)}  # fmt: skip


@dataclass(frozen=True)
class OrderItem:
    """An order in the list, with the first product bought and that product's first photo."""

    order: Order
    first_line: OrderLine | None
    photo: ProductImage | None


@dataclass(frozen=True)
class TimelineStep:
    label: str
    is_done: bool
    at: datetime | None = None
    detail: str = ""  # the tracking number of the "Shipped" step


@dataclass(frozen=True)
class RefundRow:
    """One refund as the shopper reads it: when, which units, how much and how."""

    refund: Refund
    items: list[tuple[int, str]]  # (units, line name)


@dataclass(frozen=True)
class ShipmentSection:
    """One cooperative's part of an order: what it sends, how, how far it has got, and what
    it refunded."""

    cooperative: Cooperative
    shipment: OrderShipment
    lines: list[OrderLine]
    timeline: list[TimelineStep]
    refunds: list[RefundRow] = field(default_factory=list)

    @property
    def items_total(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def refunded_units(self) -> Counter:
        """Order line id -> units refunded so far (0 for the others)."""
        units: Counter = Counter()
        for row in self.refunds:
            for refund_line in row.refund.lines:
                units[refund_line.order_line_id] += refund_line.quantity
        return units

    @property
    def refunded_total(self) -> int:
        return sum(row.refund.amount for row in self.refunds)

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
    """The order with this number, its lines and shipments (with their cooperatives) loaded;
    None when there is none."""
    found = find_order_to_show(number)
    return found[0] if found else None


def find_order_to_show(number: str) -> tuple[Order, bool] | None:
    """find_order(), and whether the order has refunds: its page reads them only then (most
    orders have none, and an order just paid never has)."""
    found = db.session.execute(_order_with_parts(), {"number": number}).unique().first()
    return None if found is None else (found[0], found[1])


@cache
def _order_with_parts() -> Select:
    """find_order_to_show()'s statement, built once (at its first use: not at import, which
    would set up the mappers of a worker that shows no order). One statement: an order has
    a few lines and shipments, so their product is small."""
    has_refunds = select(Refund.id).where(Refund.order_id == Order.id).exists()
    return (
        select(Order, has_refunds)
        .where(Order.number == bindparam("number"))
        .options(
            joinedload(Order.lines),
            joinedload(Order.shipments).joinedload(OrderShipment.cooperative),
        )
    )


@dataclass(frozen=True)
class OrderGlance:
    """What the payment pages read of an order: who may see it and where its payment stands.
    Values, not an ORM object: a commit does not expire them."""

    id: int
    number: str
    user_id: int | None
    access_token_hash: str
    status: OrderStatus
    paid_at: datetime | None
    payment_attempts: int

    @property
    def current_payment_id(self) -> str | None:
        """The Midtrans order id of the latest payment attempt; None before the first."""
        return payment_id(self.number, self.payment_attempts) if self.payment_attempts else None


GLANCE_AT_ORDER = (
    "SELECT id, number, user_id, access_token_hash, status, paid_at, payment_attempts"
    " FROM orders WHERE number = :number"
)


def glance_at_order(number: str) -> OrderGlance | None:
    """The order with this number as the payment pages read it, in one statement of the
    columns they need (shop/plain_sql.py): the return page reads it twice, before and after
    asking Midtrans, and its lines not at all. None when there is none."""
    found = rows(GLANCE_AT_ORDER, {"number": number})
    if not found:
        return None
    order_pk, number, user_id, token_hash, status, paid_at, attempts = found[0]
    return OrderGlance(
        order_pk, number, user_id, token_hash, OrderStatus(status), from_stored(paid_at), attempts
    )


def order_sections(order: Order, has_refunds: bool = True) -> list[ShipmentSection]:
    """The order cut by cooperative, in the order the shipments were written; its refunds
    looked for unless the caller knows it has none."""
    cooperatives = _cooperatives_of(order.shipments)
    refunds = _refunds_of(order) if has_refunds else []
    names = {line.id: line.name for line in order.lines}
    return [
        ShipmentSection(
            cooperative=cooperatives[shipment.cooperative_id],
            shipment=shipment,
            lines=[line for line in order.lines if line.cooperative_id == shipment.cooperative_id],
            timeline=shipment_timeline(order, shipment),
            refunds=[
                RefundRow(
                    refund=refund,
                    items=[(line.quantity, names[line.order_line_id]) for line in refund.lines],
                )
                for refund in refunds
                if refund.cooperative_id == shipment.cooperative_id
            ],
        )
        for shipment in order.shipments
    ]


def _cooperatives_of(shipments: list[OrderShipment]) -> dict[int, Cooperative]:
    """Cooperative id -> cooperative: those find_order loaded with the shipments, the others
    (an order loaded alone, for a mail) in one query, not one per shipment."""
    cooperatives = {
        shipment.cooperative_id: shipment.cooperative
        for shipment in shipments
        if "cooperative" not in inspect(shipment).unloaded
    }
    missing = [s.cooperative_id for s in shipments if s.cooperative_id not in cooperatives]
    if missing:
        query = select(Cooperative).where(Cooperative.id.in_(missing))
        cooperatives.update((coop.id, coop) for coop in db.session.scalars(query))
    return cooperatives


@dataclass(frozen=True)
class RefundTotals:
    refunded: int  # every cooperative's refunds of the order
    order_now_costs: int  # the grand total less the refunds
    has_gateway_refunds: bool  # some went back through Midtrans (a card may take days)


def refund_totals(order: Order, sections: list[ShipmentSection]) -> RefundTotals:
    refunds = [row.refund for section in sections for row in section.refunds]
    refunded = sum(refund.amount for refund in refunds)
    return RefundTotals(
        refunded=refunded,
        order_now_costs=order.grand_total - refunded,
        has_gateway_refunds=any(not refund.is_bank_transfer for refund in refunds),
    )


def _refunds_of(order: Order) -> list[Refund]:
    if order.paid_at is None:  # only a paid order is ever refunded
        return []
    return list(db.session.scalars(_refunds_with_lines(), {"order_id": order.id}))


@cache
def _refunds_with_lines() -> Select:
    return (
        select(Refund)
        .where(Refund.order_id == bindparam("order_id"))
        .options(selectinload(Refund.lines))
        .order_by(Refund.id)
    )


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


def orders_of(user: User, page_number: int, tab: str | None = None) -> Page:
    """One page of the user's orders in this tab of ORDER_TABS (every order for None),
    newest first; each item an OrderItem with its first product and photo, in four queries
    whatever the page holds (orders, shipments, first lines, photos)."""
    statement = (
        select(Order)
        .where(Order.user_id == user.id)
        .options(selectinload(Order.shipments))  # for order_status_text
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if tab in ORDER_TABS:
        statement = statement.where(ORDER_TABS[tab].condition())
    page = paginate(statement, page_number, ORDERS_PER_PAGE)
    return replace(page, items=_with_first_products(page.items))


def _with_first_products(orders: list[Order]) -> list[OrderItem]:
    if not orders:
        return []
    first_lines: dict[int, OrderLine] = {}
    lines = db.session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id.in_([order.id for order in orders]))
        .order_by(OrderLine.id)
    )
    for line in lines:
        first_lines.setdefault(line.order_id, line)
    product_ids = {line.product_id for line in first_lines.values()}
    photos: dict[int, ProductImage] = {}
    images = db.session.scalars(
        select(ProductImage)
        .where(ProductImage.product_id.in_(product_ids))
        .order_by(ProductImage.position, ProductImage.id)
    )
    for image in images:
        photos.setdefault(image.product_id, image)
    items = []
    for order in orders:
        line = first_lines.get(order.id)
        photo = photos.get(line.product_id) if line else None
        items.append(OrderItem(order, line, photo))
    return items
