"""The simulator as Midtrans: request validation and error shapes over raw HTTP, the payment
page, and signed notifications with Midtrans's retries."""

import pytest
import requests

from config import SIMULATOR_SERVER_KEY, TestConfig
from shop import create_app
from shop.payments.signature import signature_ok
from shop.payments.simulator.notify import deliver, retries_after
from tests.payments.conftest import TOTAL, choose, start

AUTH = (SIMULATOR_SERVER_KEY, "")


def snap_post(simulator_app, body, auth=AUTH) -> requests.Response:
    url = simulator_app.config["MIDTRANS_SIMULATOR_URL"] + "/snap/v1/transactions"
    return requests.post(url, json=body, auth=auth, timeout=5)


def body(order_id="PK-1-1", gross_amount=20000, items=None) -> dict:
    items = (
        items if items is not None else [{"id": "P", "name": "Kopi", "price": 10000, "quantity": 2}]
    )
    return {
        "transaction_details": {"order_id": order_id, "gross_amount": gross_amount},
        "item_details": items,
    }


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        (
            body(gross_amount=20001),
            "transaction_details.gross_amount is not equal to the sum of item_details",
        ),
        (body(gross_amount=20000.0), "transaction_details.gross_amount must be an integer"),
        (body(order_id=""), "transaction_details.order_id is required"),
        (body(order_id="X" * 51), "transaction_details.order_id is too long"),
        (body(order_id="INV#12/3"), "transaction_details.order_id contains invalid characters"),
        (
            body(items=[{"id": "P", "name": "N" * 51, "price": 20000, "quantity": 1}]),
            "name is too long",
        ),
        (
            body(items=[{"id": "P", "name": "Kopi", "price": 20000, "quantity": 0}]),
            "quantity must be",
        ),
        ({"item_details": []}, "transaction_details is required"),
    ],
    ids=[
        "sum",
        "float",
        "no-order-id",
        "long-order-id",
        "bad-chars",
        "long-name",
        "quantity",
        "no-details",
    ],
)
def test_snap_refuses_bad_requests_with_midtrans_error_shape(simulator_app, request_body, message):
    response = snap_post(simulator_app, request_body)
    assert response.status_code == 400
    assert any(
        text.startswith(message) or message in text for text in response.json()["error_messages"]
    )


def test_snap_refuses_a_wrong_key_with_401(simulator_app):
    response = snap_post(simulator_app, body(), auth=("SB-Mid-server-wrong", ""))
    assert response.status_code == 401
    assert response.json()["error_messages"][0].startswith("Access denied")


def test_core_api_refuses_a_wrong_key_with_401(simulator_app):
    url = simulator_app.config["MIDTRANS_SIMULATOR_URL"] + "/v2/PK-1-1/status"
    response = requests.get(url, auth=("nope", ""), timeout=5)
    assert (response.status_code, response.json()["status_code"]) == (401, "401")


def test_unknown_transaction_status_is_404_in_the_body(simulator_app):
    url = simulator_app.config["MIDTRANS_SIMULATOR_URL"] + "/v2/no-such-order/status"
    answer = requests.get(url, auth=AUTH, timeout=5).json()
    assert answer == {"status_code": "404", "status_message": "Transaction doesn't exist."}


# The payment page --------------------------------------------------------------------------


def test_payment_page_shows_order_and_amount_in_indonesian(gateway, order_id):
    html = requests.get(start(gateway, order_id).redirect_url, timeout=5).text
    assert order_id in html and "Rp\xa0163.000" in html
    assert "Simulator pembayaran" in html


def test_payment_page_refuses_a_post_without_csrf_token(gateway, order_id):
    payment = start(gateway, order_id)
    response = requests.post(
        payment.redirect_url, data={"method": "qris", "outcome": "pay"}, timeout=5
    )
    assert response.status_code == 400
    assert not gateway.status(order_id).is_found


def test_challenge_is_for_cards_only(gateway, order_id):
    response = choose(start(gateway, order_id).redirect_url, "qris", "challenge")
    assert response.status_code == 200
    assert "Hanya pembayaran kartu" in response.text
    assert not gateway.status(order_id).is_found


