"""The proof's load: shoppers, each a thread with its own browser session and its own
address, buying as a phone does through the proxy: a category page, a product page, add to
cart, the checkout page, place the order as a guest, pay on the (simulated) Midtrans page,
and land on the order page that says "Paid".

Every request is recorded (when it started and ended, what it was, its status or the error),
so the test can tell which failures were in flight on the host it killed.
"""

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests
from requests.adapters import HTTPAdapter

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ORDER_PAGE = re.compile(r"/pesanan/([A-Za-z0-9-]+)$")
PAID_BADGE = '<span class="badge">Paid</span>'
TIMEOUT = (5, 40)  # longer than the proxy's: the proxy's answer is the one we want to see
ADDRESS = {
    "contact_name": "Siti Aminah", "contact_phone": "0812-3456-7890",
    "province": "DI Yogyakarta", "city": "Kota Yogyakarta", "district": "Gondokusuman",
    "village": "Baciro", "postcode": "55225", "street": "Jl. Melati 5", "address_notes": "",
}  # fmt: skip


@dataclass(frozen=True)
class Item:
    category_slug: str
    product_slug: str
    variant_id: int
    coop_id: int


@dataclass(frozen=True)
class Exchange:
    """One request as the shopper saw it; status None when no HTTP answer came (a
    connection reset, a body cut short)."""

    started: float  # time.time()
    ended: float
    method: str
    path: str
    status: int | None
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500

    def in_flight_during(self, began: float, ended: float) -> bool:
        return self.started <= ended and began <= self.ended


@dataclass
class Purchase:
    email: str
    variant_id: int
    quantity: int
    order_number: str = ""
    confirmed: bool = False  # the shopper saw its order page say "Paid"
    failed_step: str = ""


@dataclass
class Load:
    base_url: str
    items: list[Item]
    pace_seconds: float  # one purchase at most this often per shopper: the rate limits
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    exchanges: list[Exchange] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)

    def record(self, exchange: Exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)

    def failed_steps(self) -> Counter:
        return Counter(p.failed_step for p in self.purchases if p.failed_step)


class SourceAddressAdapter(HTTPAdapter):
    """Connections from one of the machine's addresses: each shopper is a client of its own."""

    def __init__(self, source_address: str) -> None:
        self.source_address = source_address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.source_address, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser(requests.Session):
    """A session that records every request it makes, redirects followed included."""

    def __init__(self, load: Load, source_address: str) -> None:
        super().__init__()
        self.load = load
        self.trust_env = False  # straight to the proxy, whatever HTTP_PROXY says
        self.mount("http://", SourceAddressAdapter(source_address))

    def send(self, request, **kwargs):
        started = time.time()
        path = request.path_url.split("?")[0]
        try:
            response = super().send(request, **kwargs)
            response.content  # the whole body, inside the timing  # noqa: B018
        except requests.RequestException as error:
            self.load.record(Exchange(started, time.time(), request.method, path, None,
                                      type(error).__name__))  # fmt: skip
            raise
        self.load.record(Exchange(started, time.time(), request.method, path,
                                  response.status_code))  # fmt: skip
        return response


class StepFailed(Exception):
    pass


def expect(response: requests.Response, status: int, step: str) -> requests.Response:
    if response.status_code != status:
        raise StepFailed(f"{step}: HTTP {response.status_code}")
    return response


def buy(browser: Browser, purchase: Purchase, item: Item) -> None:
    """One guest purchase, start to end; fills in the purchase as it goes."""
    base = browser.load.base_url
    expect(browser.get(f"{base}/kategori/{item.category_slug}", timeout=TIMEOUT), 200, "browse")
    page = expect(
        browser.get(f"{base}/produk/{item.product_slug}", timeout=TIMEOUT), 200, "product"
    )
    token = CSRF_TOKEN.search(page.text).group(1)
    data = {"csrf_token": token, "variant_id": item.variant_id, "quantity": purchase.quantity}
    expect(browser.post(f"{base}/keranjang/tambah", data=data, timeout=TIMEOUT), 200, "add")
    expect(browser.get(f"{base}/checkout", timeout=TIMEOUT), 200, "checkout page")
    data = ADDRESS | {"csrf_token": token, "contact_email": purchase.email,
                      f"shipping-{item.coop_id}": "local", "place": "1"}  # fmt: skip
    placed = browser.post(f"{base}/checkout", data=data, allow_redirects=False, timeout=TIMEOUT)
    payment_page = expect(placed, 303, "place order").headers["Location"]
    expect(browser.get(payment_page, timeout=TIMEOUT), 200, "payment page")
    data = {"csrf_token": token, "method": "bank_transfer", "outcome": "pay"}
    # Followed as a browser does: the return page, which asks Midtrans and shows the order.
    order_page = expect(browser.post(payment_page, data=data, timeout=TIMEOUT), 200, "pay")
    found = ORDER_PAGE.search(order_page.url)
    if found is None:
        raise StepFailed(f"pay: ended on {order_page.url}")
    purchase.order_number = found.group(1)
    if PAID_BADGE not in order_page.text:
        raise StepFailed("order page: not paid")
    purchase.confirmed = True


def shopper(load: Load, number: int, source_address: str) -> None:
    """Purchases one after another until the load stops; a failed one is recorded and left."""
    rng = random.Random(number)
    attempt = 0
    while not load.stop.is_set():
        began = time.monotonic()
        attempt += 1
        item = rng.choice(load.items)
        purchase = Purchase(f"shopper{number}-{attempt}@proof.test", item.variant_id,
                            rng.randint(1, 3))  # fmt: skip
        with load.lock:
            load.purchases.append(purchase)
        with Browser(load, source_address) as browser:
            try:
                browser.get(f"{load.base_url}/bahasa/en", timeout=TIMEOUT)  # "Paid", in English
                buy(browser, purchase, item)
            except (StepFailed, requests.RequestException) as error:
                purchase.failed_step = str(error)[:120]
        load.stop.wait(max(0.0, load.pace_seconds - (time.monotonic() - began)))


def run_shoppers(load: Load, addresses: list[str]) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=shopper, args=(load, number, address), daemon=True)
        for number, address in enumerate(addresses)
    ]
    for thread in threads:
        thread.start()
    return threads
