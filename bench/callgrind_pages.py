"""Instructions per request of uncached storefront pages and their minimal-catalog yardsticks,
counted by valgrind's callgrind: a figure that other work on the machine does not move.

    .venv/bin/python bench/callgrind_pages.py --only search \
        --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_10k

For each page and its yardstick, a child process under `valgrind --tool=callgrind
--instr-atstart=no` makes the app (page cache off) or imports bench/minimal_catalog.py, warms
the page up, turns counting on (`callgrind_control -i on`), makes --requests requests with
Flask's test client, and turns it off: only the requests are counted, in this process (the
database's own work is not). Printed: instructions per request, and the yardstick's over the
page's (1.0 = as cheap as the minimal catalog), as cpu_pages.py's ratio.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BENCH_DIR, describe_url, resolve_database_url
from storefront_ratios import MINIMAL_OF, pages

WARM_UP = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the app's SQLite")
    parser.add_argument("--requests", type=int, default=20, help="counted requests per page")
    parser.add_argument("--only", help="comma-separated page names (home,category,...)")
    parser.add_argument("--child", nargs=2, metavar=("TARGET", "PATH"), help=argparse.SUPPRESS)
    return parser.parse_args()


def child(target: str, path: str, requests: int) -> None:
    """Run under valgrind: warm up, then count only the requests."""
    sys.path.insert(0, str(BENCH_DIR))
    if target == "app":
        from common import make_app

        client = make_app(os.environ["DATABASE_URL"], PAGE_CACHE_SECONDS=0).test_client()
    else:
        import minimal_catalog

        client = minimal_catalog.app.test_client()
    for _ in range(WARM_UP):
        client.get(path)
    toggle = ["callgrind_control", "-i"]
    subprocess.run([*toggle, "on", str(os.getpid())], check=True, capture_output=True)
    for _ in range(requests):
        if client.get(path).status_code != 200:
            raise SystemExit(f"{path}: not 200")
    subprocess.run([*toggle, "off", str(os.getpid())], check=True, capture_output=True)


def instructions(target: str, path: str, requests: int, database_url: str) -> float:
    """Per request: the count with `requests` requests less the count with none (what turning
    counting on and off costs)."""
    counted = _count(target, path, requests, database_url)
    return (counted - _count(target, path, 0, database_url)) / requests


def _count(target: str, path: str, requests: int, database_url: str) -> int:
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        subprocess.run(
            [
                "valgrind", "--tool=callgrind", "--instr-atstart=no",
                f"--callgrind-out-file={out}", sys.executable, __file__,
                "--requests", str(requests), "--child", target, path,
            ],
            check=True, capture_output=True, env={**os.environ, "DATABASE_URL": database_url},
        )  # fmt: skip
        text = "\n".join(p.read_text() for p in Path(directory).glob("callgrind.out*"))
    return sum(int(found) for found in re.findall(r"^totals: (\d+)", text, re.M))


def main() -> None:
    args = parse_args()
    if args.child:
        child(*args.child, args.requests)
        return
    database_url = resolve_database_url(args.database_url)
    paths = pages(database_url)
    names = args.only.split(",") if args.only else list(paths)
    print(f"database: {describe_url(database_url)}, {args.requests} requests counted a page")
    print(f"{'page':<12} {'path':<40} {'M instr':>8} {'yardstick':>9} {'ratio':>6}")
    for name in names:
        mine = instructions("app", paths[name], args.requests, database_url)
        theirs = instructions("minimal", paths[MINIMAL_OF[name]], args.requests, database_url)
        print(f"{name:<12} {paths[name]:<40} {mine / 1e6:8.2f} {theirs / 1e6:9.2f}"
              f" {theirs / mine:6.2f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
