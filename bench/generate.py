"""Fill a database with a large synthetic catalog for the benchmarks.

    .venv/bin/python bench/generate.py --products 10000 --database-url sqlite:///bench/results/pasar_10k.db
    .venv/bin/python bench/generate.py --products 100000 \
        --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_100k --reset

Creates the schema as `flask db upgrade` does (the categories ship with the migration), then
adds cooperatives, members with their accounts, and products with 1-3 variants each. Rows
go in with SQLAlchemy Core executemany in batches and explicit ids, so 100,000 products take
seconds rather than the minutes the ORM would need. Product names combine the demo's
product templates (shop/demo/data.py) with the qualifiers below, so search terms hit
realistic numbers of products. A fixed random seed makes every run produce the same data.
"""

import argparse
import hashlib
import inspect
import random
import secrets
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import describe_url, make_app, resolve_database_url
from sqlalchemy import Table, func, insert, select, text
from words import (
    BUSINESS_PREFIXES,
    COOP_KINDS,
    COOP_NAMES,
    FIRST_NAMES,
    LAST_NAMES,
    QUALIFIERS,
    REGIONS,
)

RANDOM_SEED = 2026
BATCH_SIZE = 5_000
CATALOGUE_AGE_DAYS = 365

# (status, share): mostly on sale, the rest spread over the review states.
STATUS_SHARES = (
    ("active", 0.90),
    ("pending", 0.04),
    ("draft", 0.03),
    ("archived", 0.02),
    ("rejected", 0.01),
)
FEATURED_SHARE = 0.05


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--cooperatives", type=int, default=20)
    parser.add_argument("--members-per-coop", type=int, default=25)
    parser.add_argument(
        "--photos",
        action="store_true",
        help="give products photo rows (no files): cards then render <picture> with srcsets",
    )
    parser.add_argument(
        "--database-url", help="default: DATABASE_URL, else the app's own SQLite file"
    )
    parser.add_argument(
        "--reset", action="store_true", help="drop every table first (all data is lost)"
    )
    return parser.parse_args()


class Timer:
    """Prints how long each step took, and the total."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()

    def step(self, label: str) -> None:
        now = time.perf_counter()
        print(f"  {label:<42} {now - self.last:7.2f} s")
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started


def main() -> None:
    args = parse_args()
    url = resolve_database_url(args.database_url)
    print(f"database: {describe_url(url)}")
    app = make_app(url, PAGE_CACHE_SECONDS=0)
    with app.app_context():
        generate(args)


def generate(args: argparse.Namespace) -> None:
    from flask_migrate import upgrade

    from shop.extensions import db

    timer = Timer()
    if args.reset:
        drop_everything(db)
        timer.step("reset: every table dropped")
    upgrade()
    timer.step("schema (flask db upgrade)")
    refuse_non_empty(db)
    rng = random.Random(RANDOM_SEED)
    tables = db.metadata.tables
    coops = list(cooperative_rows(rng, args.cooperatives))
    users, members = people_rows(rng, coops, args.members_per_coop)
    insert_batches(db, tables["cooperatives"], coops)
    insert_batches(db, tables["users"], users)
    insert_batches(db, tables["memberships"], members)
    timer.step(f"{len(coops)} cooperatives, {len(members)} members")
    variant_count = insert_products(db, rng, members, args.products)
    timer.step(f"{args.products} products, {variant_count} variants")
    if args.photos:
        photo_count = insert_batches(
            db, db.metadata.tables["product_images"], photo_rows(args.products)
        )
        timer.step(f"{photo_count} photo rows")
    move_sequences_past_ids(db)
    db.session.commit()
    timer.step("sequences, commit")
    reindex_search(timer)
    analyze(db)
    timer.step("ANALYZE")
    print_counts(db)
    print(f"total: {timer.total():.1f} s")


def drop_everything(db) -> None:
    """--reset: every table goes, alembic_version included, so the upgrade that follows
    builds the schema the migrations describe now (a migration still being written may have
    changed since this database was made)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        return
    db.session.remove()
    db.engine.dispose()
    database_file = db.engine.url.database
    if database_file and database_file != ":memory:":
        Path(database_file).unlink(missing_ok=True)


def refuse_non_empty(db) -> None:
    populated = db.session.scalar(select(func.count()).select_from(db.metadata.tables["users"]))
    if populated:
        raise SystemExit(
            "The database already has data; use --reset to drop every table and generate "
            "again (everything in it is lost)."
        )


def insert_batches(db, table: Table, rows: Iterable[dict]) -> int:
    """executemany in batches, so memory stays flat and each round trip carries many rows."""
    batch: list[dict] = []
    inserted = 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            db.session.execute(insert(table), batch)
            inserted += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(table), batch)
        inserted += len(batch)
    return inserted


def _moment_in_past(rng: random.Random, now: datetime) -> datetime:
    return now - timedelta(seconds=rng.randint(3600, CATALOGUE_AGE_DAYS * 86400))


