"""Product cards as plain data: what templates/macros/products.html's product_card shows, read
in one query (products with their cooperative's name, variants, images) of only the columns a
card shows, as plain SQL.

Listings show 12 to 24 cards a page. Loading them as ORM objects (identity map, attribute
instrumentation, every column) was about a third of an uncached listing's time; these are
tuples turned into small frozen objects. Their attribute names are the models' own, so the
card macros and picture_sources() read either.
"""

from dataclasses import dataclass

from shop.extensions import db


@dataclass(frozen=True, slots=True)
class CardCooperative:
    name: str


@dataclass(frozen=True, slots=True)
class CardVariant:
    price: int
    stock: int


@dataclass(frozen=True, slots=True)
class CardImage:
    id: int
    file_path: str
    rendition_key: str
    width: int
    height: int
    alt_text: str


@dataclass(frozen=True, slots=True)
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


# The statements as plain SQL: built, compiled and cache-keyed by SQLAlchemy they cost more
# than their execution (24 expanding IN parameters each). {ids} is "= ANY(%(ids)s)" on
# PostgreSQL (one array parameter: the same text every time, so psycopg prepares it) and
# "IN (?, ...)" on SQLite. Column order as the dataclasses above.
_PRODUCTS_SQL = (
    "SELECT products.id, products.name, products.slug, products.rating_count,"
    " products.rating_sum, products.rating_average_centi, products.sold_count,"
    " cooperatives.name FROM products"
    " JOIN cooperatives ON cooperatives.id = products.cooperative_id WHERE products.id {ids}"
)


# Products, variants and images in one round trip: the three were a listing's costliest
# statements to send and read back, for a few dozen rows. One shape for all three: kind,
# product id, position, then the columns of each (unused ones NULL; the products' row gives
# every column its type).
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
    for kind, product_id, _position, a, b, c, d, e, f, g in _rows(_CARDS_SQL, ids, times=3):
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


def cards_with(
    ids: list[int],
    variants: dict[int, list[CardVariant]],
    images: dict[int, list[CardImage]],
) -> list[Card]:
    """Cards for these product ids whose variants and images are already read (the product
    page reads them with its own product's): one query."""
    if not ids:
        return []
    by_id = {
        id_: Card(
            id_,
            name,
            slug,
            count,
            total,
            centi,
            sold,
            CardCooperative(coop),
            variants.get(id_, []),
            images.get(id_, []),
        )
        for id_, name, slug, count, total, centi, sold, coop in _rows(_PRODUCTS_SQL, ids)
    }
    return [by_id[id_] for id_ in ids if id_ in by_id]


def _rows(sql: str, ids: list[int], times: int = 1):
    """`sql` run with its {ids} (`times` of them) as this product id list."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        condition, parameters = "= ANY(%(ids)s)", {"ids": list(ids)}
    else:
        condition, parameters = f"IN ({', '.join('?' * len(ids))})", tuple(ids) * times
    return connection.exec_driver_sql(sql.format(ids=condition), parameters)
