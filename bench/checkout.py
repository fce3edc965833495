"""Orders placed and paid per second, end to end over HTTP with the built-in Midtrans
simulator, and where the server's time goes: our code, or waiting on the gateway.

    createdb -h 127.0.0.1 -U postgres bench_checkout
    .venv/bin/python bench/checkout.py \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_checkout

The database is emptied and migrated first (so its name must contain "bench"), then gets
cooperatives with local delivery and products with more stock than any run sells. The app
is this script's child (`--serve`): gunicorn with --workers gthread workers (2 by default;
the simulator keeps its transactions in the database, so any number serve it), or
werkzeug's threaded server, as `make run`. Each worker times each request by kind: wall,
CPU, SQL, and the time inside shop.payments.gateway.Gateway._call (a wrapper installed here;
shop/ is untouched), which can also add a delay to every call (--gateway-delay) to stand for
the network to Midtrans. Each worker writes its running totals to a file of its own
(bench/results/checkout-stats/<pid>.json, every 0.1 s); a round's figures are the files'
sums at its end less those at its start.

This process plays the shoppers, threads making whole purchases as a browser does: product
page, add to cart (and the cart page), checkout page, place order (the app asks the
simulator for a payment page), pay there (the simulator then notifies the app: pending,
settlement), the return page and the order page; then the database is polled until the
order is paid. After a warm-up: orders per second and place-to-paid latency per round, the
server's time per order by request kind, and checks that every order was paid exactly once.
"""

import argparse
import json
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from common import REPO_ROOT, RESULTS_DIR, code_state, describe_url, make_app, percentile, versions
from sqlalchemy import Engine, event, text
from throughput import background_busy

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/bench_checkout"
STOCK = 1_000_000  # per variant: never what limits a run
TIMEOUT = (5, 30)  # (connect, read) seconds, every shopper request
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ADDRESS = {
    "contact_name": "Siti Aminah", "contact_phone": "0812-3456-7890",
    "province": "DI Yogyakarta", "city": "Kota Yogyakarta", "district": "Gondokusuman",
    "village": "Baciro", "postcode": "55225", "street": "Jl. Melati 5", "address_notes": "",
}  # fmt: skip
# (method or None for any, path prefix, kind): the first match names a request.
REQUEST_KINDS = (
    ("GET", "/produk/", "product page"),
    ("POST", "/keranjang/tambah", "add to cart"),
    ("GET", "/keranjang", "cart page"),
    ("GET", "/checkout", "checkout page"),
    ("POST", "/checkout", "place order"),
    ("GET", "/pembayaran/", "return from payment"),
    ("GET", "/pesanan/", "order page"),
    ("POST", "/payments/midtrans/notification", "notification"),
    (None, "/simulator/midtrans/snap/v3/", "simulator: payment page"),
    (None, "/simulator/midtrans/", "simulator: API"),
)
TOTALS = """SELECT (SELECT count(*) FROM orders),
    (SELECT count(*) FROM orders WHERE status = 'paid'),
    (SELECT coalesce(sum(quantity), 0) FROM order_lines),
    (SELECT sum(:stock - stock) FROM product_variants), (SELECT sum(sold_count) FROM products)"""
UNSETTLED = """SELECT (SELECT 2 * count(*) FROM orders) - count(*),
    count(*) FILTER (WHERE outcome = 'received') FROM payment_notifications"""
OUTCOMES = "SELECT outcome, count(*) FROM payment_notifications GROUP BY outcome"
FIELDS = ("requests", "wall", "cpu", "sql", "statements", "gateway", "gateway_calls")
STATS_DIR = RESULTS_DIR / "checkout-stats"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="emptied first")
    parser.add_argument("--shoppers", type=int, default=8, help="concurrent shoppers")
    parser.add_argument("--duration", type=float, default=30, help="seconds per round")
    parser.add_argument("--orders", type=int, help="orders per round, instead of --duration")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=16, help="orders before the rounds")
    parser.add_argument("--cooperatives", type=int, default=3)
    parser.add_argument("--products-per-coop", type=int, default=4)
    parser.add_argument(
        "--gateway-delay", type=float, default=0, help="ms added to every gateway call (network)"
    )
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's gthread workers")
    parser.add_argument("--threads", type=int, default=32, help="gunicorn's, each (see README)")
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--serve", action="store_true", help="internal: be the server")
    return parser.parse_args()


# The server: one process, each request timed by kind. -----------------------------------


