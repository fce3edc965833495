"""What a member's home page shows: the lines to prepare, the money, what needs their eye."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from shop.catalog.models import Product, pre_order_ready_on
from shop.checkout.models import Order, OrderLine, OrderShipment, ShipmentStatus, ShippingMethod
from shop.coops.models import Membership
from shop.extensions import db
from shop.ledger.models import RefundLine
from shop.payouts.queries import PayoutSummary, payout_summary
from shop.products.queries import Filters, products_of
from shop.reports.period import Period, in_jakarta
from shop.reports.queries import MemberRow, member_report

SHOWN_PRODUCTS = 10  # products needing attention listed on the home page


@dataclass(frozen=True)
class MemberLine:
    """One of the member's order lines in a paid part of an order, as far as it has gone."""

    order_number: str
    paid_at: datetime
    product_name: str
    variant_label: str
    quantity: int  # still to send: ordered less refunded
    method: ShippingMethod
    city: str  # where it goes (the shopper's kota/kabupaten)
    ready_on: date | None  # for a pre-order: the day it was promised
    status: ShipmentStatus
    tracking_number: str


@dataclass(frozen=True)
class MemberMoney:
    summary: PayoutSummary  # pending, available, requested, paid out all time (ledger now)
    month: MemberRow  # the member's row of the members report for the month


def lines_to_prepare(membership: Membership) -> list[MemberLine]:
    """The member's lines in parts of paid orders still "to pack", oldest payment first."""
    return _member_lines(membership, [ShipmentStatus.PENDING])


def lines_on_the_way(membership: Membership) -> list[MemberLine]:
    """The member's lines packed or shipped, not delivered yet."""
    return _member_lines(membership, [ShipmentStatus.PACKED, ShipmentStatus.SHIPPED])


def _member_lines(membership: Membership, statuses: list[ShipmentStatus]) -> list[MemberLine]:
    refunded = (
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity).label("quantity"))
        .join(OrderLine, OrderLine.id == RefundLine.order_line_id)
        .where(OrderLine.member_id == membership.id)
        .group_by(RefundLine.order_line_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Order.number,
            Order.paid_at,
            Order.city,
            OrderLine.product_name,
            OrderLine.variant_label,
            (OrderLine.quantity - func.coalesce(refunded.c.quantity, 0)).label("quantity"),
            OrderShipment.method,
            Product.pre_order_days,
            OrderShipment.status,
            OrderShipment.tracking_number,
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(
            OrderShipment,
            (OrderShipment.order_id == Order.id)
            & (OrderShipment.cooperative_id == OrderLine.cooperative_id),
        )
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .outerjoin(refunded, refunded.c.order_line_id == OrderLine.id)
        .where(
            OrderLine.member_id == membership.id,
            OrderShipment.status.in_(statuses),
            Order.paid_at.is_not(None),
        )
        .order_by(Order.paid_at, OrderLine.id)
    ).all()
    return [
        MemberLine(
            order_number=row.number,
            paid_at=row.paid_at,
            product_name=row.product_name,
            variant_label=row.variant_label,
            quantity=row.quantity,
            method=row.method,
            city=row.city,
            ready_on=pre_order_ready_on(in_jakarta(row.paid_at).date(), row.pre_order_days),
            status=row.status,
            tracking_number=row.tracking_number,
        )
        for row in rows
        if row.quantity > 0
    ]


def member_money(membership: Membership, month: Period) -> MemberMoney:
    """Balances now, and the month's sales and payouts exactly as the members report has
    them (the same query, so the two can never disagree)."""
    report = member_report(membership.cooperative_id, month)
    row = next((row for row in report.rows if row.member_id == membership.id), None)
    empty = MemberRow(membership.id, membership.member_number, membership.display_name)
    return MemberMoney(payout_summary(membership), row or empty)


@dataclass(frozen=True)
class ProductsToWatch:
    low_stock: list[Product]
    expired_permit: list[Product]


def products_to_watch(membership: Membership) -> ProductsToWatch:
    """The member's products with a variant at or under their low-stock threshold, and those
    whose P-IRT has expired (the same filters as "my products")."""
    coop = membership.cooperative
    low = products_of(coop, Filters(member_id=membership.id, low_stock=True))
    expired = products_of(coop, Filters(member_id=membership.id, expired_permit=True))
    return ProductsToWatch(low[:SHOWN_PRODUCTS], expired[:SHOWN_PRODUCTS])
