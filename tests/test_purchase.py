"""A whole purchase over HTTP, as a shopper's browser and Midtrans make it: cart, checkout,
the payment page of the built-in simulator (reached by the real midtransclient), the signed
notification it sends back to the app, and the order page. Nothing is called directly.

The live server runs its own app on its own SQLite file with CSRF on (tests/browser).
"""

import re
import time
import uuid
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from shop.catalog.models import Product, ProductVariant
from shop.checkout.models import Order, OrderStatus
from shop.extensions import db
from shop.payments.expiry import expire_overdue_orders
from shop.payments.gateway import gateway_from_config
from shop.payments.models import AttemptStatus, PaymentAttempt, PaymentNotification
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ADDRESS = {
    "contact_name": "Siti Aminah",
    "contact_phone": "0812-3456-7890",
    "province": "DI Yogyakarta",
    "city": "Kota Yogyakarta",
    "district": "Gondokusuman",
    "village": "Baciro",
    "postcode": "55225",
    "street": "Jl. Melati 5",
    "address_notes": "",
}


@pytest.fixture
def shop(live_data):
    """Keripik (Rp 15.000, 10 left) at a cooperative with local delivery (Rp 12.000)."""
    with live_data():
        coop = make_coop(city="Kota Yogyakarta")
        make_shipping_settings(coop, offers_local=True, local_fee=12000)
        product = make_product(make_membership(coop=coop), variants=((15000, 10),))
        return {"coop_id": coop.id, "product_id": product.id, "slug": product.slug,
                "variant_id": product.variants[0].id}  # fmt: skip


def token_in(response: requests.Response) -> str:
    return CSRF_TOKEN.search(response.text).group(1)


def buy(
    base: str, shop: dict, email: str, quantity: int = 2, method: str = "local"
) -> tuple[requests.Session, str]:
    """Add to cart and check out (local delivery unless told); the payment page's URL."""
    browser = requests.Session()
    product_page = browser.get(f"{base}/produk/{shop['slug']}", timeout=5)
    added = browser.post(
        f"{base}/keranjang/tambah",
        data={"csrf_token": token_in(product_page), "variant_id": shop["variant_id"],
              "quantity": quantity},
        timeout=5,
    )  # fmt: skip
    assert added.status_code == 200, added.text
    form = browser.get(f"{base}/checkout", timeout=5)
    assert form.status_code == 200
    placed = browser.post(
        f"{base}/checkout",
        data=ADDRESS | {"csrf_token": token_in(form), "contact_email": email,
                        f"shipping-{shop['coop_id']}": method, "place": "1"},
        allow_redirects=False,
        timeout=10,
    )  # fmt: skip
    assert placed.status_code == 303, placed.text
    assert "/simulator/midtrans/snap/v3/redirection/" in placed.headers["Location"]
    return browser, placed.headers["Location"]


def pay(browser: requests.Session, payment_page: str, method: str, outcome: str) -> str:
    """Choose on the simulator's page; the finish URL it sends the shopper back to."""
    page = browser.get(payment_page, timeout=5)
    chosen = browser.post(
        payment_page,
        data={"csrf_token": token_in(page), "method": method, "outcome": outcome},
        allow_redirects=False,
        timeout=10,
    )
    assert chosen.status_code == 303
    return chosen.headers["Location"]


def order_by_email(live_app, email: str, until: set[OrderStatus]) -> Order:
    """The order once the simulator's notification has moved it into `until`."""
    deadline = time.monotonic() + 10
    while True:
        with live_app.app_context():
            order = db.session.scalar(select(Order).where(Order.contact_email == email))
            if order.status in until or time.monotonic() > deadline:
                db.session.expunge_all()
                return order
        time.sleep(0.05)


def latest_attempt(live_app, email: str, until: set[AttemptStatus]) -> PaymentAttempt:
    """The order's latest payment attempt once the simulator's notification moved it."""
    deadline = time.monotonic() + 10
    while True:
        with live_app.app_context():
            attempt = db.session.scalar(
                select(PaymentAttempt)
                .join(Order, Order.id == PaymentAttempt.order_id)
                .where(Order.contact_email == email)
                .order_by(PaymentAttempt.id.desc())
                .limit(1)
            )
            if attempt.status in until or time.monotonic() > deadline:
                db.session.expunge_all()
                return attempt
        time.sleep(0.05)


