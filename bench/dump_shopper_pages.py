"""Write the shopper's pages for the data in a database to files, so that two versions of
the code can be compared byte for byte (`diff -r`): the cart and the checkout page for carts
of 1, 2, 5 and 12 variants, the checkout's "Update summary" for three provinces (one empty),
and the page of each of the last 20 orders, in Indonesian and English.

    cd bench && ../.venv/bin/python dump_shopper_pages.py \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_checkout --out /tmp/pages-a

It only reads (CSRF is off, so a POST of "Update summary" writes nothing); CSRF tokens are
replaced by TOKEN. A database from checkout.py has paid orders only; `flask seed-demo`
gives pending, shipped and completed ones with reviews.
"""

import argparse
import re
from pathlib import Path

from checkout import ADDRESS, DEFAULT_DATABASE_URL
from common import make_app
from sqlalchemy import text

LONG_TOKEN = re.compile(r'value="[A-Za-z0-9._-]{40,}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = make_app(
        args.database_url, SECRET_KEY="dump-pages-" + "x" * 40, WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False, PAGE_CACHE_ENABLED=False,
    )  # fmt: skip
    with app.app_context():
        from shop.extensions import db

        orders = db.session.execute(
            text("SELECT number, status FROM orders ORDER BY id DESC LIMIT 20")
        ).all()
        variants = db.session.scalars(
            text("SELECT id FROM product_variants ORDER BY id LIMIT 12")
        ).all()
    for language in ("id", "en"):
        client = app.test_client()
        client.get(f"/bahasa/{language}")
        with client.session_transaction() as session:
            session["order_numbers"] = [number for number, _status in orders]
        for number, status in orders:
            write(
                args.out / f"order-{language}-{number}-{status}.html",
                client.get(f"/pesanan/{number}"),
            )
        for count in (1, 2, 5, 12):
            with client.session_transaction() as session:
                session["cart"] = [[vid, 1 + i % 3] for i, vid in enumerate(variants[:count])]
            write(args.out / f"cart-{language}-{count}.html", client.get("/keranjang"))
            write(args.out / f"checkout-{language}-{count}.html", client.get("/checkout"))
            for province in ("DI Yogyakarta", "Papua", ""):
                data = ADDRESS | {"contact_email": "s@x.test", "province": province, "update": "1"}
                name = f"checkout-update-{language}-{count}-{province or 'none'}.html"
                write(args.out / name, client.post("/checkout", data=data))
    print(f"{len(list(args.out.iterdir()))} pages in {args.out}")


def write(path: Path, response) -> None:
    path.write_text(LONG_TOKEN.sub('value="TOKEN"', response.get_data(as_text=True)))


if __name__ == "__main__":
    main()
