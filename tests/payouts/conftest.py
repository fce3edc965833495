"""Members with money to pay out, earned through the real rules: an order placed, paid,
sent and received (completion moves the member's part from pending to available).

Koperasi Tani (fee 5 %, minimum payout Rp 50.000): Siti sells keripik at Rp 50.000; an order
of 2 gives her 100.000 - 5.000 fee = Rp 95.000 available.

Also Midtrans Iris for the payout tests that use it: the built-in Iris simulator on its live
server (`iris`), a receiver keeping the raw bytes of its notifications, and `sent`, a payout
Iris is transferring.
"""

import json
import re
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.checkout.models import Order
from shop.checkout.services import place_order
from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db
from shop.fulfilment.services import confirm_receipt, mark_packed, mark_shipped
from shop.ledger.journal import balance
from shop.ledger.models import Account, EntryKind, JournalEntry, Payout
from shop.payments.attempts import start_payment
from shop.payments.gateway import Gateway, gateway_from_config
from shop.payments.services import apply_gateway_status
from shop.payouts.iris import IrisClient
from shop.payouts.services import approve_payout, request_payout
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, make_user, pay
from tests.payments.conftest import _receiver, choose, simulator_app  # noqa: F401  (fixtures)
from tests.servers import serve_in_background
from tests.shared import shared_data

UNIT_PRICE = 50_000
EARNED = 95_000  # 2 x 50.000, less the 5 % fee


@dataclass
class Tani:
    coop: Cooperative
    siti: Membership  # sells, bank account saved
    admin: User
    siti_user: User


# Built once per module, as earned, two_admins and requested are; not shared with a test that
# sends their payouts to the Iris simulator (their idempotency keys would be an earlier test's).
@shared_data(not_with=("iris",))
def tani() -> Tani:
    coop = make_coop(name="Koperasi Tani", fee_bp=500, min_payout=50_000)
    siti = make_membership(
        coop=coop,
        user=make_user(name="Siti Aminah"),
        business_name="Keripik Bu Siti",
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="Siti Aminah",
    )
    admin = make_membership(coop=coop, role=Role.ADMIN, user=make_user(name="Pak Ketua")).user
    return Tani(coop=coop, siti=siti, admin=admin, siti_user=siti.user)


@shared_data(not_with=("iris",))
def earned(tani) -> Tani:
    """Siti has Rp 95.000 available."""
    earn(tani.siti, tani.admin)
    return tani


@shared_data(not_with=("iris",))
def two_admins(earned):
    """Koperasi Tani with a second admin, the bendahara, and Budi with Rp 95.000 too."""
    earned.bendahara = make_membership(
        coop=earned.coop, role=Role.ADMIN, user=make_user(name="Bu Bendahara")
    ).user
    earned.budi = make_membership(
        coop=earned.coop,
        user=make_user(name="Budi Santoso"),
        bank_name="BCA",
        bank_account_number="5550001111",
        bank_account_holder="Bpk. BUDI  santoso",
    )
    earn(earned.budi, earned.admin)
    return earned


@shared_data(not_with=("iris",))
def requested(two_admins):
    """Two admins (maker-checker on); Siti asks for Rp 60.000, Budi for Rp 90.000."""
    two_admins.siti_payout = request_payout(two_admins.siti, 60_000, two_admins.siti_user)
    two_admins.budi_payout = request_payout(two_admins.budi, 90_000, two_admins.budi.user)
    return two_admins


@pytest.fixture
def gateway(simulator_app) -> Gateway:  # noqa: F811
    return gateway_from_config(simulator_app.config)


def earn(
    member: Membership,
    admin: User,
    quantity: int = 2,
    gateway: Gateway | None = None,
    received: bool = True,
) -> Order:
    """An order of `quantity` x Rp 50.000 of the member's keripik, paid (through the
    simulator when a gateway is given, so it can be refunded), then sent and received unless
    `received` is False (the earnings then stay pending)."""
    coop = db.session.get(Cooperative, member.cooperative_id)
    product = make_product(member, variants=((UNIT_PRICE, 50),))
    order = place_order([(product.variants[0].id, quantity)], checkout_request(coop), None).order
    if gateway is None:
        pay(order)
    else:
        redirect_url = start_payment(order, gateway, "http://shop.test/pesanan/selesai")
        choose(redirect_url, "qris", "pay")
        apply_gateway_status(order, gateway.status(order.current_payment_id))
    if not received:
        return order
    shipment = order.shipments[0]
    mark_packed(shipment, admin)
    mark_shipped(shipment, admin)
    confirm_receipt(order, coop.id, None)
    return db.session.get(Order, order.id)


