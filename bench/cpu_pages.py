"""CPU per request of every uncached storefront page and of its minimal-catalog yardstick, in
one process (Flask's test client, no network, no gunicorn): a quick, steady check of the
storefront issue's uncached ratios while working on them.

    .venv/bin/python bench/cpu_pages.py --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_10k

The app runs with its default settings and the page cache off; bench/minimal_catalog.py is
imported on the same database. Each page is requested `--requests` times after a warm-up, in
`--rounds` rounds alternating app and yardstick; the figure is this process's CPU time
(user + system, `time.process_time`) per request, median of the rounds. The database's own
CPU is not counted, as in storefront_ratios.py's worker CPU. The ratio is the yardstick's
CPU over the page's (1.0 = as cheap as the minimal catalog). storefront_ratios.py remains
the figure of record (gunicorn, wrk); this one moves little when other work loads the
machine, because it counts CPU time, not requests per second.
"""

import argparse
import os
import statistics
import time

from common import BENCH_DIR, describe_url, make_app, resolve_database_url
from storefront_ratios import MINIMAL_OF, pages


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the app's SQLite")
    parser.add_argument("--requests", type=int, default=100, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated page names (home,category,...)")
    return parser.parse_args()


def cpu_ms_per_request(client, path: str, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    return (time.process_time() - started) * 1000 / requests


def main() -> None:
    args = parse_args()
    database_url = resolve_database_url(args.database_url)
    os.environ["DATABASE_URL"] = database_url
    import sys

    sys.path.insert(0, str(BENCH_DIR))
    import minimal_catalog

    app = make_app(database_url, PAGE_CACHE_SECONDS=0)
    paths = pages(database_url)
    names = args.only.split(",") if args.only else list(paths)
    clients = {"app": app.test_client(), "minimal": minimal_catalog.app.test_client()}
    measured: dict[str, list[float]] = {}
    for round_ in range(args.rounds):
        for name in names:
            yardstick = MINIMAL_OF[name]
            for target, path in (("app", paths[name]), ("minimal", paths[yardstick])):
                key = f"{target} {name if target == 'app' else yardstick}"
                if round_ == 0 and key not in measured:
                    cpu_ms_per_request(clients[target], path, 10)  # warm-up
                measured.setdefault(key, []).append(
                    cpu_ms_per_request(clients[target], path, args.requests)
                )
    print(f"database: {describe_url(database_url)}, {args.rounds} rounds of {args.requests}")
    print(f"{'page':<12} {'path':<58} {'CPU ms':>7} {'yardstick':>9} {'ratio':>6}")
    for name in names:
        mine = statistics.median(measured[f"app {name}"])
        theirs = statistics.median(measured[f"minimal {MINIMAL_OF[name]}"])
        print(f"{name:<12} {paths[name]:<58} {mine:7.2f} {theirs:9.2f} {theirs / mine:6.2f}")


if __name__ == "__main__":
    main()