def _whatsapp(rng: random.Random) -> str:
    return f"628{rng.randint(11, 99)}{rng.randint(10_000_000, 99_999_999)}"


def cooperative_rows(rng: random.Random, count: int) -> Iterator[dict]:
    from shop.coops.services import slugify

    now = datetime.now(UTC)
    for number in range(1, count + 1):
        city, province = REGIONS[(number - 1) % len(REGIONS)]
        name = f"{rng.choice(COOP_KINDS)} {rng.choice(COOP_NAMES)} {city}"
        yield {
            "id": number,
            "name": name,
            "slug": f"{slugify(name)}-{number}",
            "registration_number": f"AHU-{rng.randint(1000, 9999)}.AH.01.26.TAHUN 2019",
            "city": city,
            "province": province,
            "address": f"Jl. Koperasi No. {number}, {city}",
            "phone": "",
            "whatsapp": _whatsapp(rng),
            "description": f"Koperasi anggota UMKM di {city}, {province}.",
            "logo_path": None,
            "fee_bp": rng.choice((300, 500, 750, 1000)),
            # One inactive cooperative, so the "active cooperative" join has rows to drop.
            "is_active": number != count or count == 1,
            "created_at": _moment_in_past(rng, now),
        }


def people_rows(
    rng: random.Random, coops: list[dict], per_coop: int
) -> tuple[list[dict], list[dict]]:
    """An account and a membership per member; the first member of each is its admin."""
    from werkzeug.security import generate_password_hash

    password_hash = generate_password_hash("bench12345")  # scrypt is slow: hash once
    now = datetime.now(UTC)
    users, members = [], []
    for coop in coops:
        for index in range(per_coop):
            number = len(users) + 1
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            users.append(_user_row(number, coop["id"], index, name, password_hash, now))
            members.append(_member_row(rng, number, coop, index, name, now))
    return users, members


def _user_row(number: int, coop_id: int, index: int, name: str, hash_: str, now) -> dict:
    return {
        "id": number,
        "email": f"bench.{coop_id}.{index + 1}@pasar.test",
        "name": name,
        "password_hash": hash_,
        "login_id": secrets.token_hex(16),
        "is_operator": False,
        "is_active": True,
        "created_at": now,
        "last_sign_in_at": None,
    }


def _member_row(rng: random.Random, number: int, coop: dict, index: int, name: str, now) -> dict:
    return {
        "id": number,
        "user_id": number,
        "cooperative_id": coop["id"],
        "role": "admin" if index == 0 else "member",
        "member_number": f"{index + 1:04d}",
        "business_name": f"{rng.choice(BUSINESS_PREFIXES)} {name.split()[0]}",
        "story": f"Usaha rumahan {name} di {coop['city']}.",
        "whatsapp": _whatsapp(rng),
        "bank_name": rng.choice(("BRI", "BNI", "Mandiri", "BCA", "BSI")),
        "bank_account_number": str(rng.randint(10**11, 10**12 - 1)),
        "bank_account_holder": name,
        "is_active": True,
        "joined_at": now,
    }


def insert_products(db, rng: random.Random, members: list[dict], count: int) -> int:
    """Products and their variants, batch by batch (a batch's variants after its products,
    for the foreign key). Returns the number of variants."""
    from shop.demo.data import PRODUCT_TEMPLATES

    category_ids = {
        slug: id_ for id_, slug in db.session.execute(text("SELECT id, slug FROM categories"))
    }
    templates = [(category_ids[t.category], t) for t in PRODUCT_TEMPLATES]
    products_table = db.metadata.tables["products"]
    variants_table = db.metadata.tables["product_variants"]
    now = datetime.now(UTC)
    variant_count = 0
    for first in range(1, count + 1, BATCH_SIZE):
        products, variants = [], []
        for product_id in range(first, min(first + BATCH_SIZE, count + 1)):
            category_id, template = rng.choice(templates)
            maker = rng.choice(members)
            products.append(_product_row(rng, product_id, category_id, template, maker, now))
            variants.extend(_variant_rows(rng, product_id, template, variant_count + len(variants)))
        db.session.execute(insert(products_table), products)
        db.session.execute(insert(variants_table), variants)
        variant_count += len(variants)
    return variant_count


def photo_rows(product_count: int) -> Iterator[dict]:
    """One photo per product, a second for every third, as the demo has. Only rows: the
    pages build the renditions' URLs from rendition_key and the size, without the files, and
    the benchmarks never fetch photos (page_weight.py leaves them out of the budget)."""
    image_id = 0
    for product_id in range(1, product_count + 1):
        for position in range(2 if product_id % 3 == 0 else 1):
            image_id += 1
            key = hashlib.sha256(f"{product_id}-{position}".encode()).hexdigest()[:20]
            yield {
                "id": image_id,
                "product_id": product_id,
                "file_path": f"products/{product_id}/{key}/original.jpg",
                "rendition_key": key,
                "alt_text": "",
                "width": 1600,  # a phone photo after upload: renditions at 160-1280 px
                "height": 1200,
                "position": position,
            }


