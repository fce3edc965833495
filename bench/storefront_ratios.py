"""Every storefront page against its yardstick, in one run: the issue's ratios.

    .venv/bin/python bench/storefront_ratios.py \
        --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_10k

Starts five gunicorns (2 sync workers each) on the same database: the app with the page cache
off, on in memory, on in Redis; bench/minimal_catalog.py (the least a Flask + SQLAlchemy +
Jinja catalog does); bench/bare_app.py serving, for each cached page, that page's own bytes.
Each round measures with wrk, one after the other:
  - uncached: home, category, cooperative, member, product and search on the app, and the
    minimal catalog's category, detail and search pages; each listing is compared with the
    minimal category page of the same round, the product page with the minimal detail page,
    the search with the minimal ILIKE search;
  - cache hits: home, category, product and cooperative, in memory and in Redis, each
    compared with the bare page of the same bytes measured just before.
Ratios are rps over rps within a round, and (steadier when other work shares the machine)
the yardstick's worker CPU per request over the page's; the table gives the median of the
rounds and their range. At the end, every worker's resident memory (after all that load).
Generate the data first (bench/generate.py --photos).
"""

import argparse
import json
import statistics
import sys
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from common import BENCH_DIR, RESULTS_DIR, code_state, describe_url, resolve_database_url
from sqlalchemy import create_engine, text
from throughput import (
    REDIS_URL,
    Target,
    clear_redis_pages,
    fetch,
    parse_wrk,
    run_wrk,
    running,
    wait_for_quiet,
    worker_cpu_seconds,
)

BASE_ENV = {
    "APP_CONFIG": "default",
    "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
    "REDIS_URL": "",
}
SEARCH_WORD = "batik"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the app's SQLite")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", default="4s", help="wrk -d of each run")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8111, help="first of five ports")
    parser.add_argument("--quiet-below", type=float, default=0.3)
    parser.add_argument("--quiet-wait", type=float, default=5)
    parser.add_argument("--label", help="name of the JSON file in bench/results/")
    parser.add_argument(
        "--preload",
        action="store_true",
        help="every target preloaded by gunicorn (bench/gunicorn_preload.py), as deployed",
    )
    parser.add_argument(
        "--hits-only", action="store_true", help="only the cache hits (and memory), no uncached"
    )
    return parser.parse_args()


