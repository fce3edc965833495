"""Product cards as plain data: what a card shows (shop/catalog/card_html.py writes it), read
in one query (products with their cooperative's name, variants, images) of only the columns a
card shows, as plain SQL.

Listings show 12 to 24 cards a page. Loading them as ORM objects (identity map, attribute
instrumentation, every column) was about a third of an uncached listing's time; these are
tuples turned into small objects. Their attribute names are the models' own, so the
card macros and picture_sources() read either.

Nothing writes to them, yet they are not frozen: a frozen dataclass's __init__ sets every
field through object.__setattr__, about seven times the cost of a plain one, and a listing
makes some 120 of them (cards, variants, photos) a request.
"""

from dataclasses import dataclass

from shop.extensions import db
from shop.plain_sql import rows


@dataclass(slots=True)
class CardCooperative:
    name: str


@dataclass(slots=True)
class CardVariant:
    price: int
    stock: int


@dataclass(slots=True)
class CardImage:
    id: int
    file_path: str
    rendition_key: str
    width: int
    height: int
    alt_text: str


@dataclass(slots=True)
class Card:
    id: int
    name: str
    slug: str
    rating_count: int
    rating_sum: int
    rating_average_centi: int
    sold_count: int
    cooperative: CardCooperative
    variants: list[CardVariant]
    images: list[CardImage]

    @property
    def rating_average(self) -> float:
        """As Product.rating_average."""
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else 0.0


# Products, variants and images in one round trip: the three were a listing's costliest
# statements to send and read back, for a few dozen rows. One shape for all three: kind,
# product id, position, then the columns of each (unused ones NULL; the products' row gives
# every column its type). As plain SQL: built, compiled and cache-keyed by SQLAlchemy it cost
# more than its execution (24 expanding IN parameters, three times). {ids} is "= ANY(:ids)"
# on PostgreSQL (one array parameter: the same text every time, so psycopg prepares it),
# sent as the array's text, '{1,2,3}' (psycopg's dumper of a Python list cost three times
# a text parameter); and "IN (:id0, ...)" on SQLite.
_CARDS_SQL = (
    "SELECT 0, products.id, 0, products.name, products.slug, products.rating_count,"
    " products.rating_sum, products.rating_average_centi, products.sold_count,"
    " cooperatives.name FROM products"
    " JOIN cooperatives ON cooperatives.id = products.cooperative_id WHERE products.id {ids}"
    " UNION ALL SELECT 1, product_id, position, NULL, NULL, price, stock, NULL, NULL, NULL"
    " FROM product_variants WHERE product_id {ids} AND is_archived = false"
    " UNION ALL SELECT 2, product_id, position, file_path, rendition_key, id, width, height,"
    " NULL, alt_text FROM product_images WHERE product_id {ids}"
    " ORDER BY 1, 3"  # variants and images in position order, as Product.variants, .images
)
_PRODUCT, _VARIANT, _IMAGE = 0, 1, 2


def load_cards(ids: list[int]) -> list[Card]:
    """Cards for these product ids, in the order given (unknown ids left out), in one query."""
    if not ids:
        return []
    variants: dict[int, list[CardVariant]] = {id_: [] for id_ in ids}
    images: dict[int, list[CardImage]] = {id_: [] for id_ in ids}
    by_id: dict[int, Card] = {}
    for kind, product_id, _position, a, b, c, d, e, f, g in _rows(_CARDS_SQL, ids):
        if kind == _VARIANT:
            variants[product_id].append(CardVariant(c, d))
        elif kind == _IMAGE:
            images[product_id].append(CardImage(c, a, b, d, e, g))
        else:
            by_id[product_id] = Card(
                product_id,
                a,
                b,
                c,
                d,
                e,
                f,
                CardCooperative(g),
                variants[product_id],
                images[product_id],
            )
    return [by_id[id_] for id_ in ids if id_ in by_id]


def _rows(sql: str, ids: list[int]) -> list[tuple]:
    """`sql` run with its {ids} as this product id list."""
    if db.session.connection().dialect.name == "postgresql":
        array = "{" + ",".join(map(str, ids)) + "}"
        return rows(sql.format(ids="= ANY(CAST(:ids AS integer[]))"), {"ids": array})
    names = [f"id{place}" for place in range(len(ids))]
    condition = f"IN ({', '.join(':' + name for name in names)})"
    return rows(sql.format(ids=condition), dict(zip(names, ids, strict=True)))
