"""shop.payments.gateway driving the real midtransclient over HTTP against the simulator."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from shop.payments.gateway import (
    NOT_FOUND,
    GatewayRejected,
    GatewayUnavailable,
    PaymentItem,
    _MidtransHttp,
    gateway_from_config,
    parse_rupiah,
)
from tests.payments.conftest import FINISH_URL, TOTAL, choose, start


def paid(gateway, order_id: str, method: str = "qris"):
    payment = start(gateway, order_id)
    assert choose(payment.redirect_url, method, "pay").status_code == 303
    return payment


def test_create_payment_returns_token_and_the_simulators_payment_page(
    gateway, simulator_app, order_id
):
    payment = start(gateway, order_id)
    assert payment.token
    base = simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    assert payment.redirect_url == f"{base}/snap/v3/redirection/{payment.token}"


def test_status_before_a_method_is_chosen_is_not_found_not_an_error(gateway, order_id):
    start(gateway, order_id)
    status = gateway.status(order_id)
    assert status.transaction_status == NOT_FOUND
    assert not status.is_found and not status.is_paid


def test_paying_by_virtual_account_ends_in_settlement(gateway, order_id, receiver):
    payment = start(gateway, order_id)
    response = choose(payment.redirect_url, "bank_transfer", "pay")
    assert response.headers["Location"] == (
        f"{FINISH_URL}?order_id={order_id}&status_code=200&transaction_status=settlement"
    )
    status = gateway.status(order_id)
    assert (status.transaction_status, status.payment_type) == ("settlement", "bank_transfer")
    assert status.gross_amount == TOTAL and status.is_paid
    assert status.status_code == "200" and status.raw["gross_amount"] == "163000.00"


def test_choosing_a_method_and_paying_later_is_pending(gateway, order_id):
    payment = start(gateway, order_id)
    choose(payment.redirect_url, "gopay", "pending")
    status = gateway.status(order_id)
    assert (status.transaction_status, status.status_code, status.is_paid) == (
        "pending",
        "201",
        False,
    )


def test_items_that_do_not_add_up_are_refused_before_any_call(simulator_app, order_id):
    nowhere = gateway_from_config({**simulator_app.config, "MIDTRANS_SIMULATOR_URL": _closed_url()})
    with pytest.raises(GatewayRejected) as raised:
        start(nowhere, order_id, total=TOTAL + 1)  # a network call would raise Unavailable
    assert "not equal to the sum of item_details" in raised.value.midtrans_message


def test_amounts_must_be_int(gateway, order_id):
    with pytest.raises(TypeError):
        start(gateway, order_id, items=(PaymentItem("P", "Kopi", 10000.0, 1),), total=10000)


def test_long_item_names_are_cut_to_midtrans_limit(gateway, order_id):
    items = (PaymentItem("P-1", "Batik tulis " * 10, 50000, 1),)  # the simulator refuses > 50
    assert start(gateway, order_id, items=items, total=50000).token


def test_wrong_server_key_is_rejected_with_401(simulator_app, order_id):
    wrong = gateway_from_config({**simulator_app.config, "MIDTRANS_SERVER_KEY": "SB-Mid-server-x"})
    with pytest.raises(GatewayRejected) as raised:
        start(wrong, order_id)
    assert raised.value.http_status == 401
    assert "Access denied" in raised.value.midtrans_message


def test_a_paid_order_id_cannot_start_again(gateway, order_id):
    paid(gateway, order_id)
    with pytest.raises(GatewayRejected) as raised:
        start(gateway, order_id)
    assert "has been paid and utilized" in raised.value.midtrans_message


def test_an_unpaid_order_id_may_start_again(gateway, order_id):
    first = start(gateway, order_id)
    assert start(gateway, order_id).token != first.token


def test_cancel_a_pending_payment(gateway, order_id):
    choose(start(gateway, order_id).redirect_url, "bank_transfer", "pending")
    assert gateway.cancel(order_id).transaction_status == "cancel"
    assert gateway.status(order_id).transaction_status == "cancel"


def test_cancel_after_settlement_is_rejected_with_412(gateway, order_id):
    paid(gateway, order_id)
    with pytest.raises(GatewayRejected) as raised:
        gateway.cancel(order_id)
    assert raised.value.status_code == "412"


def test_expire_a_pending_payment_407_is_success(gateway, order_id):
    choose(start(gateway, order_id).redirect_url, "qris", "pending")
    expired = gateway.expire(order_id)
    assert (expired.transaction_status, expired.status_code) == ("expire", "407")


def test_cancel_or_expire_before_a_method_is_chosen_is_not_found(gateway, order_id):
    start(gateway, order_id)
    assert gateway.expire(order_id).transaction_status == NOT_FOUND
    assert gateway.cancel(order_id).transaction_status == NOT_FOUND


def test_full_refund(gateway, order_id):
    paid(gateway, order_id, "gopay")
    refunded = gateway.refund(order_id, f"{order_id}-r1", TOTAL, "out of stock")
    assert (refunded.transaction_status, refunded.refund_amount) == ("refund", TOTAL)


def test_partial_refunds_add_up_and_same_key_refunds_once(gateway, order_id):
    paid(gateway, order_id, "gopay")  # a card is only captured here; refunds need settlement
    first = gateway.refund(order_id, "r-1", 30000, "one item missing")
    assert (first.transaction_status, first.refund_amount) == ("partial_refund", 30000)
    again = gateway.refund(order_id, "r-1", 30000, "one item missing")
    assert again.refund_amount == 30000  # same refund_key: the first answer, no second refund
    rest = gateway.refund(order_id, "r-2", TOTAL - 30000, "order cancelled")
    assert (rest.transaction_status, rest.refund_amount) == ("refund", TOTAL)
    assert gateway.status(order_id).refund_amount == TOTAL


def test_refund_above_the_remainder_is_rejected_with_414(gateway, order_id):
    paid(gateway, order_id, "qris")
    with pytest.raises(GatewayRejected) as raised:
        gateway.refund(order_id, "r-big", TOTAL + 1, "too much")
    assert raised.value.status_code == "414"


def test_virtual_account_payment_cannot_be_refunded_by_api(gateway, order_id):
    paid(gateway, order_id, "bank_transfer")
    with pytest.raises(GatewayRejected) as raised:
        gateway.refund(order_id, "r-va", TOTAL, "refund")
    assert raised.value.status_code == "412"
    assert raised.value.message  # user-safe text for the admin's screen


@pytest.mark.parametrize(
    ("approve", "expected"), [(True, ("capture", "accept")), (False, ("deny", "deny"))]
)
def test_card_challenge_then_review(gateway, order_id, approve, expected):
    choose(start(gateway, order_id).redirect_url, "credit_card", "challenge")
    held = gateway.status(order_id)
    assert (held.transaction_status, held.fraud_status, held.is_paid) == (
        "capture",
        "challenge",
        False,
    )
    reviewed = gateway.approve(order_id) if approve else gateway.deny(order_id)
    assert (reviewed.transaction_status, reviewed.fraud_status) == expected
    assert reviewed.is_paid is approve


# A gateway that is down, slow or broken ----------------------------------------------------


def _closed_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


class _Stub:
    """A local server answering every request after `delay` seconds with `status` and `body`."""

    def __init__(self, status: int = 200, body: bytes = b"{}", delay: float = 0.0):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._answer()

            def do_POST(self):
                self._answer()

            def log_message(self, *args):
                pass

        stub.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        stub.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{stub.server.server_port}"
        threading.Thread(target=stub.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _gateway_at(simulator_app, url: str, timeout=(0.5, 0.5)):
    overrides = {"MIDTRANS_SIMULATOR_URL": url, "MIDTRANS_TIMEOUT_SECONDS": timeout}
    return gateway_from_config({**simulator_app.config, **overrides})


def test_gateway_down_is_unavailable_at_once(simulator_app, order_id):
    down = _gateway_at(simulator_app, _closed_url())
    began = time.monotonic()
    with pytest.raises(GatewayUnavailable) as raised:
        start(down, order_id)
    assert time.monotonic() - began < 2
    assert "coba lagi" in raised.value.message  # "try again", in the default Indonesian


def test_gateway_slower_than_the_timeout_is_unavailable_within_it(simulator_app, order_id):
    slow = _Stub(delay=3)
    try:
        began = time.monotonic()
        with pytest.raises(GatewayUnavailable):
            _gateway_at(simulator_app, slow.url).status(order_id)
        assert time.monotonic() - began < 1.5
    finally:
        slow.close()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, json.dumps({"error_messages": ["internal server error"]}).encode()),
        (200, json.dumps({"status_code": "500", "status_message": "Internal"}).encode()),
        (200, b"<html>maintenance</html>"),
        (502, b"Bad Gateway"),
    ],
    ids=["http-500", "body-500", "not-json", "proxy-502"],
)
def test_server_faults_and_garbage_are_unavailable(simulator_app, order_id, status, body):
    broken = _Stub(status, body)
    try:
        with pytest.raises(GatewayUnavailable):
            _gateway_at(simulator_app, broken.url).status(order_id)
    finally:
        broken.close()


def test_real_keys_point_the_library_at_midtrans(simulator_app):
    settings = {**simulator_app.config, "MIDTRANS_SIMULATOR_ENABLED": False}
    api = gateway_from_config(settings)._snap.api_config
    assert api.get_snap_base_url() == "https://app.sandbox.midtrans.com/snap/v1"
    assert api.get_core_api_base_url() == "https://api.sandbox.midtrans.com"


@pytest.mark.parametrize(
    ("text", "rupiah"), [("163000.00", 163000), ("10000", 10000), (None, None)]
)
def test_parse_rupiah(text, rupiah):
    assert parse_rupiah(text) == rupiah


def test_parse_rupiah_refuses_cents():
    with pytest.raises(ValueError):
        parse_rupiah("10000.50")


# One gateway per process and settings, its connections kept open ---------------------------


class _KeepAliveStub:
    """An HTTP/1.1 server that keeps connections open, counts them, sets a cookie on every
    answer and notes the Cookie headers it is sent."""

    def __init__(self, drop_reused: bool = False, ignore_close: bool = False):
        stub, self.connections, self.cookies, self.requests = self, 0, [], 0
        answer = json.dumps({"status_code": "201", "transaction_status": "pending",
                             "order_id": "PK-1", "gross_amount": "1000.00"}).encode()  # fmt: skip

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                stub.connections += 1

            def do_GET(self):
                self.served = getattr(self, "served", 0) + 1
                stub.requests += 1
                if drop_reused and self.served > 1:
                    self.close_connection = True  # closed unanswered, as if idle too long
                    return
                stub.cookies.append(self.headers.get("Cookie"))
                self.send_response(200)
                self.send_header("Set-Cookie", f"seen={threading.get_ident()}; Path=/")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                if ignore_close:  # kept open though the request said "Connection: close"
                    self.close_connection = False

            do_POST = do_GET  # noqa: N815  (http.server names its handlers so)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_one_gateway_per_settings_reuses_its_connections_from_many_threads(simulator_app):
    stub = _KeepAliveStub()
    try:
        gateway = _gateway_at(simulator_app, stub.url)
        assert _gateway_at(simulator_app, stub.url) is gateway
        assert _gateway_at(simulator_app, stub.url, timeout=(0.6, 0.6)) is not gateway
        answers = []

        def ask():
            answers.extend(gateway.status("PK-1").transaction_status for _ in range(5))

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert answers == ["pending"] * 20
        assert stub.connections <= 4  # at most one per thread, not one per call
        assert stub.cookies == [None] * 20  # no answer's cookie is sent with the next call
    finally:
        stub.close()


def test_a_status_query_on_a_connection_closed_while_idle_is_asked_again(simulator_app):
    stub = _KeepAliveStub(drop_reused=True)
    try:
        gateway = _gateway_at(simulator_app, stub.url)

        answers = [gateway.status("PK-1").transaction_status for _ in range(3)]

        assert answers == ["pending"] * 3  # each reuse dropped unanswered, asked again
        assert stub.connections == 3
    finally:
        stub.close()


def test_calls_not_safe_to_repeat_go_on_a_connection_of_their_own(simulator_app):
    stub = _KeepAliveStub()
    try:
        gateway = _gateway_at(simulator_app, stub.url)

        gateway.status("PK-1")
        for _ in range(3):
            gateway.cancel("PK-1")

        assert stub.connections == 4  # never the status query's, never each other's
    finally:
        stub.close()


def test_calls_not_safe_to_repeat_never_meet_a_connection_the_server_closed(simulator_app):
    """The server keeps every connection open, and drops unanswered any request on one it has
    served before (as if it had closed it while idle, the close still on its way): a cancel
    or refund sent on one would fail, and must not be sent again. None is: each call
    connects anew, and each reaches the server once."""
    stub = _KeepAliveStub(drop_reused=True, ignore_close=True)
    try:
        gateway = _gateway_at(simulator_app, stub.url)

        for number in range(3):
            gateway.cancel(f"PK-{number}")
            gateway.refund(f"PK-{number}", f"R-{number}", 1000, "test")

        assert (stub.requests, stub.connections) == (6, 6)
    finally:
        stub.close()


def test_calls_not_safe_to_repeat_build_no_session_of_their_own(simulator_app, monkeypatch):
    stub = _KeepAliveStub()
    try:
        gateway = _gateway_at(simulator_app, stub.url)
        gateway.cancel("PK-1")  # the gateway and its sessions exist from here
        built = []
        monkeypatch.setattr(requests.Session, "__init__", lambda *a, **k: built.append(a))

        for _ in range(3):
            gateway.cancel("PK-1")

        assert built == [] and stub.connections == 4
    finally:
        stub.close()


def test_calls_not_safe_to_repeat_through_a_proxy_close_their_connections_too(simulator_app):
    http = gateway_from_config(simulator_app.config)._snap.http_client.http_client
    adapter = http._closing.get_adapter("https://api.midtrans.com")

    managers = [adapter.poolmanager, adapter.proxy_manager_for("http://proxy.test:3128")]

    for manager in managers:
        pools = manager.pool_classes_by_scheme.values()
        assert all(getattr(pool, "closes_after_use", False) for pool in pools)


def test_a_status_query_needs_no_requests_session_and_sends_the_server_key(
    simulator_app, monkeypatch
):
    stub = _KeepAliveStub()
    sent = []
    monkeypatch.setattr(requests.Session, "request", lambda *a, **k: sent.append(a))
    try:
        gateway = _gateway_at(simulator_app, stub.url)

        assert gateway.status("PK-1").transaction_status == "pending"

        assert sent == []  # urllib3's pool directly: what requests' Session costs, saved
    finally:
        stub.close()


def test_a_status_query_goes_through_requests_when_a_proxy_is_set(monkeypatch):
    """Only requests reads HTTP(S)_PROXY from the environment: through a proxy, a status
    query stays with it."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")

    assert _MidtransHttp((1.0, 1.0), trust_env=True)._gets is None
    assert _MidtransHttp((1.0, 1.0), trust_env=False)._gets is not None


def test_a_status_query_to_a_gateway_that_refuses_says_so_not_that_it_timed_out():
    """urllib3 2 makes a refused connection a kind of connect time out: the error (logged,
    and stored on the notification's row) must still say the connection was refused."""
    http = _MidtransHttp((1.0, 1.0), trust_env=False)

    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        http.request("get", f"{_closed_url()}/v2/PK-1/status", headers={})

    assert not isinstance(refused.value, requests.exceptions.Timeout)


def test_status_queries_check_the_gateways_certificate():
    pool = _MidtransHttp((1.0, 1.0), trust_env=False)._gets._pool

    assert pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"
    assert pool.connection_pool_kw["ca_certs"] == requests.certs.where()