def pages(database_url: str) -> dict[str, str]:
    """The paths measured, picked from the data: the newest kuliner product, the first
    cooperative and its first member."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        product = connection.scalar(
            text(
                "SELECT p.slug FROM products p JOIN categories c ON c.id = p.category_id"
                " JOIN categories t ON t.id = c.parent_id WHERE t.slug = 'kuliner'"
                " AND p.status = 'active' ORDER BY p.created_at DESC, p.id DESC LIMIT 1"
            )
        )
        coop, member = connection.execute(
            text(
                "SELECT c.slug, m.member_number FROM cooperatives c JOIN memberships m"
                " ON m.cooperative_id = c.id WHERE m.is_active AND c.is_active"
                " ORDER BY c.id, m.id LIMIT 1"
            )
        ).one()
    engine.dispose()
    return {
        "home": "/",
        "category": "/kategori/kuliner",
        "cooperative": f"/koperasi/{coop}",
        "member": f"/koperasi/{coop}/umkm/{member}",
        "product": f"/produk/{product}",
        "search": f"/cari?q={SEARCH_WORD}",
    }


# Which page of the minimal catalog each app page is compared with.
MINIMAL_OF = {
    "home": "category",
    "category": "category",
    "cooperative": "category",
    "member": "category",
    "product": "product",
    "search": "search",
}
CACHED = ("home", "category", "product", "cooperative")


def measure(target: Target, path: str, args, round_: int, label: str) -> dict:
    busy = wait_for_quiet(args)
    cpu_before = worker_cpu_seconds(target.pid)
    output = run_wrk(f"http://127.0.0.1:{target.port}{path}", args, args.duration)
    result = parse_wrk(output, label, round_, busy)
    # The workers' CPU per request: other work on the machine moves it far less than rps.
    cpu_ms = (worker_cpu_seconds(target.pid) - cpu_before) * 1000 / max(1, result.requests)
    print(
        f"  round {round_} {label:<34} {result.requests_per_second:8.1f} rps"
        f"  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  CPU {cpu_ms:6.3f} ms/req"
        f"  ({result.errors} errors, machine {busy:.0%} busy)",
        flush=True,
    )
    return {"rps": result.requests_per_second, "errors": result.errors, "cpu_ms": cpu_ms}


def worker_memory_mb(master_pid: int) -> list[dict[str, float]]:
    """Each worker's RSS, PSS (shared pages split between the processes sharing them: what
    --preload saves shows here) and USS (its private pages), from smaps_rollup."""
    workers = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
            if int(fields.get("PPid", "0").strip()) != master_pid:
                continue
            rollup = dict(
                (line.split(":", 1)[0], int(line.split()[1]))
                for line in (status.parent / "smaps_rollup").read_text().splitlines()[1:]
            )
        except OSError:
            continue
        uss = rollup["Private_Clean"] + rollup["Private_Dirty"]
        workers.append(
            {"rss": rollup["Rss"] / 1024, "pss": rollup["Pss"] / 1024, "uss": uss / 1024}
        )
    return sorted(workers, key=lambda worker: worker["rss"])


def main() -> None:
    args = parse_args()
    database_url = resolve_database_url(args.database_url)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    code = code_state()
    paths = pages(database_url)
    minimal_paths = {
        "category": paths["category"],
        "product": paths["product"],
        "search": paths["search"],
    }
    print(f"database: {describe_url(database_url)}  code: {code}")
    clear_redis_pages()
    port = args.port
    app_env = {**BASE_ENV, "DATABASE_URL": database_url}
    targets = {
        "off": Target("cache off", "wsgi:app", {**app_env, "PAGE_CACHE_SECONDS": "0"}, port),
        "memory": Target(
            "cache memory", "wsgi:app", {**app_env, "PAGE_CACHE_SECONDS": "60"}, port + 1
        ),
        "redis": Target(
            "cache Redis",
            "wsgi:app",
            {**app_env, "PAGE_CACHE_SECONDS": "60", "REDIS_URL": REDIS_URL},
            port + 2,
        ),
        "minimal": Target(
            "minimal", "minimal_catalog:app", {"DATABASE_URL": database_url}, port + 3, BENCH_DIR
        ),
    }
    results: dict[str, list[float]] = {}
    gunicorn_options = (f"--config={BENCH_DIR / 'gunicorn_preload.py'}",) if args.preload else ()
    with ExitStack() as stack:
        running_ = {
            name: stack.enter_context(running(target, args.workers, gunicorn_options))
            for name, target in targets.items()
        }
        page_files = {}
        sizes = {}
        for name in CACHED:
            body, _headers = fetch(running_["memory"], paths[name])
            file = RESULTS_DIR / f"bare_{name}.html"
            file.write_bytes(body)
            page_files[paths[name]] = str(file)
            sizes[name] = len(body)
        pages_file = RESULTS_DIR / "bare_pages.json"
        pages_file.write_text(json.dumps(page_files))
        bare = Target("bare", "bare_app:app", {"BARE_PAGES_FILE": str(pages_file)}, port + 4)
        bare = stack.enter_context(
            running(replace(bare, chdir=BENCH_DIR), args.workers, gunicorn_options)
        )
        for path in paths.values():  # templates compiled, caches filled, in every worker
            for target in ("off", "memory", "redis"):
                run_wrk(f"http://127.0.0.1:{running_[target].port}{path}", args, "1s")
        for path in minimal_paths.values():
            run_wrk(f"http://127.0.0.1:{running_['minimal'].port}{path}", args, "1s")
        for round_ in range(1, args.rounds + 1):
            minimal = {
                name: measure(running_["minimal"], path, args, round_, f"minimal {name}")
                for name, path in minimal_paths.items()
            }
            for name, run in minimal.items():
                results.setdefault(f"minimal {name} CPU ms", []).append(run["cpu_ms"])
            for name, path in paths.items():
                if args.hits_only:
                    break
                app = measure(running_["off"], path, args, round_, f"uncached {name}")
                yardstick = minimal[MINIMAL_OF[name]]
                results.setdefault(f"uncached {name} / minimal", []).append(
                    app["rps"] / yardstick["rps"]
                )
                results.setdefault(f"uncached {name} / minimal, by CPU", []).append(
                    yardstick["cpu_ms"] / app["cpu_ms"]
                )
                results.setdefault(f"uncached {name} CPU ms", []).append(app["cpu_ms"])
            for name in CACHED:
                static = measure(bare, paths[name], args, round_, f"static {name}")
                for where in ("memory", "redis"):
                    hit = measure(running_[where], paths[name], args, round_, f"hit {where} {name}")
                    ratio = hit["rps"] / static["rps"]
                    results.setdefault(f"hit {where} {name} / static", []).append(ratio)
                    results.setdefault(f"hit {where} {name} / static, by CPU", []).append(
                        static["cpu_ms"] / hit["cpu_ms"]
                    )
        memory = {name: worker_memory_mb(target.pid) for name, target in running_.items()}
        report(args, database_url, code, paths, sizes, results, memory)


def report(args, database_url, code, paths, sizes, results, memory) -> None:
    print(f"\n{'measure':<40} {'median':>8} {'min-max':>14}")
    summary = {}
    for name, values in results.items():
        median = statistics.median(values)
        summary[name] = {"median": median, "min": min(values), "max": max(values)}
        if name.endswith("CPU ms"):
            print(f"{name:<40} {median:8.1f} {min(values):6.1f}-{max(values):<6.1f}")
        else:
            print(f"{name:<40} {median:8.2f} {min(values):6.2f}-{max(values):<6.2f}")
    print("\nworkers' memory after the load (MB, RSS / PSS / USS):")
    for name, workers in memory.items():
        figures = ", ".join(f"{w['rss']:.0f} / {w['pss']:.0f} / {w['uss']:.0f}" for w in workers)
        print(f"  {name:<10} {figures}")
    print("page bytes (cached pages):", sizes)
    label = args.label or "storefront-ratios"
    path = RESULTS_DIR / f"{label}.json"
    path.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": describe_url(database_url),
                "code": code,
                "paths": paths,
                "page_bytes": sizes,
                "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}",
                "rounds": args.rounds,
                "summary": summary,
                "raw": results,
                "worker_memory_mb": memory,
                "preload": args.preload,
            },
            indent=2,
        )
    )
    print(f"saved {path}")


if __name__ == "__main__":
    sys.exit(main())
