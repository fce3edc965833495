"""The shopper's "Pay" button and the pages Midtrans sends them back to, through the test
client, with the app's gateway pointed at the live simulator."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from shop.checkout.models import OrderStatus
from shop.extensions import db
from shop.orders.access import remember_order_access
from shop.timeutil import utcnow
from tests.factories import payment_page
from tests.payments.conftest import choose
from tests.payments.test_notifications import reload


@pytest.fixture
def simulated(app, simulator_app, monkeypatch):
    monkeypatch.setitem(
        app.config, "MIDTRANS_SIMULATOR_URL", simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    )


@pytest.fixture
def shopper(client, order):
    """The guest browser that placed the order."""
    with client.session_transaction() as session:
        remember_order_access(session, order.number)
    return client


def pay(client, order):
    return client.post(f"/pesanan/{order.number}/bayar")


def back(client, order, page="selesai", **query):
    query = {"order_id": f"{order.number}-1"} | query
    return client.get(f"/pembayaran/{page}?{urlencode(query)}")


def test_pay_sends_the_shopper_to_the_payment_page(simulated, shopper, order):
    response = pay(shopper, order)

    assert response.status_code == 303
    assert "/simulator/midtrans/snap/v3/redirection/" in response.location
    assert payment_page(order) == response.location


def test_someone_else_cannot_start_the_payment(simulated, client, order):
    assert pay(client, order).status_code == 404
    assert reload(order).payment_attempts == 0


def test_gateway_down_at_pay_says_try_again_and_keeps_the_order(shopper, order):
    # The test app's simulator URL points at a port where nothing listens.
    response = pay(shopper, order)

    assert response.status_code == 303
    assert response.location.endswith(f"/pesanan/{order.number}")
    page = shopper.get(response.location).get_data(as_text=True)
    assert "coba lagi" in page  # "try again"
    assert reload(order).status == OrderStatus.PENDING


def test_finish_page_trusts_midtrans_not_the_url(simulated, shopper, order):
    pay(shopper, order)

    response = back(shopper, order, transaction_status="settlement", status_code="200")

    assert response.status_code == 303
    assert reload(order).status == OrderStatus.PENDING
    page = shopper.get(response.location).get_data(as_text=True)
    assert "Kami belum menerima pembayaran Anda" in page  # "We have not received..."


def test_finish_page_shows_a_payment_made_before_the_notification(
    simulated,
    shopper,
    order,
):
    choose(pay(shopper, order).location, "qris", "pay")

    response = back(shopper, order)

    order = reload(order)
    assert (order.status, order.payment_method) == (OrderStatus.PAID, "qris")
    page = shopper.get(response.location).get_data(as_text=True)
    assert "pembayaran Anda sudah kami terima" in page  # "your payment has been received"


def test_error_page_offers_to_try_again(simulated, shopper, order):
    pay(shopper, order)

    response = back(shopper, order, page="gagal")

    page = shopper.get(response.location).get_data(as_text=True)
    assert "Pembayaran tidak berhasil" in page  # "The payment did not go through"
    assert f'action="/pesanan/{order.number}/bayar"' in page


def test_unfinish_page_after_an_expired_payment_past_the_deadline_says_closed(
    simulated, shopper, order
):
    choose(pay(shopper, order).location, "bank_transfer", "expire")
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = back(shopper, order, page="belum-selesai")

    assert reload(order).status == OrderStatus.EXPIRED
    page = shopper.get(response.location).get_data(as_text=True)
    assert "ditutup tanpa pembayaran" in page  # "closed without payment"


@pytest.mark.parametrize("order_id", ["", "PK-20260101-AAAAAA-1", "nonsense", "x" * 500])
def test_return_pages_for_unknown_orders_are_not_found(client, order_id):
    assert client.get(f"/pembayaran/selesai?{urlencode({'order_id': order_id})}").status_code == 404


def test_return_page_of_another_shoppers_order_is_not_found(simulated, client, order):
    assert back(client, order).status_code == 404
