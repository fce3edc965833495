"""Where a storefront request spends its time: queries per page, SQL time, and a cProfile
of the category page rendered in-process (Flask's test client, no network).

    .venv/bin/python bench/profile_page.py --database-url sqlite:///bench/results/pasar_10k.db
    .venv/bin/python bench/profile_page.py --cache-hit    # the page-cache hit path instead

Three parts:
1. queries per request for each storefront page, to show the count does not grow with the
   catalog or the page number;
2. the category page timed without a profiler: milliseconds per request, of which in SQL
   (from the driver's execute to its return, fetching excluded);
3. the same under cProfile: self time grouped by layer (SQL driver, SQLAlchemy Core, ORM,
   Jinja, Babel, Flask and extensions, our code), then the top functions.
"""

import argparse
import cProfile
import pstats
import statistics
import time
from collections import defaultdict

from common import describe_url, make_app, recording_sql, resolve_database_url

# First matching fragment of a function's file path decides its layer; order matters.
LAYERS = (
    ("SQL driver + database", ("psycopg", "sqlite3", "_sqlite3")),
    ("SQLAlchemy ORM", ("sqlalchemy/orm",)),
    ("SQLAlchemy Core", ("sqlalchemy/",)),
    ("Jinja (templates)", ("jinja2/", "markupsafe", "templates/", ".html")),
    ("Babel / i18n", ("babel/", "flask_babel", "gettext", "pytz")),
    ("session + CSRF signing", ("flask_wtf", "itsdangerous", "flask/sessions", "hashlib", "hmac")),
    ("rate limiter (every request)", ("flask_limiter", "limits/")),
    ("page cache", ("flask_caching", "cachelib", "pickle", "shop/resp_client", "redis/")),
    ("Flask / Werkzeug", ("flask/", "werkzeug/", "flask_login")),
    ("our code (shop/)", ("/shop/",)),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the app's SQLite")
    parser.add_argument("--path", default="/kategori/kuliner")
    parser.add_argument("--requests", type=int, default=100, help="renders timed and profiled")
    parser.add_argument("--top", type=int, default=25, help="functions listed")
    parser.add_argument(
        "--cache-hit", action="store_true", help="profile the page served from the page cache"
    )
    parser.add_argument("--show-sql", action="store_true", help="print the page's statements")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time and profile with this process's CPU clock (steadier on a busy machine; "
        "SQL then counts the driver's own CPU only, not the wait for the database)",
    )
    return parser.parse_args()


def storefront_paths(app) -> dict[str, str]:
    """One real address per kind of storefront page, taken from the database."""
    from shop.catalog.listing import on_sale
    from shop.catalog.models import Product
    from shop.coops.models import Cooperative, Membership
    from shop.extensions import db

    with app.app_context():
        product = db.session.scalar(on_sale().order_by(Product.id).limit(1))
        coop = db.session.get(Cooperative, product.cooperative_id)
        member = db.session.get(Membership, product.member_id)
        return {
            "home": "/",
            "category (top)": "/kategori/kuliner",
            "category (top), page 40": "/kategori/kuliner?page=40",
            "category (sub)": "/kategori/batik",
            "cooperative": f"/koperasi/{coop.slug}",
            "member": f"/koperasi/{coop.slug}/umkm/{member.member_number}",
            "product": f"/produk/{product.slug}",
            "search": "/cari?q=keripik+pedas",
        }


