"""The order pages in a real browser on a 360 px phone: accessible, no sideways scrolling.

The browser fixtures come from tests/browser/fixtures.py.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from shop.checkout.models import OrderStatus
from shop.checkout.services import release_stock
from shop.extensions import db
from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.timeutil import utcnow
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import make_user
from tests.orders.conftest import mark_paid, place, products_in

pytestmark = pytest.mark.slow


def _shipped(order) -> None:
    mark_paid(order, "bank_transfer")
    shipment = order.shipments[0]
    shipment.packed_at = utcnow() - timedelta(hours=2)
    shipment.shipped_at = utcnow()
    shipment.tracking_number = "JNE0123456789012"
    db.session.commit()


@pytest.mark.parametrize("state", ["pending", "shipped", "expired"])
def test_the_order_page_is_accessible_on_a_phone(
    page, live_server, live_data, axe_violations, state
):
    with live_data():
        placed = place([(product, 2) for product in products_in(3)])
        if state == "shipped":
            _shipped(placed.order)
        elif state == "expired":
            release_stock(placed.order, OrderStatus.EXPIRED)
        url = f"{live_server}/pesanan/{placed.order.number}?kunci={placed.access_token}"

    assert page.goto(url).status == 200
    assert_fits_and_is_accessible(page, axe_violations)


def test_my_orders_is_accessible_on_a_phone(page, live_server, live_data, axe_violations):
    with live_data():
        shopper = make_user(email="pembeli.pesanan@example.test")
        email = shopper.email
        place([(products_in(1)[0], 1)], user=shopper)
    sign_in(page, live_server, email)

    assert page.goto(live_server + "/akun/pesanan").status == 200
    assert_fits_and_is_accessible(page, axe_violations)


@pytest.mark.parametrize(
    "instructions",
    [
        {"payment_type": "bank_transfer", "bank": "bca", "va_number": "12345678901"},
        {"payment_type": "qris", "qr_string": "00020101021226620014COM.GO-JEK.WWW0118936009"},
        {"payment_type": "cstore", "store": "indomaret", "payment_code": "25709650"},
    ],
    ids=["virtual-account", "qris", "indomaret"],
)
def test_how_to_pay_is_accessible_on_a_phone_and_counts_down(
    page, live_server, live_data, axe_violations, instructions
):
    with live_data():
        placed = place([(products_in(1)[0], 1)])
        order = placed.order
        order.payment_attempts = 1
        db.session.add(
            PaymentAttempt(
                order_id=order.id,
                number=1,
                midtrans_order_id=f"{order.number}-1",
                status=AttemptStatus.OPEN,
                redirect_url="http://127.0.0.1:9/snap",
                pay_before=utcnow() + timedelta(hours=2, minutes=30),
                **instructions,
            )
        )
        db.session.commit()
        url = f"{live_server}/pesanan/{order.number}?kunci={placed.access_token}"

    assert page.goto(url).status == 200
    assert_fits_and_is_accessible(page, axe_violations)
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_have_text(re.compile(r"\b2\b\D+\b(29|30)\b"))  # 2 hours 30 minutes
    if "va_number" in instructions or "payment_code" in instructions:
        expect(page.locator("[data-copy]").first).to_be_visible()  # payment.js showed it
