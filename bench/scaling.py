"""Does a listing grow with the catalog? Each listing page timed in-process on two databases
(say 10,000 and 100,000 products) in the same run, alternating, and EXPLAIN (ANALYZE,
BUFFERS) of every statement it runs on the last one.

    .venv/bin/python bench/scaling.py --explain \
        --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_10k \
        --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_100k

Pages (page cache off, anonymous): home; the kuliner category, page 1 and page 200 (or its
last page, when it has fewer); a cooperative; a search for the commonest word of the index
(the word in most documents, from ts_stat); a search for "batik". In each of --rounds rounds
every page is rendered --requests times on each database in turn (the test client); a
round's figure is the median render (wall time), with the time in SQL and this process's
CPU, and the CPU of the round's renders in this process and in the database's server
processes together (read from /proc: the database must run on this machine, and nothing
else may use it), divided by the renders: "CPU+DB", a figure that other work on the machine
moves far less than wall time. Printed: the median over rounds per database, and the larger
database's figure over the smaller's, by wall time and by CPU+DB (median of the rounds'
ratios, and their range), so that a machine busy with other work moves both sides of each
ratio alike. With one --database-url, just the times.
PostgreSQL only.
"""

import argparse
import os
import statistics
import time
from dataclasses import dataclass, field

from common import describe_url, make_app, recording_sql, resolve_database_url
from sqlalchemy import text

DEEP_PAGE = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", action="append", help="once or twice (smaller catalog first)"
    )
    parser.add_argument("--requests", type=int, default=10, help="renders per page and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--explain", action="store_true", help="print the plans, on the last database"
    )
    parser.add_argument(
        "--only", help="comma-separated words that a page's name must contain (search,home,...)"
    )
    return parser.parse_args()


def commonest_word(connection) -> str:
    return connection.scalar(
        text(
            "SELECT word FROM ts_stat('SELECT document FROM product_search WHERE is_on_sale')"
            " ORDER BY ndoc DESC, word LIMIT 1"
        )
    )


def listing_paths(connection) -> dict[str, str]:
    """Path of each page kind on this database."""
    coop = connection.scalar(
        text("SELECT slug FROM cooperatives WHERE is_active ORDER BY id LIMIT 1")
    )
    on_sale_kuliner = connection.scalar(
        text(
            "SELECT count(*) FROM product_search s JOIN categories c ON c.id = s.category_id"
            " JOIN categories t ON t.id = c.parent_id WHERE t.slug = 'kuliner' AND s.is_on_sale"
        )
    )
    deep = min(DEEP_PAGE, max(1, -(-on_sale_kuliner // 24)))
    word = commonest_word(connection)
    return {
        "home": "/",
        "category page 1": "/kategori/kuliner",
        f"category page {DEEP_PAGE} (or last)": f"/kategori/kuliner?page={deep}",
        "cooperative": f"/koperasi/{coop}",
        "search commonest word": f"/cari?q={word}",
        "search batik": "/cari?q=batik",
    }


@dataclass
class Target:
    url: str
    client: object
    engine: object
    products: int
    paths: dict[str, str]
    queries: dict[str, int] = field(default_factory=dict)
    # page kind -> per round: (median ms, median SQL ms, median CPU ms, CPU+DB ms a render)
    rounds: dict[str, list[tuple[float, ...]]] = field(default_factory=dict)


def open_target(url: str) -> Target:
    app = make_app(url, PAGE_CACHE_SECONDS=0)
    with app.app_context():
        from shop.extensions import db

        engine = db.engine
    with engine.connect() as connection:
        products = connection.scalar(text("SELECT count(*) FROM products"))
        paths = listing_paths(connection)
    return Target(url, app.test_client(use_cookies=False), engine, products, paths)


def server_cpu_seconds(engine) -> float:
    """User + system CPU of every server process connected to this database (the pool's
    connection this reads them on is the one the pages use)."""
    with engine.connect() as connection:
        pids = connection.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).all()
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def time_page(target: Target, kind: str, requests: int) -> None:
    path = target.paths[kind]
    totals, sql_times, cpu_times = [], [], []
    server_started, batch_started = server_cpu_seconds(target.engine), time.process_time()
    for _ in range(requests):
        with recording_sql(target.engine) as sql:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = target.client.get(path)
            cpu_times.append(time.process_time() - cpu_started)
            totals.append(time.perf_counter() - started)
        assert response.status_code == 200, path
        sql_times.append(sql.seconds)
        target.queries[kind] = sql.count
    batch = time.process_time() - batch_started
    server = server_cpu_seconds(target.engine) - server_started
    target.rounds.setdefault(kind, []).append(
        (
            *(statistics.median(values) * 1000 for values in (totals, sql_times, cpu_times)),
            (batch + server) * 1000 / requests,
        )
    )


def main() -> None:
    args = parse_args()
    urls = [resolve_database_url(url) for url in (args.database_url or [None])]
    targets = [open_target(url) for url in urls]
    kinds = list(targets[0].paths)
    if args.only:
        words = args.only.split(",")
        kinds = [kind for kind in kinds if any(word in kind for word in words)]
    for target in targets:
        print(f"database: {describe_url(target.url)}  products: {target.products}")
        for kind in kinds:
            for _ in range(3):  # warm-up
                assert target.client.get(target.paths[kind]).status_code == 200
    for _ in range(args.rounds):
        for kind in kinds:
            for target in targets:
                time_page(target, kind, args.requests)
    print(f"{args.rounds} rounds of {args.requests} renders per page; medians over the rounds")
    report(targets, kinds)
    if args.explain:
        for kind in kinds:
            explain(targets[-1].engine, targets[-1].client, targets[-1].paths[kind])


def report(targets: list[Target], kinds: list[str]) -> None:
    sizes = [f"{target.products // 1000}k" for target in targets]
    header = "".join(f" {size + ' ms':>9} {'SQL':>6} {'CPU':>6} {'CPU+DB':>6}" for size in sizes)
    ratio = f" {'ratio':>6} {'range':>11} {'by CPU+DB':>11}" if len(targets) == 2 else ""
    print(f"{'page':<32}{header}{ratio} queries")
    for kind in kinds:
        line = f"{kind:<32}"
        for target in targets:
            columns = list(zip(*target.rounds[kind], strict=True))
            line += "".join(
                f" {statistics.median(values):{width}.1f}"
                for values, width in zip(columns, (9, 6, 6, 6), strict=True)
            )
        if len(targets) == 2:
            small, large = (target.rounds[kind] for target in targets)
            for column in (0, 3):  # wall time, CPU+DB
                ratios = [
                    big[column] / little[column] for little, big in zip(small, large, strict=True)
                ]
                line += f" {statistics.median(ratios):6.2f} {min(ratios):4.2f}-{max(ratios):<4.2f}"
        queries = "/".join(str(target.queries[kind]) for target in targets)
        print(f"{line} {queries}", flush=True)
    for target in targets:
        deep = next(path for kind, path in target.paths.items() if "page 200" in kind)
        word = target.paths["search commonest word"]
        print(f"  {target.products // 1000}k: deep page {deep}, commonest word {word}")


def explain(engine, client, path: str) -> None:
    with recording_sql(engine) as sql:
        client.get(path)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for number, statement in enumerate(sql.statements, 1):
            if "products" not in statement.sql and "product_search" not in statement.sql:
                continue
            print(
                f"\n  -- {path} statement {number}\n  {statement.sql}\n  -- {statement.parameters}"
            )
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.parameters)
            for (line,) in cursor.fetchall():
                print("    " + line)
        raw.rollback()
    finally:
        raw.close()
    print()


if __name__ == "__main__":
    main()
