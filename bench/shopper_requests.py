"""The shopper's cheap requests of a purchase (product page, add to cart, cart page, order
page) replayed in process, each exactly as a real browser sent it (cookies included): CPU per
request, and a mode that callgrind can count instructions of.

    DB=postgresql://postgres@127.0.0.1:5432/bench_checkout
    .venv/bin/python bench/shopper_requests.py --record --database-url $DB
    .venv/bin/python bench/shopper_requests.py --database-url $DB --rounds 5

--record empties the database, fills it as checkout.py does, serves the app on a thread (as
profile_checkout.py does) and makes one guest purchase, writing each request of it (method,
path, form, Cookie header) to bench/results/shopper_requests.json. Without --record the
requests of the kinds chosen are replayed through Flask's test client, cookies as recorded,
so each replay is the same request: adding to the cart only writes the session, the pages
only read. The figure is this thread's CPU time per request, median of the rounds. Two
copies of the code can replay the same file on the same database, one after the other, for a
before/after pair.

--instructions counts instead (valgrind's callgrind, steady to ~1 % where CPU time moves with
the machine's load): per kind, a child process under `valgrind --tool=callgrind
--instr-atstart=no` warms up, turns counting on (`callgrind_control -i on`), makes --requests
requests and turns it off; a second child makes none, and the difference over --requests is
the instructions per request (what the toggling costs cancels out). Slow: a minute a kind.
"""

import argparse
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import RESULTS_DIR, describe_url, make_app