def stock_and_sold(live_app, shop: dict) -> tuple[int, int]:
    with live_app.app_context():
        stock = db.session.get(ProductVariant, shop["variant_id"]).stock
        return stock, db.session.get(Product, shop["product_id"]).sold_count


def mails_to(live_app, email: str, expected: int) -> list[str]:
    """The subjects of the mails sent to `email`, waiting a little for `expected` of them: a
    mail goes out after the change it tells of is committed, so it may trail the order."""
    deadline = time.monotonic() + 5
    while True:
        outbox = live_app.extensions.get("mail_outbox", [])
        subjects = [mail.subject for mail in outbox if mail.to == email]
        if len(subjects) >= expected or time.monotonic() > deadline:
            return subjects
        time.sleep(0.05)


def notifications_for(live_app, number: str, expected: int) -> int:
    """How many notifications about the order arrived, waiting a little for `expected`."""
    deadline = time.monotonic() + 5
    while True:
        with live_app.app_context():
            count = db.session.scalar(
                select(func.count())
                .select_from(PaymentNotification)
                .where(PaymentNotification.order_id.startswith(number))
            )
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def test_a_paid_purchase_takes_stock_once_and_confirms_it(live_server, live_app, shop):
    email = f"{uuid.uuid4().hex[:8]}@example.test"
    browser, payment_page = buy(live_server, shop, email)
    assert stock_and_sold(live_app, shop) == (8, 0)  # reserved at checkout

    finish = pay(browser, payment_page, "bank_transfer", "pay")

    order = order_by_email(live_app, email, {OrderStatus.PAID})
    assert (order.status, order.grand_total, order.contact_phone) == (
        OrderStatus.PAID, 42000, "+6281234567890")  # fmt: skip
    assert order.payment_method == "bank_transfer"
    assert stock_and_sold(live_app, shop) == (8, 2)  # taken once, counted as sold once
    assert notifications_for(live_app, order.number, 2) == 2  # pending, then settlement
    assert len(mails_to(live_app, email, 2)) == 2  # order placed, then payment received
    page = browser.get(finish, timeout=5)  # back from the payment page, to the order page
    assert page.url.endswith(f"/pesanan/{order.number}")
    assert "Lunas" in page.text or "Dibayar" in page.text
    assert browser.get(f"{live_server}/keranjang", timeout=5).text.count("cart-line") == 0


@pytest.mark.parametrize("outcome", ["deny", "expire"])
def test_a_failed_or_expired_payment_holds_the_stock_until_the_deadline_then_gives_it_back(
    live_server, live_app, shop, outcome
):
    email = f"{uuid.uuid4().hex[:8]}@example.test"
    browser, payment_page = buy(live_server, shop, email, quantity=3)
    assert stock_and_sold(live_app, shop) == (7, 0)

    pay(browser, payment_page, "bank_transfer", outcome)

    # The attempt is closed, the order is not: the shopper may pay another way meanwhile.
    attempt = latest_attempt(live_app, email, {AttemptStatus.DENIED, AttemptStatus.EXPIRED})
    assert attempt.status == (AttemptStatus.DENIED if outcome == "deny" else AttemptStatus.EXPIRED)
    order = order_by_email(live_app, email, {OrderStatus.PENDING})
    assert order.status == OrderStatus.PENDING and stock_and_sold(live_app, shop) == (7, 0)
    # At the deadline the order closes and its stock goes back on sale, once.
    with live_app.app_context():
        gateway = gateway_from_config(live_app.config)
        expire_overdue_orders(gateway, now=order.expires_at + timedelta(seconds=1))
    order = order_by_email(live_app, email, {OrderStatus.EXPIRED})
    assert order.status == OrderStatus.EXPIRED
    assert order.paid_at is None and order.stock_released_at is not None
    assert stock_and_sold(live_app, shop) == (10, 0)  # back on sale, sold nothing
    placed, closed_mail = mails_to(live_app, email, 2)  # order placed, then what became of it
    assert order.number in placed
    assert order.number in closed_mail and "kedaluwarsa" in closed_mail