def get(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")


def print_query_counts(app, client, engine) -> None:
    print("\nqueries per request (anonymous shopper, page cache off)")
    for name, path in storefront_paths(app).items():
        get(client, path)  # first render compiles the templates: not counted
        with recording_sql(engine) as sql:
            get(client, path)
        print(f"  {name:<26} {sql.count:3d} queries  {sql.seconds * 1000:7.2f} ms in SQL  {path}")


def time_renders(client, engine, path: str, count: int, clock=time.perf_counter) -> None:
    totals, sql_times, query_counts = [], [], []
    for _ in range(count):
        with recording_sql(engine, clock) as sql:
            started = clock()
            get(client, path)
            totals.append(clock() - started)
        sql_times.append(sql.seconds)
        query_counts.append(sql.count)
    total_ms = statistics.median(totals) * 1000
    sql_ms = statistics.median(sql_times) * 1000
    print(f"\n{path}: {count} requests without the profiler (median per request)")
    print(f"  total {total_ms:.2f} ms (min {min(totals) * 1000:.2f}, max {max(totals) * 1000:.2f})")
    outside = total_ms - sql_ms
    print(f"  in SQL execute {sql_ms:.2f} ms ({sql_ms / total_ms:.0%}), outside {outside:.2f} ms")
    print(f"  queries per request: {sorted(set(query_counts))}")


def layer_of(filename: str, function_name: str) -> str:
    path = filename.replace("\\", "/")
    if filename == "~":  # a builtin: its own name tells the driver apart
        path = function_name
    for layer, fragments in LAYERS:
        if any(fragment in path for fragment in fragments):
            return layer
    return "other (stdlib, builtins)"


def self_time_by_layer(stats: pstats.Stats) -> dict[str, float]:
    """Self time per layer. A builtin's time (str.replace, dict lookups...) goes to the layers
    of its callers, in proportion to what each caller spent in it, so that "builtins" does
    not swallow work that belongs to Jinja or the ORM."""
    layers: dict[str, float] = defaultdict(float)
    for (filename, _, name), (_, _, self_time, _, callers) in stats.stats.items():
        own_layer = layer_of(filename, name)
        if filename != "~" or own_layer != "other (stdlib, builtins)" or not callers:
            layers[own_layer] += self_time
            continue
        caller_total = sum(values[2] for values in callers.values()) or 1.0
        for (caller_file, _, caller_name), values in callers.items():
            layers[layer_of(caller_file, caller_name)] += self_time * values[2] / caller_total
    return layers


def profile_renders(client, path: str, count: int, top: int, clock=time.perf_counter) -> None:
    profiler = cProfile.Profile(clock)
    profiler.enable()
    for _ in range(count):
        get(client, path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    layers = self_time_by_layer(stats)
    total = sum(layers.values())
    print(f"\ncProfile, {count} requests: self time by layer (profiler overhead included)")
    for layer, seconds in sorted(layers.items(), key=lambda item: -item[1]):
        print(f"  {layer:<28} {seconds / count * 1000:7.2f} ms/request  {seconds / total:5.1%}")
    print(f"\ntop {top} functions by cumulative time")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"top {top} functions by self time")
    stats.sort_stats("tottime").print_stats(top)


def print_statements(client, engine, path: str) -> None:
    with recording_sql(engine) as sql:
        get(client, path)
    for number, statement in enumerate(sql.statements, 1):
        print(f"\n-- {number} ({statement.seconds * 1000:.2f} ms)\n{statement.sql}")
        print(f"-- parameters: {statement.parameters}")


def main() -> None:
    args = parse_args()
    url = resolve_database_url(args.database_url)
    cache_seconds = 60 if args.cache_hit else 0
    app = make_app(url, PAGE_CACHE_SECONDS=cache_seconds)
    print(f"database: {describe_url(url)}  page cache: {'on' if cache_seconds else 'off'}")
    # No cookie jar: like wrk, every request is a first-time visitor (new session, new CSRF
    # token), the common case for the page cache and the worst case for its per-hit work.
    client = app.test_client(use_cookies=False)
    with app.app_context():
        from shop.extensions import db

        engine = db.engine
    if not args.cache_hit:
        print_query_counts(app, client, engine)
    for _ in range(5):  # templates compiled, pools filled, page cached
        get(client, args.path)
    if args.show_sql:
        print_statements(client, engine, args.path)
    clock = time.process_time if args.cpu else time.perf_counter
    print(f"clock: {'CPU time of this process' if args.cpu else 'wall time'}")
    time_renders(client, engine, args.path, args.requests, clock)
    profile_renders(client, args.path, args.requests, args.top, clock)


if __name__ == "__main__":
    main()
