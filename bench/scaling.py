"""Does a listing grow with the catalog? Each listing page timed in-process, and EXPLAIN
(ANALYZE, BUFFERS) of every statement it runs, on one database; run it on the 10,000- and
the 100,000-product databases and compare.

    .venv/bin/python bench/scaling.py --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_100k

Pages (page cache off, anonymous): home; the kuliner category, page 1 and page 200 (or its
last page, when it has fewer); a cooperative; a search for the commonest word of the index
(the word in most documents, from ts_stat); a search for "batik". For each: the median time
of the render (test client) and the time in SQL, then with --explain each statement's plan.
PostgreSQL only.
"""

import argparse
import statistics
import time

from common import describe_url, make_app, recording_sql, resolve_database_url
from sqlalchemy import text


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL")
    parser.add_argument("--requests", type=int, default=30, help="renders timed per page")
    parser.add_argument("--explain", action="store_true", help="print every statement's plan")
    return parser.parse_args()


def commonest_word(connection) -> str:
    return connection.scalar(
        text(
            "SELECT word FROM ts_stat('SELECT document FROM product_search WHERE is_on_sale')"
            " ORDER BY ndoc DESC, word LIMIT 1"
        )
    )


def listing_paths(connection) -> dict[str, str]:
    coop = connection.scalar(
        text("SELECT slug FROM cooperatives WHERE is_active ORDER BY id LIMIT 1")
    )
    on_sale_kuliner = connection.scalar(
        text(
            "SELECT count(*) FROM product_search s JOIN categories c ON c.id = s.category_id"
            " JOIN categories t ON t.id = c.parent_id WHERE t.slug = 'kuliner' AND s.is_on_sale"
        )
    )
    deep = min(200, max(1, -(-on_sale_kuliner // 24)))
    word = commonest_word(connection)
    return {
        "home": "/",
        "category page 1": "/kategori/kuliner",
        f"category page {deep}": f"/kategori/kuliner?page={deep}",
        "cooperative": f"/koperasi/{coop}",
        f"search commonest word ({word})": f"/cari?q={word}",
        "search batik": "/cari?q=batik",
    }


def main() -> None:
    args = parse_args()
    url = resolve_database_url(args.database_url)
    app = make_app(url, PAGE_CACHE_SECONDS=0)
    client = app.test_client(use_cookies=False)
    with app.app_context():
        from shop.extensions import db

        engine = db.engine
    with engine.connect() as connection:
        products = connection.scalar(text("SELECT count(*) FROM products"))
        paths = listing_paths(connection)
    print(f"database: {describe_url(url)}  products: {products}")
    print(f"{'page':<40} {'ms median':>10} {'SQL ms':>8} {'queries':>8}")
    for name, path in paths.items():
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        totals, sql_times = [], []
        for _ in range(args.requests):
            with recording_sql(engine) as sql:
                started = time.perf_counter()
                client.get(path)
                totals.append(time.perf_counter() - started)
            sql_times.append(sql.seconds)
            count = sql.count
        print(
            f"{name:<40} {statistics.median(totals) * 1000:10.1f}"
            f" {statistics.median(sql_times) * 1000:8.1f} {count:8d}",
            flush=True,
        )
        if args.explain:
            explain(engine, client, path)


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