def request_kind(method: str, path: str) -> str | None:
    for kind_method, prefix, kind in REQUEST_KINDS:
        if path.startswith(prefix) and kind_method in (None, method):
            return kind
    return None  # /healthz, /_bench/stats: not counted


class RequestStats:
    """Totals per request kind. The probes add to the request their thread is serving:
    gthread and werkzeug serve a request on one thread from start to end."""

    def __init__(self) -> None:
        self._lock, self._current, self.totals = threading.Lock(), threading.local(), {}

    def add(self, name: str, amount: float) -> None:
        if (record := getattr(self._current, "record", None)) is not None:
            record[name] += amount

    def timed(self, wsgi_app):
        def app(environ, start_response):
            kind = request_kind(environ["REQUEST_METHOD"], environ["PATH_INFO"])
            if kind is None:
                return wsgi_app(environ, start_response)
            record = self._current.record = dict.fromkeys(FIELDS, 0.0)
            started, cpu_started = time.perf_counter(), time.thread_time()
            try:
                body = wsgi_app(environ, start_response)
                chunks = list(body)  # the whole response inside the timing
                getattr(body, "close", lambda: None)()
                return chunks
            finally:
                record["wall"] = time.perf_counter() - started
                record["cpu"], record["requests"] = time.thread_time() - cpu_started, 1
                self._current.record = None
                with self._lock:
                    totals = self.totals.setdefault(kind, dict.fromkeys(FIELDS, 0.0))
                    for name, amount in record.items():
                        totals[name] += amount

        return app

    def keep_writing(self) -> None:
        """This process's totals so far to STATS_DIR/<pid>.json, every 0.1 s, from a thread."""
        path, written = STATS_DIR / f"{os.getpid()}.json", None

        def write() -> None:
            nonlocal written
            while True:
                with self._lock:
                    text_ = json.dumps(self.totals)
                if text_ != written:
                    path.with_suffix(".tmp").write_text(text_)
                    path.with_suffix(".tmp").replace(path)
                    written = text_
                time.sleep(0.1)

        threading.Thread(target=write, daemon=True, name="bench-stats").start()


def server_totals() -> dict:
    """Every worker's totals so far, summed per request kind."""
    totals: dict = {}
    for path in STATS_DIR.glob("*.json"):
        for kind, figures in json.loads(path.read_text()).items():
            summed = totals.setdefault(kind, dict.fromkeys(FIELDS, 0.0))
            for name, amount in figures.items():
                summed[name] += amount
    return totals


def difference(now: dict, before: dict) -> dict:
    return {
        kind: {name: amount - before.get(kind, {}).get(name, 0.0) for name, amount in f.items()}
        for kind, f in now.items()
        if f["requests"] > before.get(kind, {}).get("requests", 0)
    }


def install_probes(app, stats: RequestStats, gateway_delay_ms: float) -> None:
    from shop.extensions import db
    from shop.payments.gateway import Gateway

    original_call, sql_started = Gateway._call, threading.local()

    def timed_call(self, order_id, action, call):
        started = time.perf_counter()
        time.sleep(gateway_delay_ms / 1000)  # the way to Midtrans and back, when asked for
        try:
            return original_call(self, order_id, action, call)
        finally:
            stats.add("gateway", time.perf_counter() - started)
            stats.add("gateway_calls", 1)

    def before_sql(*_args) -> None:
        sql_started.at = time.perf_counter()

    def after_sql(*_args) -> None:
        stats.add("sql", time.perf_counter() - sql_started.at)
        stats.add("statements", 1)

    Gateway._call = timed_call
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before_sql)
        event.listen(db.engine, "after_cursor_execute", after_sql)
    app.wsgi_app = stats.timed(app.wsgi_app)
    stats.keep_writing()


