"""Search latency at 100,000 products, and the query plans behind it.

    .venv/bin/python bench/search.py \
        --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_100k

Runs --queries searches through shop.search.services.search_products (the service the
/cari page calls: a COUNT, a page of 24 cards, their variants and images), with terms drawn
from the generator's word lists: whole words, prefixes (a shopper still typing), two words,
and words with filters and sorts. Reports p50/p95/p99 per kind and overall. Then EXPLAINs
every statement those searches ran (plain EXPLAIN; ANALYZE, BUFFERS for one typical search,
printed in full) and says whether any plan has a sequential scan of the products table.
Generate the data first (bench/generate.py --products 100000); it rebuilds the index.
"""

import argparse
import random
import re
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field

from common import (
    RESULTS_DIR,
    CapturedStatement,
    describe_url,
    make_app,
    percentile,
    recording_sql,
    resolve_database_url,
)
from words import BUSINESS_PREFIXES, QUALIFIERS

RANDOM_SEED = 7
TYPICAL_QUERY = "keripik pedas"
SEQ_SCAN_ON_PRODUCTS = re.compile(r"Seq Scan on products\b|SCAN products\b")
# Not the criterion, but the index table scanned whole is the same cost in disguise.
SEQ_SCAN_ON_INDEX = re.compile(r"Seq Scan on product_search\b|SCAN product_search\b")


@dataclass(frozen=True)
class Search:
    kind: str
    params: object  # shop.search.services.SearchParams

    def describe(self) -> str:
        fields = {k: v for k, v in vars(self.params).items() if v not in (None, False, "", 1)}
        return ", ".join(f"{k}={v}" for k, v in fields.items())


@dataclass
class Timing:
    search: Search
    seconds: float
    queries: int
    total: int  # matching products
    statements: list[CapturedStatement]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the app's SQLite")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="times the same searches run")
    parser.add_argument("--warmup", type=int, default=20)
    return parser.parse_args()


def vocabulary() -> tuple[list[str], list[str]]:
    """(words worth searching for, two-word phrases), from the same lists the generator
    builds names from, so every term matches something and phrases match real names."""

    from shop.demo.data import PRODUCT_TEMPLATES

    words, phrases = set(), set()
    names = [base for t in PRODUCT_TEMPLATES for base in t.bases]
    names += [variety for t in PRODUCT_TEMPLATES for variety in t.varieties]
    names += [*QUALIFIERS, *BUSINESS_PREFIXES]
    for name in names:
        parts = [w for w in re.findall(r"[^\W_]+", name.lower()) if len(w) >= 3]
        words.update(parts)
        phrases.update(f"{a} {b}" for a, b in zip(parts, parts[1:], strict=False))
    return sorted(words), sorted(phrases)


def plan_searches(count: int, category_slugs: list[str], coop_slugs: list[str]) -> list[Search]:
    """A fixed mix: a quarter each of one word, a prefix of 3-4 letters, two words, and one
    word with one or two filters and a sort."""
    rng = random.Random(RANDOM_SEED)
    words, phrases = vocabulary()
    long_words = [word for word in words if len(word) >= 5]
    searches = []
    for number in range(count):
        kind = ("word", "prefix", "two words", "word + filters")[number % 4]
        if kind == "prefix":
            q = rng.choice(long_words)[: rng.randint(3, 4)]
        elif kind == "two words":
            q = rng.choice(phrases)
        else:
            q = rng.choice(words)
        params = (
            _with_filters(rng, q, category_slugs, coop_slugs) if kind == "word + filters" else None
        )
        searches.append(Search(kind, params or _params(q=q)))
    return searches


def _params(**fields):
    from shop.search.services import SearchParams

    return SearchParams(**fields)


def _with_filters(rng: random.Random, q: str, category_slugs: list[str], coop_slugs: list[str]):
    from shop.search.sorts import SORTS

    choices = {
        "category": lambda: {"category": rng.choice(category_slugs)},
        "cooperative": lambda: {"cooperative": rng.choice(coop_slugs)},
        "price": lambda: {"min_price": rng.choice([None, 10_000]), "max_price": 150_000},
        "in_stock": lambda: {"in_stock": True},
    }
    fields = {"q": q, "sort": rng.choice(sorted(SORTS)), "page": rng.choice([1, 1, 1, 2])}
    for name in rng.sample(sorted(choices), rng.randint(1, 2)):
        fields.update(choices[name]())
    return _params(**fields)


def run_search(engine, search: Search) -> Timing:
    from shop.extensions import db
    from shop.search.services import search_products

    db.session.remove()  # a fresh session, as each request gets: no identity map carried over
    with recording_sql(engine) as sql:
        started = time.perf_counter()
        page = search_products(search.params)
        elapsed = time.perf_counter() - started
    return Timing(search, elapsed, sql.count, page.total, list(sql.statements))


def print_round(round_: int, timings: list[Timing]) -> None:
    ms = [t.seconds * 1000 for t in timings]
    print(
        f"round {round_}: p50 {percentile(ms, 0.5):.2f} ms, p95 {percentile(ms, 0.95):.2f} ms,"
        f" p99 {percentile(ms, 0.99):.2f} ms over {len(ms)} searches"
    )