RECORDED = RESULTS_DIR / "shopper_requests.json"
KINDS = ("product page", "add to cart", "cart page", "order page")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_checkout"
    )
    parser.add_argument("--record", action="store_true", help="empty the database, buy once")
    parser.add_argument("--port", type=int, default=8113, help="--record's server")
    parser.add_argument("--requests", type=int, default=100, help="per kind and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20, help="requests per kind, not counted")
    parser.add_argument("--only", help="comma-separated kinds (default: all four)")
    parser.add_argument("--instructions", action="store_true", help="count them (callgrind)")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # a kind, counted under callgrind
    return parser.parse_args()


def record(args: argparse.Namespace) -> None:
    """One purchase over HTTP; every request of it, as sent, into RECORDED."""
    import requests
    from checkout import Load, prepare_database, purchase, request_kind
    from profile_checkout import Recorder, serve_in_thread

    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("--database-url: it is emptied first, so its name must contain bench")
    args.cooperatives, args.products_per_coop = 3, 4
    engine, items = prepare_database(args)
    base = serve_in_thread(args, Recorder(profile=False))
    sent: list[requests.PreparedRequest] = []
    original_send = requests.Session.send

    def send(session, request, **kwargs):
        sent.append(request)
        return original_send(session, request, **kwargs)

    requests.Session.send = send
    try:
        for number in range(3):  # the last purchase is kept: the first ones warm up
            sent.clear()
            purchase(Load(base, engine, items, float("inf"), None), items[0], 1, f"{number}@x.test")
    finally:
        requests.Session.send = original_send
    recorded = []
    for request in sent:
        path = request.path_url
        kind = request_kind(request.method, path.split("?")[0])
        if kind in KINDS:
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            recorded.append({
                "kind": kind, "method": request.method, "path": path, "body": body or "",
                "headers": {name: value for name, value in request.headers.items()
                            if name not in ("Host", "Content-Length")},
            })  # fmt: skip
    RECORDED.write_text(json.dumps(recorded, indent=1))
    print(f"{len(recorded)} requests recorded in {RECORDED}")
    for entry in recorded:
        print(f"  {entry['kind']:<13} {entry['method']:<5} {entry['path']} "
              f"(cookie {len(entry['headers'].get('Cookie', ''))} bytes)")  # fmt: skip


def app_as_recorded(args: argparse.Namespace):
    """The app with the settings of --record's server (profile_checkout.py's), the page cache
    off: in a purchase the product page is rendered, not a hit, because each order changes
    stock and so the catalog's version."""
    from config import SIMULATOR_SERVER_KEY

    base = f"http://127.0.0.1:{args.port}"
    return make_app(
        args.database_url, SECRET_KEY="bench-secret-key-not-for-production-0123456789",
        SITE_URL=base, MAIL_BACKEND="log", MIDTRANS_SIMULATOR_ENABLED=True,
        MIDTRANS_SERVER_KEY=SIMULATOR_SERVER_KEY,
        MIDTRANS_SIMULATOR_URL=base + "/simulator/midtrans",
        MIDTRANS_NOTIFICATION_URL=base + "/payments/midtrans/notification",
        MIDTRANS_SIMULATOR_RETRY_DELAYS=(0.2,), RATELIMIT_ENABLED=False, PAGE_CACHE_SECONDS=0,
    )  # fmt: skip


def replay(args: argparse.Namespace) -> None:
    recorded = {entry["kind"]: entry for entry in json.loads(RECORDED.read_text())}
    kinds = args.only.split(",") if args.only else [kind for kind in KINDS if kind in recorded]
    app = app_as_recorded(args)
    logging.getLogger().setLevel(logging.WARNING)
    client = app.test_client(use_cookies=False)

    def send(entry: dict, times: int) -> None:
        for _ in range(times):
            response = client.open(
                entry["path"], method=entry["method"], data=entry["body"], headers=entry["headers"]
            )
            if response.status_code not in (200, 302, 303):
                raise SystemExit(f"{entry['kind']}: HTTP {response.status_code}")

    for kind in kinds:
        send(recorded[kind], args.warmup)
    if args.child:
        toggle = ["callgrind_control", "-i"]
        subprocess.run([*toggle, "on", str(os.getpid())], check=True, capture_output=True)
        send(recorded[args.child], args.requests)
        subprocess.run([*toggle, "off", str(os.getpid())], check=True, capture_output=True)
        return
    cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _round in range(args.rounds):
        for kind in kinds:
            started = time.thread_time()
            send(recorded[kind], args.requests)
            if args.requests:
                cpu[kind].append((time.thread_time() - started) * 1000 / args.requests)
    print(f"database: {describe_url(args.database_url)}; {args.rounds} rounds of "
          f"{args.requests} requests, CPU ms per request")  # fmt: skip
    for kind in kinds:
        figures = cpu[kind]
        print(f"  {kind:<13} {statistics.median(figures):6.2f}  "
              f"({min(figures):.2f}-{max(figures):.2f})")  # fmt: skip


def count_instructions(args: argparse.Namespace) -> None:
    kinds = args.only.split(",") if args.only else list(KINDS)
    print(f"database: {describe_url(args.database_url)}; instructions per request "
          f"({args.requests} requests counted)")  # fmt: skip
    for kind in kinds:
        counted = _count(args, kind, args.requests) - _count(args, kind, 0)
        print(f"  {kind:<13} {counted / args.requests / 1e6:7.3f} M")


def _count(args: argparse.Namespace, kind: str, requests: int) -> int:
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        child = subprocess.run(
            [
                "valgrind", "--tool=callgrind", "--instr-atstart=no",
                f"--callgrind-out-file={out}", sys.executable, __file__,
                "--database-url", args.database_url, "--port", str(args.port),
                "--only", kind, "--child", kind, "--requests", str(requests), "--warmup", "10",
            ],
            capture_output=True, text=True,
        )  # fmt: skip
        if child.returncode:
            raise SystemExit(f"{kind}: the child under callgrind failed:\n{child.stderr[-3000:]}")
        text = "\n".join(p.read_text() for p in Path(directory).glob("callgrind.out*"))
    return sum(int(found) for found in re.findall(r"^totals: (\d+)", text, re.M))


def main() -> None:
    args = parse_args()
    if args.record:
        record(args)
    elif args.instructions:
        count_instructions(args)
    else:
        replay(args)


if __name__ == "__main__":
    main()