def serve(args: argparse.Namespace) -> None:
    from config import SIMULATOR_SERVER_KEY

    base = f"http://127.0.0.1:{args.port}"
    settings = {  # as tests/browser/conftest.py's live_server; mail only to the (quiet) log
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789", "SITE_URL": base,
        "MAIL_BACKEND": "log",
        "MIDTRANS_SIMULATOR_ENABLED": True, "MIDTRANS_SERVER_KEY": SIMULATOR_SERVER_KEY,
        "MIDTRANS_SIMULATOR_URL": base + "/simulator/midtrans",
        "MIDTRANS_NOTIFICATION_URL": base + "/payments/midtrans/notification",
        "MIDTRANS_SIMULATOR_RETRY_DELAYS": (0.2,),
        # Every shopper comes from 127.0.0.1: the per-address limits (place order's
        # included) would refuse most of them.
        "RATELIMIT_ENABLED": False,
    }  # fmt: skip

    def build():
        app = make_app(args.database_url, **settings)
        logging.getLogger().setLevel(logging.WARNING)  # no log line per order or mail
        install_probes(app, RequestStats(), args.gateway_delay)
        return app

    if args.server == "werkzeug":
        from werkzeug.serving import make_server

        return make_server("127.0.0.1", args.port, build(), threaded=True).serve_forever()
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            options = {"bind": base[len("http://") :], "workers": args.workers,
                       "worker_class": "gthread",
                       "threads": args.threads, "timeout": 120, "loglevel": "warning"}  # fmt: skip
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self):
            return build()  # in the worker: no database connection crosses the fork

    Server().run()


# The shoppers. ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    slug: str
    variant_id: int
    coop_id: int


@dataclass
class Load:
    base: str
    engine: Engine
    items: list[Item]
    deadline: float  # perf_counter(); no purchase starts after it
    orders_wanted: int | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: int = 0
    placed: int = 0
    place_to_paid: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    def next_ticket(self) -> int | None:
        with self.lock:
            if time.perf_counter() >= self.deadline or self.started == self.orders_wanted:
                return None
            self.started += 1
            return self.started


def checked(response: requests.Response, status: int, what: str) -> requests.Response:
    if response.status_code != status:
        raise RuntimeError(f"{what}: HTTP {response.status_code}")
    return response


def purchase(load: Load, item: Item, quantity: int, email: str) -> float:
    """One guest's whole purchase; seconds from "Place order" to the order being paid."""
    base, timeout = load.base, TIMEOUT
    with requests.Session() as browser:
        page = checked(browser.get(f"{base}/produk/{item.slug}", timeout=timeout), 200, "product")
        # A visitor without a session gets a stateless token for the cart form only; the
        # cart's POST starts the session, and later forms carry the session's token.
        token = CSRF_TOKEN.search(page.text).group(1)
        data = {"csrf_token": token, "variant_id": item.variant_id, "quantity": quantity}
        checked(browser.post(f"{base}/keranjang/tambah", data=data, timeout=timeout), 200, "cart")
        page = checked(browser.get(f"{base}/checkout", timeout=timeout), 200, "checkout page")
        token = CSRF_TOKEN.search(page.text).group(1)
        data = ADDRESS | {"csrf_token": token, "contact_email": email,
                          f"shipping-{item.coop_id}": "local", "place": "1"}  # fmt: skip
        placed_at = time.perf_counter()
        placed = browser.post(f"{base}/checkout", data=data, allow_redirects=False, timeout=timeout)
        payment_page = checked(placed, 303, "place order").headers["Location"]
        with load.lock:
            load.placed += 1
        page = checked(browser.get(payment_page, timeout=timeout), 200, "payment page")
        data = {"csrf_token": token, "method": "bank_transfer", "outcome": "pay"}
        # Followed like a browser: the return page, which redirects to the order page.
        order_page = checked(browser.post(payment_page, data=data, timeout=timeout), 200, "pay")
    query = text("SELECT status FROM orders WHERE number = :number")
    number, deadline = order_page.url.rsplit("/", 1)[-1], time.monotonic() + 30
    while time.monotonic() < deadline:
        with load.engine.connect() as connection:
            if connection.scalar(query, {"number": number}) == "paid":
                return time.perf_counter() - placed_at
        time.sleep(0.01)
    raise RuntimeError("not paid after 30 s")


def shopper(load: Load, seed: int) -> None:
    rng = random.Random(seed)
    while (ticket := load.next_ticket()) is not None:
        try:
            seconds = purchase(load, rng.choice(load.items), rng.randint(1, 3), f"{ticket}@x.test")
        except Exception as error:  # counted and printed: one failure must not stop the run
            with load.lock:
                load.errors[f"{type(error).__name__}: {error}"[:100]] += 1
            continue
        with load.lock:
            load.place_to_paid.append(seconds)


# The parent: data, server, rounds, report, checks. ----------------------------------------


