"""CPU per call of the page cache's Redis client (shop/resp_client.py) beside redis-py's, for
what a cache hit asks: GET of the catalog version, GET of a 35 KB page, MGET of both.

    .venv/bin/python bench/redis_client.py --rounds 5 --calls 2000

Both clients talk to the same Redis (BENCH_REDIS_URL, else database 15), on keys of this
run's own, removed afterwards; each round times every kind of call with each client in turn
(this process's CPU time, time.process_time), and the medians of the rounds are printed.
"""

import argparse
import statistics
import sys
import time
import uuid

import common  # noqa: F401  (puts the repository on sys.path)
import redis
from throughput import REDIS_URL

from shop.resp_client import RespClient


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000, help="calls of each kind a round")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    prefix = f"bench-resp-{uuid.uuid4().hex[:8]}:"
    clients = {"ours": RespClient(REDIS_URL), "redis-py": redis.Redis.from_url(REDIS_URL)}
    setup = clients["redis-py"]
    setup.set(f"{prefix}version", 7)
    setup.set(f"{prefix}page", b"p7\n" + b"<p>catalog page</p>" * 1850)  # ~35 KB
    calls = {
        "GET version": lambda client: client.get(f"{prefix}version"),
        "GET page": lambda client: client.get(f"{prefix}page"),
        "MGET both": lambda client: client.mget([f"{prefix}version", f"{prefix}page"]),
    }
    figures: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(args.rounds):
            for kind, call in calls.items():
                for name, client in clients.items():
                    call(client)  # a connection open before timing
                    started = time.process_time()
                    for _ in range(args.calls):
                        call(client)
                    elapsed = time.process_time() - started
                    figures.setdefault((kind, name), []).append(elapsed / args.calls * 1e6)
    finally:
        setup.delete(f"{prefix}version", f"{prefix}page")
    print(f"{'call':<12} {'ours µs':>8} {'redis-py µs':>12} {'ours / redis-py':>16}")
    for kind in calls:
        ours = statistics.median(figures[(kind, "ours")])
        theirs = statistics.median(figures[(kind, "redis-py")])
        print(f"{kind:<12} {ours:8.1f} {theirs:12.1f} {ours / theirs:16.2f}")


if __name__ == "__main__":
    sys.exit(main())