def print_latencies(timings: list[Timing]) -> None:
    by_kind: dict[str, list[Timing]] = defaultdict(list)
    for timing in timings:
        by_kind[timing.search.kind].append(timing)
    print("\nall rounds together")
    print(f"{'kind':<16} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  matches")
    for kind, group in [*by_kind.items(), ("all", timings)]:
        ms = [t.seconds * 1000 for t in group]
        matches = statistics.median(t.total for t in group)
        print(
            f"{kind:<16} {len(group):4d} {percentile(ms, 0.5):8.2f} {percentile(ms, 0.95):8.2f}"
            f" {percentile(ms, 0.99):8.2f} {max(ms):8.2f}  median {matches:.0f}"
        )
    print(f"queries per search: {sorted(set(t.queries for t in timings))}")
    print("\nslowest searches:")
    for timing in sorted(timings, key=lambda t: -t.seconds)[:5]:
        milliseconds = timing.seconds * 1000
        print(f"  {milliseconds:8.2f} ms  {timing.total:6d} matches  {timing.search.describe()}")


def explain(connection, statement: CapturedStatement, analyze: bool) -> str:
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement.sql, statement.parameters
        )
        return "\n".join(row[-1] for row in rows)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    rows = connection.exec_driver_sql(prefix + statement.sql, statement.parameters)
    return "\n".join(row[0] for row in rows)


@dataclass
class PlanCheck:
    statements: int = 0
    scanning_products: list[tuple[Timing, str]] = field(default_factory=list)
    scanning_index: list[tuple[Timing, str]] = field(default_factory=list)


def check_plans(engine, timings: list[Timing]) -> PlanCheck:
    """EXPLAIN (no ANALYZE) every statement the searches ran: which scan a table whole."""
    check = PlanCheck()
    with engine.connect() as connection:
        for timing in timings:
            for statement in timing.statements:
                plan = explain(connection, statement, analyze=False)
                check.statements += 1
                if SEQ_SCAN_ON_PRODUCTS.search(plan):
                    check.scanning_products.append((timing, plan))
                if SEQ_SCAN_ON_INDEX.search(plan):
                    check.scanning_index.append((timing, plan))
    return check


def print_plan_check(check: PlanCheck, searches: int) -> None:
    print(f"\nplans checked: {check.statements} statements of {searches} searches")
    if check.scanning_products:
        print(f"SEQUENTIAL SCAN OF products in {len(check.scanning_products)} statements, e.g.:")
        for timing, plan in check.scanning_products[:3]:
            print(f"\n  search: {timing.search.describe()}\n{plan}")
    else:
        print("no sequential scan of products in any plan")
    scanned = sorted({timing.search.describe() for timing, _ in check.scanning_index})
    print(f"sequential scans of the search index (product_search): {len(scanned)} searches")
    for described in scanned[:10]:
        print(f"  {described}")


def print_typical_plan(engine) -> str:
    from shop.search.services import SearchParams

    typical = run_search(engine, Search("typical", SearchParams(q=TYPICAL_QUERY)))
    lines = [f"EXPLAIN (ANALYZE, BUFFERS) of each statement of the search q={TYPICAL_QUERY!r}:"]
    with engine.connect() as connection:
        for number, statement in enumerate(typical.statements, 1):
            lines.append(
                f"\n-- statement {number}\n{statement.sql}\n-- parameters: {statement.parameters}"
            )
            lines.append(explain(connection, statement, analyze=True))
    text = "\n".join(lines)
    print("\n" + text)
    return text


def filter_values() -> tuple[list[str], list[str]]:
    """Category and cooperative slugs to filter by; prints the catalog's size."""
    from sqlalchemy import func, select

    from shop.catalog.models import Category, Product
    from shop.coops.models import Cooperative
    from shop.extensions import db

    products = db.session.scalar(select(func.count()).select_from(Product))
    print(f"products: {products}")
    categories = list(db.session.scalars(select(Category.slug)))
    return categories, list(db.session.scalars(select(Cooperative.slug)))


def main() -> None:
    args = parse_args()
    url = resolve_database_url(args.database_url)
    try:
        import shop.search.services  # noqa: F401
    except ImportError:
        raise SystemExit("shop/search/services.py is not there yet: nothing to measure.") from None
    app = make_app(url, PAGE_CACHE_SECONDS=0)
    print(f"database: {describe_url(url)}")
    with app.app_context():
        from shop.extensions import db

        engine = db.engine
        categories, coops = filter_values()
        searches = plan_searches(args.queries, categories, coops)
        for search in plan_searches(args.warmup, categories, coops):
            run_search(engine, search)
        timings = []
        for round_ in range(1, args.rounds + 1):
            this_round = [run_search(engine, search) for search in searches]
            print_round(round_, this_round)
            timings += this_round
        print_latencies(timings)
        plan_text = print_typical_plan(engine)
        first_round = timings[: len(searches)]  # the later rounds repeat the same statements
        check = check_plans(engine, first_round)
    print_plan_check(check, len(first_round))
    dialect = "postgresql" if url.startswith("postgres") else "sqlite"
    (RESULTS_DIR / f"search-explain-{dialect}.txt").write_text(plan_text)


if __name__ == "__main__":
    main()