def prepare_database(args: argparse.Namespace) -> tuple[Engine, list[Item]]:
    from flask_migrate import upgrade

    from shop.extensions import db
    from tests.factories import make_coop, make_membership, make_product, make_shipping_settings

    app = make_app(args.database_url)
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
        items = []
        for _coop in range(args.cooperatives):
            coop = make_coop(city=ADDRESS["city"])
            make_shipping_settings(coop, offers_local=True, local_fee=12000)
            member = make_membership(coop=coop)
            for _product in range(args.products_per_coop):
                product = make_product(member, variants=((15000, STOCK),))
                items.append(Item(product.slug, product.variants[0].id, coop.id))
        return db.engine, items


def start_server(base: str) -> subprocess.Popen:
    log = open(RESULTS_DIR / "checkout-server.log", "w")  # noqa: SIM115 (the child's)
    command = [sys.executable, __file__, "--serve", *sys.argv[1:]]
    server = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120  # a machine busy with others' test suites starts slowly
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start: see bench/results/checkout-server.log")


def server_totals_when_settled(engine: Engine) -> dict:
    """The server's totals once every order's two notifications (pending, settlement) have
    been handled, so each round's orders carry their whole cost."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(text(UNSETTLED)).one() == (0, 0):
                break
        time.sleep(0.1)
    else:
        print("  WARNING: notifications still missing or unhandled after 30 s")
    time.sleep(0.5)  # every worker has written its files since
    return server_totals()


def round_figures(load: Load, seconds: float, server: dict, busy: float) -> dict:
    paid = len(load.place_to_paid)
    ours = [t for kind, t in server.items() if not kind.startswith("simulator")]
    payment_page = server.get("simulator: payment page", {}).get("wall", 0)

    def ms_per_order(name: str, totals: list[dict], extra: float = 0) -> float:
        return 1000 * (sum(t[name] for t in totals) + extra) / max(1, paid)

    our_code = ms_per_order("wall", ours) - ms_per_order("gateway", ours)
    gateway = ms_per_order("gateway", ours, extra=payment_page)  # the simulator's API is inside
    return {
        "orders_paid": paid, "seconds": seconds, "orders_per_second": paid / seconds,
        "place_to_paid_p50_ms": 1000 * percentile(load.place_to_paid or [0], 0.5),
        "place_to_paid_p95_ms": 1000 * percentile(load.place_to_paid or [0], 0.95),
        "our_code_ms_per_order": our_code, "gateway_ms_per_order": gateway,
        "our_share": our_code / ((our_code + gateway) or 1),
        "our_cpu_ms_per_order": ms_per_order("cpu", ours),
        "all_cpu_ms_per_order": ms_per_order("cpu", list(server.values())),
        "machine_busy_before": busy, "errors": dict(load.errors), "server": server,
    }  # fmt: skip


def run_rounds(args, base: str, engine: Engine, items: list[Item]) -> tuple[list[dict], int]:
    """A warm-up (not reported), then the rounds; and how many orders were placed in all."""
    rounds, placed, totals_before = [], 0, server_totals()
    for number in range(args.rounds + 1):
        busy = background_busy()  # other work on the machine, printed with the round
        seconds = args.duration if number and not args.orders else 1e9
        load = Load(base, engine, items, time.perf_counter() + seconds,
                    (args.orders if number else args.warmup) or None)  # fmt: skip
        started = time.perf_counter()
        with ThreadPoolExecutor(args.shoppers) as pool:
            list(pool.map(shopper, [load] * args.shoppers, range(args.shoppers)))
        elapsed = time.perf_counter() - started
        totals = server_totals_when_settled(engine)
        f = round_figures(load, elapsed, difference(totals, totals_before), busy)
        totals_before = totals
        placed += load.placed
        print(f"{f'round {number}' if number else 'warm-up':<8} {f['orders_paid']:4d} orders"
              f" {elapsed:5.1f} s {f['orders_per_second']:6.1f}/s  place->paid p50"
              f" {f['place_to_paid_p50_ms']:4.0f} p95 {f['place_to_paid_p95_ms']:4.0f} ms"
              f"  per order: our code {f['our_code_ms_per_order']:4.0f} ms, gateway"
              f" {f['gateway_ms_per_order']:3.0f} ms, CPU {f['all_cpu_ms_per_order']:3.0f} ms"
              f"  (machine {busy:.0%} busy before)", flush=True)  # fmt: skip
        for message, count in load.errors.items():
            print(f"  {count} x {message}")
        rounds += [f] if number else []
    return rounds, placed


def print_report(rounds: list[dict]) -> None:
    print("\nmedian (min-max) of the rounds")
    for name in ("orders_per_second", "place_to_paid_p50_ms", "place_to_paid_p95_ms",
                 "our_code_ms_per_order", "gateway_ms_per_order", "our_share",
                 "our_cpu_ms_per_order", "all_cpu_ms_per_order"):  # fmt: skip
        values = [r[name] for r in rounds]
        shown = "{:.0%} ({:.0%}-{:.0%})" if name == "our_share" else "{:.1f} ({:.1f}-{:.1f})"
        print(f"  {name:<24} {shown.format(statistics.median(values), min(values), max(values))}")
    paid = sum(r["orders_paid"] for r in rounds) or 1
    print(f"\nserver time by request kind, all rounds ({paid} orders); ms per request, mean")
    print(f"{'request kind':<24}{'/order':>7}{'wall':>7}{'CPU':>6}{'SQL':>7}{'stmts':>6}"
          f"{'gateway':>8}{'calls':>6}{'rest':>7}{'wall ms/order':>14}")  # fmt: skip
    for _method, _prefix, kind in REQUEST_KINDS:
        t = {name: sum(r["server"].get(kind, {}).get(name, 0) for r in rounds) for name in FIELDS}
        if t["requests"]:
            each = {name: t[name] / t["requests"] for name in FIELDS}  # seconds, or a count
            rest = each["wall"] - each["sql"] - each["gateway"]
            wall, cpu, sql, gateway = (1000 * each[n] for n in ("wall", "cpu", "sql", "gateway"))
            print(f"{kind:<24}{t['requests'] / paid:7.2f}{wall:7.1f}{cpu:6.1f}{sql:7.1f}"
                  f"{each['statements']:6.1f}{gateway:8.1f}{each['gateway_calls']:6.2f}"
                  f"{1000 * rest:7.1f}{1000 * t['wall'] / paid:14.1f}")  # fmt: skip
    print("stmts, calls (to the gateway): per request. The simulator's rows are gateway time too"
          "\n(its API answers nested in our requests' gateway time).")  # fmt: skip


def check_database(engine: Engine, placed: int) -> bool:
    """Every order placed is paid, once: sold_count only moves when an order turns paid."""
    with engine.connect() as db:
        orders, paid, units, taken, counted = db.execute(text(TOTALS), {"stock": STOCK}).one()
        outcomes = dict(db.execute(text(OUTCOMES)).all())
    notified = sum(outcomes.values())
    checks = [
        (f"orders placed {placed}, in the database {orders}, paid {paid}",
         placed == orders == paid),
        (f"units ordered {units}, stock taken {taken}, sold_count {counted}",
         units == taken == counted),
        (f"notifications {notified}, 2 per order", notified == 2 * orders),
        (f"notification outcomes {outcomes}", set(outcomes) <= {"applied", "duplicate", "ignored"}),
    ]  # fmt: skip
    print("\ncorrectness")
    for label, ok in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {label}")
    return all(ok for _label, ok in checks)


def main() -> None:
    args = parse_args()
    if args.serve:
        return serve(args)
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("--database-url: it is emptied first, so its name must contain bench")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    code = code_state()
    print(f"database: {describe_url(args.database_url)}  code: {code}")
    engine, items = prepare_database(args)
    base = f"http://127.0.0.1:{args.port}"
    STATS_DIR.mkdir(parents=True, exist_ok=True)
    for path in STATS_DIR.glob("*"):
        path.unlink()
    server = start_server(base)
    how = f"{args.workers} gthread workers, {args.threads} threads each"
    how = how if args.server == "gunicorn" else "threaded"
    print(f"{args.server} ({how}), {args.shoppers} shoppers, {len(items)} products", flush=True)
    try:
        rounds, placed = run_rounds(args, base, engine, items)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: keep the figures all the same
            server.kill()
    print_report(rounds)
    is_correct = check_database(engine, placed)
    workers = f"-{args.workers}workers" if args.server == "gunicorn" else ""
    label = f"{args.server}{workers}-{args.shoppers}shoppers-{args.gateway_delay:g}ms"
    path = RESULTS_DIR / f"checkout-{label}.json"
    when = datetime.now(UTC).isoformat(timespec="seconds")
    record = {"when": when, "args": vars(args), "versions": versions(), "code": code,
              "correct": is_correct, "rounds": rounds}  # fmt: skip
    path.write_text(json.dumps(record, indent=2))
    print(f"\nsaved {path.relative_to(REPO_ROOT)}")
    return 0 if is_correct else 1


if __name__ == "__main__":
    sys.exit(main())
