"""Worker memory after load, the app against the minimal catalog, without the speed runs.

    .venv/bin/python bench/worker_memory.py --rounds 3 \
        --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_10k

Each round starts, side by side, gunicorn (2 sync workers, preloaded with gc.freeze as
deployed: bench/gunicorn_preload.py) for the app with the page cache in memory, the app with
it in Redis, and bench/minimal_catalog.py; loads every storefront page (wrk, `--duration`
each, misses then hits) and the minimal catalog's pages; then reads each worker's RSS / PSS /
USS (storefront_ratios.worker_memory_mb). Prints each round, then per target the median of
its workers' RSS over the rounds and the gap to the minimal catalog (issue 16's goal: within
20 MB by RSS). The same figures as storefront_ratios.py --preload --hits-only, in a minute.
"""

import argparse
import statistics
import sys
from contextlib import ExitStack

from common import BENCH_DIR, resolve_database_url
from storefront_ratios import BASE_ENV, pages, worker_memory_mb
from throughput import REDIS_URL, Target, clear_redis_pages, run_wrk, running


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the app's SQLite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="2s", help="wrk -d per page")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8111, help="first of three ports")
    return parser.parse_args()


def targets(database_url: str, port: int) -> dict[str, Target]:
    app_env = {**BASE_ENV, "DATABASE_URL": database_url, "PAGE_CACHE_SECONDS": "60"}
    return {
        "memory": Target("cache memory", "wsgi:app", app_env, port),
        "redis": Target("cache Redis", "wsgi:app", {**app_env, "REDIS_URL": REDIS_URL}, port + 1),
        "minimal": Target(
            "minimal", "minimal_catalog:app", {"DATABASE_URL": database_url}, port + 2, BENCH_DIR
        ),
    }


def one_round(args, database_url: str, paths: dict[str, str]) -> dict[str, list[dict]]:
    clear_redis_pages()
    minimal_paths = [paths["category"], paths["product"], paths["search"]]
    options = (f"--config={BENCH_DIR / 'gunicorn_preload.py'}",)
    with ExitStack() as stack:
        running_ = {
            name: stack.enter_context(running(target, args.workers, options))
            for name, target in targets(database_url, args.port).items()
        }
        for name, target in running_.items():
            for path in minimal_paths if name == "minimal" else paths.values():
                run_wrk(f"http://127.0.0.1:{target.port}{path}", args, args.duration)
        return {name: worker_memory_mb(target.pid) for name, target in running_.items()}


def main() -> None:
    args = parse_args()
    database_url = resolve_database_url(args.database_url)
    paths = pages(database_url)
    rss: dict[str, list[float]] = {}
    for round_ in range(1, args.rounds + 1):
        memory = one_round(args, database_url, paths)
        for name, workers in memory.items():
            figures = ", ".join(
                f"{w['rss']:.1f} / {w['pss']:.1f} / {w['uss']:.1f}" for w in workers
            )
            print(f"round {round_} {name:<8} RSS / PSS / USS MB: {figures}", flush=True)
            rss.setdefault(name, []).extend(worker["rss"] for worker in workers)
    minimal = statistics.median(rss["minimal"])
    print(f"\n{'target':<8} {'RSS median':>10} {'min-max':>12} {'gap':>6}")
    for name, values in rss.items():
        median = statistics.median(values)
        spread = f"{min(values):5.1f}-{max(values):<6.1f}"
        print(f"{name:<8} {median:10.1f} {spread} {median - minimal:6.1f}")


if __name__ == "__main__":
    sys.exit(main())
