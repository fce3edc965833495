"""The demo's paid orders are paid the way a shopper's are: through a payment attempt whose
Midtrans order id ("<number>-1") the order records, so that a refund asks Midtrans about the
transaction that was paid, as for any other order.

A small demo: the demo accounts and five products of the demo member, which is all
seed_demo_orders needs (the full seed, with its 330 products, is tested in test_seed.py).
"""

import pytest
from sqlalchemy import select

from shop.checkout.models import Order
from shop.coops.models import Role
from shop.demo.data import DEMO_ADMIN, DEMO_MEMBER, DEMO_SHOPPER
from shop.demo.orders import seed_demo_orders
from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from shop.ledger.checks import check_ledger
from tests.factories import make_coop, make_membership, make_product, make_user
from tests.fulfilment.conftest import pay_through_simulator
from tests.fulfilment.test_refunds import FakeGateway, gateway  # noqa: F401  (fixture)
from tests.payments.conftest import _receiver, simulator_app  # noqa: F401  (fixtures)


class SmallDemo:
    def __init__(self):
        self.coop = make_coop(fee_bp=500)
        self.admin = make_user(email=DEMO_ADMIN.email)
        make_membership(user=self.admin, coop=self.coop, role=Role.ADMIN)
        member = make_membership(user=make_user(email=DEMO_MEMBER.email), coop=self.coop)
        make_user(email=DEMO_SHOPPER.email)
        for n in range(5):
            make_product(member, variants=((15_000 + 1_000 * n, 20),), name=f"Demo {n}")

    def orders(self) -> list[Order]:
        db.session.expire_all()
        return list(db.session.scalars(select(Order).order_by(Order.id)))

    def paid_by_qris_not_sent(self) -> Order:
        """The demo order paid by QRIS whose part waits to be packed (DEMO_ORDER_STEPS)."""
        return self.orders()[3]


@pytest.fixture
def demo() -> SmallDemo:
    return SmallDemo()


def test_demo_orders_record_the_payment_attempt_they_were_paid_through(demo):
    assert seed_demo_orders() == 5

    orders = demo.orders()
    assert [order.status for order in orders] == [
        "completed",
        "completed",
        "shipped",
        "paid",
        "pending",
    ]
    assert [order.payment_method for order in orders] == [
        "qris",
        "gopay",
        "bank_transfer",
        "qris",
        None,
    ]
    for order in orders[:4]:
        assert order.payment_attempts == 1
        assert order.current_payment_id == f"{order.number}-1"
    assert check_ledger() == []


def test_a_demo_order_is_refunded_under_its_payment_attempts_id(demo):
    seed_demo_orders()
    order = demo.paid_by_qris_not_sent()
    midtrans = FakeGateway()

    refund_lines(order, demo.coop, {order.lines[0].id: 1}, "Rusak", demo.admin, midtrans)

    [(midtrans_id, refund_key, amount, _reason)] = midtrans.calls
    assert midtrans_id == f"{order.number}-1"  # not the order number Midtrans never saw
    assert (refund_key, amount) == (f"{order.number}-R1", order.lines[0].unit_price)


def test_a_demo_order_paid_at_the_simulator_is_refunded_there(demo, gateway):  # noqa: F811
    seed_demo_orders(pay=lambda order, method: pay_through_simulator(order, gateway, method))
    order = demo.paid_by_qris_not_sent()
    line = order.lines[0]

    refund = refund_lines(order, demo.coop, {line.id: 1}, "Rusak", demo.admin, gateway)

    assert refund.amount == line.unit_price
    assert gateway.status(order.current_payment_id).refund_amount == line.unit_price
    assert check_ledger() == []


def test_demo_completed_orders_are_reviewed_so_cards_show_ratings(demo):
    from shop.catalog.models import Product
    from shop.reviews.models import Review

    seed_demo_orders()
    reviews = db.session.scalars(select(Review).order_by(Review.id)).all()
    assert [review.rating for review in reviews] == [5, 4]
    assert reviews[0].reply_text  # the member answered the first
    rated = db.session.scalars(select(Product).where(Product.rating_count > 0)).all()
    assert len(rated) == 2 and all(product.sold_count > 0 for product in rated)
