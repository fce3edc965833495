"""Starting and resuming payments, asking Midtrans on the shopper's return, and closing
overdue orders: against the live simulator through the real midtransclient, and against a
gateway that is down or too slow."""

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.checkout.models import OrderStatus, ShippingMethod
from shop.checkout.services import place_order
from shop.extensions import db
from shop.payments.attempts import (
    OrderNotPayable,
    payment_items,
    refresh_from_gateway,
    start_payment,
)
from shop.payments.expiry import expire_overdue_orders
from shop.payments.gateway import GatewayUnavailable, gateway_from_config
from shop.payments.models import NotificationOutcome as Outcome
from shop.payments.services import handle_notification
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.factories import (
    make_coop,
    make_membership,
    make_product,
    make_shipping_settings,
    payment_page,
)
from tests.payments.conftest import FINISH_URL, choose
from tests.payments.test_notifications import body, reload, sold_counts, stocks


@pytest.fixture
def slow_gateway(simulator_app):
    """A gateway whose Midtrans takes 2 s to answer, with a 0.3 s read timeout."""

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(2)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET  # noqa: N815  (http.server names its handlers so)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = simulator_app.config | {
        "MIDTRANS_SIMULATOR_URL": f"http://127.0.0.1:{server.server_port}",
        "MIDTRANS_TIMEOUT_SECONDS": (0.3, 0.3),
    }
    yield gateway_from_config(config)
    server.shutdown()


def test_first_payment_is_attempt_one_and_reopening_resumes_it(gateway, order):
    url = start_payment(order, gateway, FINISH_URL)

    assert "/simulator/midtrans/snap/v3/redirection/" in url
    assert (order.payment_attempts, payment_page(order)) == (1, url)
    assert gateway.status(f"{order.number}-1").transaction_status == "not_found"
    # The shopper closes the page and presses "Pay" again: the same page, no second attempt.
    assert start_payment(order, gateway, FINISH_URL) == url
    choose(url, "bank_transfer", "pending")  # a virtual account now waits for the transfer
    assert start_payment(order, gateway, FINISH_URL) == url
    assert reload(order).payment_attempts == 1


def test_items_add_up_to_the_total_with_shipping_as_items(app):
    coop = make_coop(name="Tani Makmur", city="Kota Yogyakarta")
    make_shipping_settings(coop, offers_local=True, local_fee=12000)
    product = make_product(make_membership(coop=coop), variants=((25000, 5),), name="Madu")
    request = checkout_request(coop, methods={coop.id: ShippingMethod.LOCAL})
    order = place_order([(product.variants[0].id, 2)], request, None).order

    items = payment_items(order)

    assert [(item.name, item.price, item.quantity) for item in items] == [
        ("Madu", 25000, 2),
        ("Ongkos kirim: Tani Makmur", 12000, 1),
    ]
    assert sum(item.price * item.quantity for item in items) == order.grand_total == 62000


@pytest.mark.parametrize("gateway_fixture", ["down_gateway", "slow_gateway"])
def test_gateway_down_or_slow_keeps_the_order_and_a_retry_works(
    request, gateway, gateway_fixture, order
):
    broken = request.getfixturevalue(gateway_fixture)

    with pytest.raises(GatewayUnavailable) as raised:
        start_payment(order, broken, FINISH_URL)

    assert "coba lagi" in raised.value.message  # "try again"
    order = reload(order)
    assert (order.status, payment_page(order), stocks(order)) == (OrderStatus.PENDING, None, [8, 2])
    # The retry gets a fresh Midtrans order id: the first may exist there if the call was slow.
    url = start_payment(order, gateway, FINISH_URL)
    assert reload(order).payment_attempts == 2
    choose(url, "gopay", "pay")
    paid = handle_notification(body(f"{order.number}-2", "settlement", 70000), gateway)
    assert paid.outcome == Outcome.APPLIED
    order = reload(order)
    assert (order.status, order.payment_method) == (OrderStatus.PAID, "gopay")
    assert (stocks(order), sold_counts(order)) == ([8, 2], [2, 1])


