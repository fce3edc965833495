"""Snapshots of storefront pages, to show that a speed change leaves their HTML and headers
byte-identical for the same data.

    .venv/bin/python bench/page_snapshots.py --database-url postgresql://.../mine_10k \
        --out bench/results/snapshots-before
    (change the code)
    .venv/bin/python bench/page_snapshots.py --database-url postgresql://.../mine_10k \
        --out bench/results/snapshots-after --compare bench/results/snapshots-before

Each page is requested through Flask's test client (page cache off) by four visitors: anonymous
without a cookie, anonymous with English chosen (a session cookie), and a signed-in member in
each language. Signing in writes a session row, so point it at a database of your own (a copy
of a bench database, or the demo data, whose reviews show on product pages). The pages: home,
a category, `--products` product pages (a spread of the catalog, and every product with a
review, up to as many again), cooperative and member pages, a search, the cart and the
sign-in page. What differs on every request is blanked: form tokens (a new anonymous token
each page) and the session cookie's value. `--compare` prints the first difference of each
page that differs and exits 1 if any does.
"""

import argparse
import difflib
import re
import sys
from pathlib import Path

from common import make_app, resolve_database_url

TOKEN = re.compile(rb'(name="csrf_token"(?: type="hidden")? value=")[^"]*(")')
META_TOKEN = re.compile(rb'(<meta name="csrf-token" content=")[^"]*(")')
COOKIE_VALUE = re.compile(r"^([^=]+)=[^;]*")
VISITORS = ("anonymous-id", "anonymous-en", "member-id", "member-en")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the app's SQLite")
    parser.add_argument("--out", required=True, help="directory the snapshots are written to")
    parser.add_argument("--compare", help="directory of earlier snapshots to compare with")
    parser.add_argument("--products", type=int, default=40)
    parser.add_argument("--email", help="the member who signs in (default: one from the data)")
    parser.add_argument("--password", default="bench12345", help="bench/generate.py's")
    return parser.parse_args()


def page_paths(app, products: int) -> list[str]:
    from sqlalchemy import text

    from shop.extensions import db

    def column(sql: str, **values) -> list:
        return list(db.session.scalars(text(sql), values))

    with app.app_context():
        slugs = column(
            "SELECT slug FROM products WHERE status = 'active' ORDER BY id LIMIT :n",
            n=products // 2,
        )
        slugs += column(
            "SELECT slug FROM products WHERE status = 'active'"
            " ORDER BY rating_count DESC, sold_count DESC, id DESC LIMIT :n",
            n=products - products // 2,
        )
        coops = column("SELECT slug FROM cooperatives WHERE is_active = true ORDER BY id LIMIT 3")
        members = [
            f"/koperasi/{slug}/umkm/{number}"
            for slug, number in db.session.execute(
                text(
                    "SELECT c.slug, m.member_number FROM memberships m"
                    " JOIN cooperatives c ON c.id = m.cooperative_id"
                    " WHERE c.is_active = true ORDER BY m.id LIMIT 3"
                )
            )
        ]
        categories = column("SELECT slug FROM categories ORDER BY id LIMIT 2")
    paths = ["/", "/cari?q=kopi", "/keranjang", "/akun/masuk"]
    paths += [f"/kategori/{slug}" for slug in categories]
    paths += [f"/kategori/{categories[0]}?page=2&sort=price_asc"]
    paths += [f"/koperasi/{slug}" for slug in coops] + members
    paths += [f"/produk/{slug}" for slug in dict.fromkeys(slugs)]
    paths += ["/produk/no-such-product"]
    return paths


def member_email(app) -> str:
    from sqlalchemy import text

    from shop.extensions import db

    with app.app_context():
        return db.session.scalar(
            text(
                "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id"
                " WHERE u.is_active = true ORDER BY m.id LIMIT 1"
            )
        )


def visitor(app, name: str, email: str, password: str):
    client = app.test_client()
    if name.startswith("member"):
        page = client.get("/akun/masuk").get_data()
        token = TOKEN.search(page).group(0).split(b'value="')[1].rstrip(b'"').decode()
        response = client.post(
            "/akun/masuk", data={"email": email, "password": password, "csrf_token": token}
        )
        if response.status_code != 302:
            raise SystemExit(f"signing in as {email} failed: HTTP {response.status_code}")
        client.get("/")  # shows and so clears the "signed in" flash
    if name.endswith("-en"):
        client.get("/bahasa/en")
        client.get("/")  # the same for a flash, if any
    return client


def snapshot(client, path: str) -> bytes:
    response = client.get(path)
    headers = []
    for name, value in sorted(response.headers.items()):
        if name == "Set-Cookie":
            value = COOKIE_VALUE.sub(r"\1=...", value)
        if name not in ("Date", "Content-Length"):
            headers.append(f"{name}: {value}")
    body = META_TOKEN.sub(rb"\1TOKEN\2", TOKEN.sub(rb"\1TOKEN\2", response.get_data()))
    head = f"{response.status_code}\n" + "\n".join(headers) + "\n\n"
    return head.encode() + body


def file_name(visitor_name: str, path: str) -> str:
    return visitor_name + "_" + re.sub(r"[^A-Za-z0-9._-]", "_", path.strip("/") or "home")


def main() -> None:
    args = parse_args()
    database_url = resolve_database_url(args.database_url)
    app = make_app(database_url, PAGE_CACHE_SECONDS=0, RATELIMIT_ENABLED=False)
    email = args.email or member_email(app)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    paths = page_paths(app, args.products)
    for name in VISITORS:
        client = visitor(app, name, email, args.password)
        for path in paths:
            (out / file_name(name, path)).write_bytes(snapshot(client, path))
    print(f"{len(paths)} pages x {len(VISITORS)} visitors written to {out}")
    if args.compare:
        sys.exit(compare(Path(args.compare), out))


def compare(before: Path, after: Path) -> int:
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differing = 0
    for name in names:
        old, new = before / name, after / name
        if not old.exists() or not new.exists():
            print(f"only in {'after' if new.exists() else 'before'}: {name}")
            differing += 1
            continue
        if old.read_bytes() == new.read_bytes():
            continue
        differing += 1
        diff = difflib.unified_diff(
            old.read_text().splitlines(), new.read_text().splitlines(), lineterm="", n=1
        )
        print(f"--- {name}\n" + "\n".join(list(diff)[2:12]))
    print(f"{len(names) - differing} of {len(names)} identical")
    return 1 if differing else 0


if __name__ == "__main__":
    main()