def test_unknown_token_is_404(simulator_app):
    url = simulator_app.config["MIDTRANS_SIMULATOR_URL"] + "/snap/v3/redirection/nope"
    assert requests.get(url, timeout=5).status_code == 404


def test_finished_payment_cannot_be_chosen_again(gateway, order_id):
    payment = start(gateway, order_id)
    choose(payment.redirect_url, "gopay", "deny")
    html = requests.get(payment.redirect_url, timeout=5).text
    assert 'name="outcome"' not in html
    assert gateway.status(order_id).transaction_status == "deny"


# Notifications -----------------------------------------------------------------------------


def test_paying_sends_signed_pending_then_settlement(gateway, order_id, receiver):
    choose(start(gateway, order_id).redirect_url, "bank_transfer", "pay")
    pending, settlement = receiver.wait_for(order_id, 2)[:2]
    assert (pending["transaction_status"], pending["status_code"]) == ("pending", "201")
    assert (settlement["transaction_status"], settlement["status_code"]) == ("settlement", "200")
    for notification in (pending, settlement):
        assert notification["order_id"] == order_id
        assert notification["gross_amount"] == f"{TOTAL}.00"
        assert signature_ok(notification, SIMULATOR_SERVER_KEY)
    assert settlement["va_numbers"][0]["bank"] == "bca"


def test_expiry_is_notified_with_202(gateway, order_id, receiver):
    choose(start(gateway, order_id).redirect_url, "qris", "expire")
    expired = receiver.wait_for(order_id, 2)[-1]
    assert (expired["transaction_status"], expired["status_code"]) == ("expire", "202")
    assert signature_ok(expired, SIMULATOR_SERVER_KEY)


def test_refund_through_the_api_is_notified(gateway, order_id, receiver):
    choose(start(gateway, order_id).redirect_url, "gopay", "pay")
    receiver.wait_for(order_id, 2)
    gateway.refund(order_id, "r-1", 1000, "goodwill")
    refund = receiver.wait_for(order_id, 3)[-1]
    assert (refund["transaction_status"], refund["refund_amount"]) == ("partial_refund", "1000.00")
    assert signature_ok(refund, SIMULATOR_SERVER_KEY)  # signed with the original gross_amount


def test_notification_answered_500_is_retried_once(gateway, order_id, receiver):
    receiver.answers[order_id] = [500, 500]
    choose(start(gateway, order_id).redirect_url, "credit_card", "pay")
    bodies = receiver.wait_for(order_id, 2)
    assert [b["transaction_status"] for b in bodies] == ["capture", "capture"]
    assert bodies[0] == bodies[1]


@pytest.mark.parametrize(
    ("status", "retries"),
    [
        (200, 0),
        (204, 0),
        (500, 1),
        (503, 4),
        (400, 2),
        (404, 2),
        (302, 0),
        (301, 0),
        (403, 5),
        (None, 5),
    ],
)
def test_retry_table_follows_midtrans(status, retries):
    assert retries_after(status) == retries


@pytest.mark.parametrize(
    ("answers", "attempts"), [([503] * 9, 5), ([404] * 9, 3), ([302], 1), ([500, 200], 2)]
)
def test_deliver_retries_until_accepted_or_out_of_retries(receiver, order_id, answers, attempts):
    receiver.answers[order_id] = answers
    waits = []
    result = deliver(receiver.url, {"order_id": order_id}, delays=(1, 2), sleep=waits.append)
    assert len(result) == attempts == len(receiver.for_order(order_id))
    assert waits == [1, 2, 2, 2][: attempts - 1]  # the last delay repeats


def test_deliver_to_nobody_gives_up_after_five_retries():
    result = deliver("http://127.0.0.1:9/", {"order_id": "X"}, delays=(0,), sleep=lambda s: None)
    assert result == [None] * 6


# Switched off by configuration -------------------------------------------------------------


def test_simulator_is_absent_when_a_real_key_is_configured():
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        MIDTRANS_SIMULATOR_ENABLED=False,
        MIDTRANS_SERVER_KEY="SB-Mid-server-real",
    )
    assert "midtrans_simulator.create_transaction" not in app.view_functions
    assert app.test_client().post("/simulator/midtrans/snap/v1/transactions").status_code == 404