def test_an_earlier_attempt_expiring_does_not_close_the_order(gateway, down_gateway, order):
    with pytest.raises(GatewayUnavailable):
        start_payment(order, down_gateway, FINISH_URL)
    # Say that slow first call did reach Midtrans: attempt 1 exists there, unknown to us.
    first = gateway.create_payment(
        f"{order.number}-1", 70000, payment_items(order), None, FINISH_URL, 60
    )
    choose(first.redirect_url, "bank_transfer", "pending")
    start_payment(order, gateway, FINISH_URL)  # attempt 2, the one the shopper sees
    gateway.expire(f"{order.number}-1")

    result = handle_notification(body(f"{order.number}-1", "expire", 70000), gateway)

    assert result.outcome == Outcome.IGNORED
    order = reload(order)
    assert (order.status, order.payment_attempts, stocks(order)) == (
        OrderStatus.PENDING,
        2,
        [8, 2],
    )


def test_a_paid_order_cannot_be_paid_again(gateway, order):
    choose(start_payment(order, gateway, FINISH_URL), "qris", "pay")
    handle_notification(body(f"{order.number}-1", "settlement", 70000), gateway)

    with pytest.raises(OrderNotPayable, match="sudah dibayar"):  # "already paid"
        start_payment(reload(order), gateway, FINISH_URL)
    assert reload(order).payment_attempts == 1


def test_an_order_past_its_deadline_cannot_be_paid(gateway, order):
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    with pytest.raises(OrderNotPayable, match="Batas waktu pembayaran"):  # "time to pay"
        start_payment(order, gateway, FINISH_URL)
    assert reload(order).payment_attempts == 0


def test_returning_shopper_sees_the_payment_before_the_notification(gateway, order):
    # The simulator's notification goes to the test receiver, not to this app: only asking
    # Midtrans on the return can tell that the order is paid.
    choose(start_payment(order, gateway, FINISH_URL), "credit_card", "pay")

    refresh_from_gateway(order, gateway)

    order = reload(order)
    assert (order.status, order.payment_method) == (OrderStatus.PAID, "credit_card")
    assert sold_counts(order) == [2, 1]


def test_refresh_with_gateway_down_changes_nothing(gateway, down_gateway, order):
    choose(start_payment(order, gateway, FINISH_URL), "credit_card", "pay")

    refresh_from_gateway(order, down_gateway)

    assert reload(order).status == OrderStatus.PENDING


def overdue(order):
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return order


def test_expire_closes_an_order_never_sent_to_midtrans(gateway, order):
    assert expire_overdue_orders(gateway).expired == []  # not due yet
    overdue(order)

    report = expire_overdue_orders(gateway)

    order = reload(order)
    assert report.expired == [order.number]
    assert (order.status, stocks(order)) == (OrderStatus.EXPIRED, [10, 3])


def test_expire_expires_an_open_attempt_at_midtrans_first(gateway, order):
    choose(start_payment(order, gateway, FINISH_URL), "bank_transfer", "pending")
    overdue(order)

    report = expire_overdue_orders(gateway)

    assert report.expired == [order.number]
    assert gateway.status(f"{order.number}-1").transaction_status == "expire"
    assert (reload(order).status, stocks(order)) == (OrderStatus.EXPIRED, [10, 3])


def test_expire_finds_a_last_minute_payment_and_keeps_it(gateway, order):
    choose(start_payment(order, gateway, FINISH_URL), "gopay", "pay")
    overdue(order)

    report = expire_overdue_orders(gateway)

    assert (report.paid, report.expired) == ([order.number], [])
    assert (reload(order).status, stocks(order)) == (OrderStatus.PAID, [8, 2])


def test_expire_leaves_orders_pending_while_midtrans_is_down(gateway, down_gateway, order):
    start_payment(order, gateway, FINISH_URL)
    overdue(order)

    report = expire_overdue_orders(down_gateway)

    assert report.left_for_later == [order.number]
    assert (reload(order).status, stocks(order)) == (OrderStatus.PENDING, [8, 2])


def test_expire_command_reports_what_it_closed(runner, order):
    overdue(order)

    result = runner.invoke(args=["orders", "expire"])

    assert result.exit_code == 0, result.output
    assert "Expired 1, found paid 0, left for the next run 0." in result.output
    assert reload(order).status == OrderStatus.EXPIRED
