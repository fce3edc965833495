"""Where a purchase spends our CPU, request kind by request kind: statements per request (and
their text, --show-sql), CPU per request, and a cProfile of each kind, in process.

    createdb -h 127.0.0.1 -U postgres bench_checkout
    .venv/bin/python bench/profile_checkout.py \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_checkout

The database is emptied and filled as by checkout.py (whose shoppers and settings this
reuses). The app runs on werkzeug's threaded server on a thread of this process; one
shopper buys --orders times in a row, so requests do not overlap except where the app calls
itself (the simulator's API inside place order and pay; the simulator's notifications,
sent from a thread of their own). Each request runs under its own cProfile.Profile, which
sees only its own thread: a request's profile holds our work, and the simulator's requests
are profiled apart, as the simulator kinds (not ours). The first --warmup orders are not
counted.
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import random
import statistics
import threading
import time
from collections import defaultdict

from checkout import (
    DEFAULT_DATABASE_URL,
    REQUEST_KINDS,
    Load,
    prepare_database,
    purchase,
    request_kind,
)
from common import describe_url, make_app
from sqlalchemy import event, text


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="emptied first")
    parser.add_argument("--orders", type=int, default=40, help="orders counted")
    parser.add_argument("--warmup", type=int, default=5, help="orders before, not counted")
    parser.add_argument("--port", type=int, default=8112)
    parser.add_argument("--top", type=int, default=20, help="functions listed per kind")
    parser.add_argument("--kinds", default="place order,return from payment,notification",
                        help="comma-separated request kinds to show profiles of")  # fmt: skip
    parser.add_argument("--sort", default="tottime", help="pstats sort key")
    parser.add_argument("--show-sql", action="store_true", help="the busiest request's statements")
    parser.add_argument("--no-profile", action="store_true", help="statements and CPU only")
    parser.add_argument("--cpu-profile", action="store_true",
                        help="profile the thread's CPU time, not wall time (waits on the"
                        " database and the simulator drop out)")  # fmt: skip
    parser.add_argument("--dump", metavar="DIR",
                        help="also write each kind's merged profile to DIR/<kind>.pstats,"
                        " for pstats' callers and callees")  # fmt: skip
    args = parser.parse_args()
    args.cooperatives, args.products_per_coop = 3, 4
    return args


class Recorder:
    """Per request kind: CPU seconds and statements of each request, the statements' text of
    the one with the most, and the profiles merged."""

    def __init__(self, profile: bool, cpu_profile: bool = False) -> None:
        self.profile, self.counting = profile, False
        self.timer = time.thread_time if cpu_profile else None
        self.lock, self.current = threading.Lock(), threading.local()
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, list[int]] = defaultdict(list)
        self.last_sql: dict[str, list[str]] = {}
        self.stats: dict[str, pstats.Stats] = {}

    def on_sql(self, _conn, _cursor, statement, *_rest) -> None:
        if (sql := getattr(self.current, "sql", None)) is not None:
            sql.append(" ".join(statement.split())[:300])

    def wrap(self, wsgi_app):
        def app(environ, start_response):
            kind = request_kind(environ["REQUEST_METHOD"], environ["PATH_INFO"])
            if kind is None:
                return wsgi_app(environ, start_response)
            self.current.sql = sql = []
            profiler = None
            if self.profile:
                profiler = cProfile.Profile(self.timer) if self.timer else cProfile.Profile()
            cpu_started = time.thread_time()
            if profiler:
                profiler.enable()
            try:
                body = wsgi_app(environ, start_response)
                chunks = list(body)
                getattr(body, "close", lambda: None)()
                return chunks
            finally:
                if profiler:
                    profiler.disable()
                cpu = time.thread_time() - cpu_started
                self.current.sql = None
                if self.counting:
                    self.record(kind, cpu, sql, profiler)

        return app

    def record(self, kind: str, cpu: float, sql: list[str], profiler) -> None:
        with self.lock:
            self.cpu[kind].append(cpu)
            self.statements[kind].append(len(sql))
            if len(sql) >= len(self.last_sql.get(kind, ())):
                self.last_sql[kind] = sql  # the busiest: a notification that pays, say
            if profiler is not None:
                if kind in self.stats:
                    self.stats[kind].add(profiler)
                else:
                    self.stats[kind] = pstats.Stats(profiler)


def serve_in_thread(args: argparse.Namespace, recorder: Recorder):
    from werkzeug.serving import make_server

    from config import SIMULATOR_SERVER_KEY
    from shop.extensions import db

    base = f"http://127.0.0.1:{args.port}"
    app = make_app(
        args.database_url, SECRET_KEY="bench-secret-key-not-for-production-0123456789",
        SITE_URL=base, MAIL_BACKEND="log", MIDTRANS_SIMULATOR_ENABLED=True,
        MIDTRANS_SERVER_KEY=SIMULATOR_SERVER_KEY,
        MIDTRANS_SIMULATOR_URL=base + "/simulator/midtrans",
        MIDTRANS_NOTIFICATION_URL=base + "/payments/midtrans/notification",
        MIDTRANS_SIMULATOR_RETRY_DELAYS=(0.2,), RATELIMIT_ENABLED=False,
    )  # fmt: skip
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", recorder.on_sql)
    app.wsgi_app = recorder.wrap(app.wsgi_app)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return base


def wait_settled(engine, orders: int) -> None:
    """Until every order's two notifications have been handled (they come on a thread)."""
    query = text(
        "SELECT count(*) FROM payment_notifications WHERE outcome IS NOT NULL"
        " AND outcome <> 'received'"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.scalar(query) >= 2 * orders:
                return
        time.sleep(0.05)
    print("  WARNING: notifications still missing after 30 s")


def buy(load: Load, count: int, start: int) -> None:
    rng = random.Random(start)
    for number in range(start, start + count):
        purchase(load, rng.choice(load.items), rng.randint(1, 3), f"{number}@x.test")


def main() -> None:
    args = parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("--database-url: it is emptied first, so its name must contain bench")
    print(f"database: {describe_url(args.database_url)}")
    engine, items = prepare_database(args)
    recorder = Recorder(profile=not args.no_profile, cpu_profile=args.cpu_profile)
    base = serve_in_thread(args, recorder)
    load = Load(base, engine, items, float("inf"), None)
    buy(load, args.warmup, 0)
    wait_settled(engine, args.warmup)
    time.sleep(0.3)
    recorder.counting = True
    buy(load, args.orders, args.warmup)
    wait_settled(engine, args.warmup + args.orders)
    time.sleep(0.3)
    recorder.counting = False
    report(args, recorder)


def report(args: argparse.Namespace, recorder: Recorder) -> None:
    print(f"\n{args.orders} orders, one shopper; per request: CPU ms median (min-max), statements")
    print(f"{'request kind':<26}{'/order':>7}{'CPU ms':>8}{'(min-max)':>14}{'stmts':>7}"
          f"{'CPU ms/order':>14}")  # fmt: skip
    ours = 0.0
    for _method, _prefix, kind in REQUEST_KINDS:
        cpu = recorder.cpu.get(kind)
        if not cpu:
            continue
        per_order = 1000 * sum(cpu) / args.orders
        ours += 0 if kind.startswith("simulator") else per_order
        spread = f"({1000 * min(cpu):.1f}-{1000 * max(cpu):.1f})"
        print(
            f"{kind:<26}{len(cpu) / args.orders:7.2f}{1000 * statistics.median(cpu):8.1f}"
            f"{spread:>14}{statistics.mean(recorder.statements[kind]):7.1f}{per_order:14.1f}"
        )
    print(f"{'our CPU per order (ms)':<26}{ours:50.1f}")
    if args.show_sql:
        for kind, sql in recorder.last_sql.items():
            print(f"\n-- {kind}: {len(sql)} statements")
            for statement in sql:
                print("   ", statement)
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
        for kind, stats in recorder.stats.items():
            stats.dump_stats(
                os.path.join(args.dump, kind.replace(" ", "_").replace(":", "") + ".pstats")
            )
    for kind in args.kinds.split(","):
        if kind in recorder.stats:
            out = io.StringIO()
            recorder.stats[kind].stream = out
            recorder.stats[kind].sort_stats(args.sort).print_stats(args.top)
            print(f"\n== profile: {kind} ({len(recorder.cpu[kind])} requests)")
            print("\n".join(out.getvalue().splitlines()[4:]))


if __name__ == "__main__":
    main()
