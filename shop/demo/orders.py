"""A few demo orders by the demo shopper, each at a different step, so that the order,
fulfilment, balance, payout and report pages have something to show from the first run.

They are made by the real services (placing, the payment rules with Midtrans's answer,
fulfilment, completion), so the books they leave are books the app itself would keep.
"""

from sqlalchemy import select

from shop.accounts.models import User
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.checkout.models import ShipmentStatus, ShippingMethod
from shop.checkout.services import CheckoutRequest, place_order
from shop.coops.models import Membership
from shop.demo import data
from shop.extensions import db
from shop.fulfilment.services import advance_shipment, confirm_receipt
from shop.payments.gateway import TransactionStatus
from shop.payments.services import apply_gateway_status

# (how it was paid, how far its cooperative got); None: placed, never paid.
DEMO_ORDER_STEPS = (
    ("qris", "completed"),
    ("gopay", "completed"),
    ("bank_transfer", "shipped"),
    ("qris", "paid"),
    (None, "placed"),
)


def seed_demo_orders() -> int:
    """Place the demo orders from the demo member's products; returns how many."""
    shopper = _user(data.DEMO_SHOPPER.email)
    member = db.session.scalar(
        select(Membership).join(Membership.user).where(User.email == data.DEMO_MEMBER.email)
    )
    admin = _user(data.DEMO_ADMIN.email)
    variants = db.session.scalars(
        select(ProductVariant)
        .join(ProductVariant.product)
        .where(
            Product.member_id == member.id,
            Product.status == ProductStatus.ACTIVE,
            ProductVariant.stock >= 10,
        )
        .order_by(ProductVariant.id)
        .limit(len(DEMO_ORDER_STEPS))
    ).all()
    for variant, (method, step) in zip(variants, DEMO_ORDER_STEPS, strict=False):
        order = place_order([(variant.id, 2)], _request(member.cooperative_id), shopper).order
        if method is None:
            continue
        paid = TransactionStatus(order.number, "settlement", gross_amount=order.grand_total,
                                 payment_type=method)  # fmt: skip
        apply_gateway_status(order, paid)
        shipment = order.shipments[0]
        if step in ("shipped", "completed"):
            advance_shipment(shipment, ShipmentStatus.PACKED, admin)
            advance_shipment(shipment, ShipmentStatus.SHIPPED, admin, tracking_number="DEMO1")
        if step == "completed":
            confirm_receipt(order, shipment.cooperative_id, shopper)
    return len(variants)


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _request(cooperative_id: int) -> CheckoutRequest:
    return CheckoutRequest(
        contact_name=data.SHOPPER_NAME,
        contact_email=data.DEMO_SHOPPER.email,
        contact_phone="+6281234567890",
        province="DI Yogyakarta",
        city="Kota Yogyakarta",
        district="Gondokusuman",
        village="Baciro",
        postcode="55225",
        street="Jl. Melati 5",
        shipping={cooperative_id: ShippingMethod.PICKUP},
    )
