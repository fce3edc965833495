"""A few demo orders by the demo shopper, each at a different step, so that the order,
fulfilment, balance, payout and report pages have something to show from the first run.

They are made by the real services (placing, paying through a payment attempt, the payment
rules with Midtrans's answer, fulfilment, completion), so the books they leave are books the
app itself would keep, and each paid order records the Midtrans order id of the attempt it
was paid through ("<number>-1"): the id a refund of it is asked under, as for any order.
"""

from collections.abc import Callable, Sequence

from flask import current_app, url_for
from sqlalchemy import select

from shop.accounts.models import User
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.checkout.models import Order, ShipmentStatus, ShippingMethod
from shop.checkout.services import CheckoutRequest, place_order
from shop.coops.models import Membership
from shop.demo import data
from shop.extensions import db
from shop.fulfilment.services import advance_shipment, confirm_receipt
from shop.payments.attempts import start_payment
from shop.payments.gateway import NOT_FOUND, Customer, PaymentItem, PaymentStart, TransactionStatus
from shop.payments.services import apply_gateway_status
from shop.payments.simulator.store import record_paid
from shop.reviews.services import ReviewInput, reply_to_review, write_review

# (how it was paid, how far its cooperative got); None: placed, never paid.
DEMO_ORDER_STEPS = (
    ("qris", "completed"),
    ("gopay", "completed"),
    ("bank_transfer", "shipped"),
    ("qris", "paid"),
    (None, "placed"),
)

# What the demo shopper says of each completed order (stars, words, the member's reply).
DEMO_REVIEWS = (
    (5, "Renyah dan gurih, pengirimannya cepat. Pasti pesan lagi!", "Terima kasih, Kak!"),
    (4, "Enak, hanya kemasannya agak penyok waktu sampai.", ""),
)

# Pays an order with a method, as its shopper would (the tests pay at the live simulator).
PayOrder = Callable[[Order, str], None]


class DemoShopperPays:
    """Midtrans as the demo shopper meets it: the payment it starts is paid at once, by the
    method the demo chose.

    `flask seed-demo` runs in a process of its own, before the web server (and the simulator
    in it) starts, so nobody can pay at a payment page then. This stands in for the page and
    for Midtrans's answer only: the order still goes through start_payment, which counts the
    attempt and names it "<number>-<n>", and apply_gateway_status, like any order.
    """

    def __init__(self, method: str):
        self.method = method
        self._started: dict[str, int] = {}  # Midtrans order id -> gross amount

    def create_payment(
        self,
        order_id: str,
        gross_amount: int,
        items: Sequence[PaymentItem],
        customer: Customer | None,
        finish_url: str,
        expiry_minutes: int,
    ) -> PaymentStart:
        self._started[order_id] = gross_amount
        return PaymentStart(token=f"demo-{order_id}", redirect_url=finish_url)

    def status(self, order_id: str) -> TransactionStatus:
        if order_id not in self._started:
            return TransactionStatus(order_id=order_id, transaction_status=NOT_FOUND)
        return TransactionStatus(order_id=order_id, transaction_status="settlement",
                                 gross_amount=self._started[order_id],
                                 payment_type=self.method)  # fmt: skip


def pay_as_demo_shopper(order: Order, method: str) -> None:
    """A payment attempt started and paid by `method`, then Midtrans's answer about that
    attempt applied, as a notification would."""
    midtrans = DemoShopperPays(method)
    start_payment(order, midtrans, _finish_url())
    status = midtrans.status(order.current_payment_id)
    if current_app.config["MIDTRANS_SIMULATOR_ENABLED"]:
        # The simulator learns of the payment as Midtrans would have, so refunding a demo
        # order later (after any number of restarts) finds the transaction there.
        record_paid(status.order_id, status.gross_amount, method)
    apply_gateway_status(order, status)


def seed_demo_orders(pay: PayOrder = pay_as_demo_shopper) -> int:
    """Place the demo orders from the demo member's products, paying them with `pay`;
    returns how many."""
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
    completed = 0
    for variant, (method, step) in zip(variants, DEMO_ORDER_STEPS, strict=False):
        order = place_order([(variant.id, 2)], _request(member.cooperative_id), shopper).order
        if method is None:
            continue
        pay(order, method)
        shipment = order.shipments[0]
        if step in ("shipped", "completed"):
            advance_shipment(shipment, ShipmentStatus.PACKED, admin)
            advance_shipment(shipment, ShipmentStatus.SHIPPED, admin, tracking_number="DEMO1")
        if step == "completed":
            confirm_receipt(order, shipment.cooperative_id, shopper)
            _review(order, member, DEMO_REVIEWS[completed % len(DEMO_REVIEWS)])
            completed += 1
    return len(variants)


def _review(order: Order, member: Membership, said: tuple[int, str, str]) -> None:
    """The shopper reviews the completed order's line, and the member replies."""
    rating, text, reply = said
    review = write_review(order, order.lines[0].id, ReviewInput(rating, text, []))
    if reply:
        reply_to_review(review, member, reply)


def _finish_url() -> str:
    """Where Midtrans sends a shopper back, as a real payment gives it (no request here)."""
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        return url_for("payments.finish", _external=True)


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