def _product_name(rng: random.Random, template) -> str:
    name = f"{rng.choice(template.bases)} {rng.choice(template.varieties)}"
    if rng.random() < 0.5:
        name += f" {rng.choice(QUALIFIERS)}"
    return name


def _status(rng: random.Random) -> str:
    draw, total = rng.random(), 0.0
    for status, share in STATUS_SHARES:
        total += share
        if draw < total:
            return status
    return STATUS_SHARES[0][0]


def _product_row(rng, product_id: int, category_id: int, template, maker: dict, now) -> dict:
    from shop.coops.services import slugify

    name = _product_name(rng, template)
    listed_at = _moment_in_past(rng, now)
    return {
        "id": product_id,
        "cooperative_id": maker["cooperative_id"],
        "member_id": maker["id"],
        "category_id": category_id,
        "name": name,
        # The id keeps slugs unique without a lookup per product.
        "slug": f"{slugify(name)[:160]}-{product_id}",
        "description": f"{template.description}\n\nDibuat oleh {maker['business_name']}.",
        "status": _status(rng),
        "weight_grams": template.weight_grams,
        "pirt_number": "",
        "halal_number": "",
        "bpom_number": "",
        "is_featured": rng.random() < FEATURED_SHARE,
        # Most products sell a little, a few sell a lot (a long tail, like real shops).
        "sold_count": min(5000, int(rng.paretovariate(1.1)) - 1),
        "created_at": listed_at,
        "updated_at": listed_at,
    }


def _variant_rows(rng: random.Random, product_id: int, template, first_variant: int) -> list[dict]:
    base_price = rng.randint(*template.price_range)
    option_count = rng.randint(1, min(3, len(template.options)))
    rows = []
    for position, (label, percent) in enumerate(template.options[:option_count]):
        rows.append(
            {
                "id": first_variant + position + 1,
                "product_id": product_id,
                "sku": f"B-{product_id:06d}-{position + 1}",
                "option_label": label,
                "price": _round_price(base_price * percent // 100),
                "stock": 0 if rng.random() < 0.05 else rng.randint(1, 200),
                "weight_grams": max(1, template.weight_grams * percent // 100),
                "position": position,
            }
        )
    return rows


def _round_price(amount: int) -> int:
    step = 500 if amount < 100_000 else 1000
    return max(step, (amount + step // 2) // step * step)


def move_sequences_past_ids(db) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: the app's next insert would fail."""
    if db.engine.dialect.name != "postgresql":
        return
    tables = ("cooperatives", "users", "memberships", "products", "product_variants")
    for table in (*tables, "product_images"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        )


def analyze(db) -> None:
    """Planner statistics now, as autovacuum would soon do on PostgreSQL, so the benchmarks
    do not run on plans made for empty tables. SQLite is left as the app leaves it (nothing
    runs ANALYZE there), so it plans without statistics, as in a real deployment."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def reindex_search(timer: Timer) -> None:
    """Rebuild the search index with the search feature's own function, when it has one:
    our Core inserts bypass the ORM flush that keeps the index in step."""
    try:
        from shop.search import services
    except ImportError:
        print("  search reindex: shop/search/services.py not there yet; skipped")
        return
    function = _whole_index_function(services)
    if function is None:
        print("  search reindex: no argument-less reindex function in shop.search.services")
        return
    result = function()
    timer.step(f"search index: {function.__name__}() = {result}")


def _whole_index_function(module):
    """reindex_all() if present, else any reindex*/rebuild* function that takes no arguments
    (reindex_products(ids) and the like are for a few rows, not the whole catalog)."""
    names = ["reindex_all"] + sorted(n for n in dir(module) if n.startswith(("reindex", "rebuild")))
    for name in names:
        function = getattr(module, name, None)
        if callable(function) and _takes_no_arguments(function):
            return function
    return None


def _takes_no_arguments(function) -> bool:
    parameters = inspect.signature(function).parameters.values()
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters
    )


def print_counts(db) -> None:
    rows = db.session.execute(
        text(
            "SELECT (SELECT count(*) FROM cooperatives), (SELECT count(*) FROM users), "
            "(SELECT count(*) FROM products), "
            "(SELECT count(*) FROM products WHERE status = 'active'), "
            "(SELECT count(*) FROM products WHERE is_featured), "
            "(SELECT count(*) FROM product_variants), (SELECT count(*) FROM product_images)"
        )
    ).one()
    labels = ("cooperatives", "accounts", "products", "active", "featured", "variants", "photos")
    print(
        "counts: "
        + ", ".join(f"{label} {value}" for label, value in zip(labels, rows, strict=True))
    )


if __name__ == "__main__":
    main()