def available(member: Membership) -> int:
    return balance(member.cooperative_id, Account.MEMBER_AVAILABLE, member.id)


def in_transit(coop: Cooperative) -> int:
    return balance(coop.id, Account.PAYOUTS_IN_TRANSIT)


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def payout_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Payout))


def entry_keys(payout: Payout) -> list[str]:
    return sorted(
        db.session.scalars(
            select(JournalEntry.idempotency_key).where(JournalEntry.payout_id == payout.id)
        )
    )


def reloaded(payout: Payout) -> Payout:
    return db.session.get(Payout, payout.id, populate_existing=True)


@pytest.fixture
def english(client):
    """The client reads the site in English (signing in keeps the choice), so the tests do
    not depend on the Indonesian catalog."""
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


# Midtrans Iris: the simulator on its live server, and a receiver of its notifications -------

CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NOTIFICATION_URL = "/payouts/iris/notification"
AMOUNT = 50_000


class IrisReceiver:
    """Records the raw body and the Iris-Signature of every notification POSTed to it."""

    def __init__(self):
        self.received: list[tuple[bytes, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((raw, self.headers.get("Iris-Signature", "")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        serve_in_background(self.server)

    def about(self, reference: str) -> list[tuple[bytes, str]]:
        received = list(self.received)
        return [item for item in received if json.loads(item[0])["reference_no"] == reference]

    def wait_for(self, reference: str, count: int, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while len(self.about(reference)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        notifications = self.about(reference)
        assert len(notifications) >= count, f"{len(notifications)} notifications of {reference}"
        return notifications


@pytest.fixture(scope="session")
def _iris_receiver():
    receiver = IrisReceiver()
    yield receiver
    receiver.server.shutdown()


class Iris:
    def __init__(self, simulator_url: str, receiver: IrisReceiver, config):
        self.simulator_url = simulator_url
        self.receiver = receiver
        self.config = config

    def client(self, creator_key=None, approver_key=None) -> IrisClient:
        return IrisClient(
            self.simulator_url + "/simulator/iris/api/v1",
            creator_key or self.config["IRIS_CREATOR_KEY"],
            approver_key or self.config["IRIS_APPROVER_KEY"],
            trust_env=False,
        )

    def move(self, reference: str, status: str) -> tuple[bytes, str]:
        """What a person does on the simulator's page; the notification it sends."""
        count = len(self.receiver.about(reference))
        browser = requests.Session()
        browser.trust_env = False
        page = browser.get(self.simulator_url + "/simulator/iris/payouts", timeout=5)
        assert page.status_code == 200 and reference in page.text
        token = CSRF_TOKEN.search(page.text).group(1)
        response = browser.post(
            f"{self.simulator_url}/simulator/iris/payouts/{reference}",
            data={"csrf_token": token, "status": status},
            allow_redirects=False,
            timeout=5,
        )
        assert response.status_code == 303
        return self.receiver.wait_for(reference, count + 1)[count]


@pytest.fixture
def iris(app, simulator_app, _iris_receiver, monkeypatch):  # noqa: F811
    url = simulator_app.config["SITE_URL"]
    monkeypatch.setitem(
        simulator_app.config, "IRIS_NOTIFICATION_URL", _iris_receiver.url + NOTIFICATION_URL
    )
    monkeypatch.setitem(app.config, "PAYOUT_ADAPTER", "iris")
    monkeypatch.setitem(app.config, "IRIS_BASE_URL", url + "/simulator/iris/api/v1")
    return Iris(url, _iris_receiver, app.config)


def notify(client, notification: tuple[bytes, str]):
    raw, signature = notification
    return client.post(
        NOTIFICATION_URL,
        data=raw,
        headers={"Iris-Signature": signature, "Content-Type": "application/json"},
    )


def entry_kinds(payout: Payout) -> list[EntryKind]:
    return list(
        db.session.scalars(
            select(JournalEntry.kind)
            .where(JournalEntry.payout_id == payout.id)
            .order_by(JournalEntry.id)
        )
    )


@pytest.fixture
def sent(earned, iris):
    """Siti's payout of Rp 50.000, approved by the admin and so created and approved at Iris."""
    payout = request_payout(earned.siti, AMOUNT, earned.siti_user)
    result = approve_payout(payout, earned.admin)
    assert not result.needs_manual_transfer
    payout = reloaded(payout)
    assert payout.iris_reference == result.reference
    return payout
