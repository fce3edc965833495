"""The simulator on a live server, a notification receiver, and a helper for the payment page.

The live app serves only the simulator's routes here (its database holds only the simulator's
own tables), with CSRF on as in production, and the real midtransclient reaches it over HTTP
through shop.payments.gateway.
"""

import json
import re
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from werkzeug.serving import make_server

from config import TestConfig
from shop import create_app
from shop.checkout.services import place_order
from shop.payments.gateway import Customer, PaymentItem, gateway_from_config
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product
from tests.servers import serve_in_background

CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
FINISH_URL = "http://shop.test/pesanan/selesai"
# MIDTRANS.md's example: 30000 + 125000 + 18000 - 10000 = 163000.
ITEMS = (
    PaymentItem("P-17", "Keripik Tempe 250g", 15000, 2),
    PaymentItem("P-42", "Batik Tulis Parang", 125000, 1),
    PaymentItem("SHIP", "Ongkos kirim", 18000, 1),
    PaymentItem("VOUCHER", "Diskon", -10000, 1),
)
TOTAL = 163000
CUSTOMER = Customer(first_name="Siti", email="siti@example.test", phone="+6281234567890")


class Receiver:
    """A tiny HTTP server that records the JSON bodies POSTed to it and answers each with the
    statuses queued in `answers[order_id]` (200 once they run out)."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.answers: dict[str, list[int]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                receiver.bodies.append(body)
                queued = receiver.answers.get(body.get("order_id"), [])
                status = queued.pop(0) if queued else 200
                payload = b'{"status_code": "500"}' if status >= 500 else b"{}"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                self.do_POST()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        serve_in_background(self.server)

    def reset(self) -> None:
        self.bodies.clear()
        self.answers.clear()

    def for_order(self, order_id: str) -> list[dict]:
        return [body for body in list(self.bodies) if body and body.get("order_id") == order_id]

    def wait_for(self, order_id: str, count: int, timeout: float = 5.0) -> list[dict]:
        """The bodies about order_id once there are `count` (an earlier test's background
        retries may still arrive, so other orders are left out)."""
        deadline = time.monotonic() + timeout
        while len(self.for_order(order_id)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.for_order(order_id)


@pytest.fixture(scope="session")
def _receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def receiver(_receiver):
    _receiver.reset()
    yield _receiver
    time.sleep(0.1)  # let the simulator's last background retries land before the next test
    _receiver.reset()


@pytest.fixture(scope="session")
def simulator_app(_receiver, tmp_path_factory):
    # A database file of its own for the simulator's transactions: the server's threads each
    # get a connection (an in-memory database would be one connection shared by them all).
    database = tmp_path_factory.mktemp("simulator") / "simulator.db"
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
        WTF_CSRF_ENABLED=True,
        MIDTRANS_NOTIFICATION_URL=_receiver.url + "/payments/midtrans/notification",
        MIDTRANS_SIMULATOR_RETRY_DELAYS=(0.05,),
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config.update(SITE_URL=base_url, MIDTRANS_SIMULATOR_URL=base_url + "/simulator/midtrans")
    serve_in_background(server)
    yield app
    server.shutdown()


@pytest.fixture
def gateway(simulator_app):
    return gateway_from_config(simulator_app.config)


@pytest.fixture
def down_gateway(simulator_app):
    """A gateway whose Midtrans refuses connections (nothing listens on port 9)."""
    return gateway_from_config(
        simulator_app.config | {"MIDTRANS_SIMULATOR_URL": "http://127.0.0.1:9/simulator"}
    )


@pytest.fixture
def order(app):
    """A pending order of 2 x Keripik (Rp 15.000) and 1 x Madu (Rp 40.000), pickup: Rp 70.000."""
    coop = make_coop(fee_bp=250)
    keripik = make_product(make_membership(coop=coop), variants=((15000, 10),), name="Keripik")
    madu = make_product(make_membership(coop=coop), variants=((40000, 3),), name="Madu")
    lines = [(keripik.variants[0].id, 2), (madu.variants[0].id, 1)]
    return place_order(lines, checkout_request(coop), None).order


@pytest.fixture
def order_id() -> str:
    return f"PK-{uuid.uuid4().hex[:12]}-1"


def start(gateway, order_id: str, items=ITEMS, total: int = TOTAL):
    return gateway.create_payment(order_id, total, items, CUSTOMER, FINISH_URL, 60)


def choose(redirect_url: str, method: str, outcome: str) -> requests.Response:
    """What a shopper does on the payment page: open it, pick a method and an outcome."""
    browser = requests.Session()
    page = browser.get(redirect_url, timeout=5)
    assert page.status_code == 200
    token = CSRF_TOKEN.search(page.text).group(1)
    return browser.post(
        redirect_url,
        data={"csrf_token": token, "method": method, "outcome": outcome},
        allow_redirects=False,
        timeout=5,
    )
