"""What a product page shows, read as plain data in three statements of only the columns it
shows: the product with its cooperative, member and category (and the category's parent);
four more of the same member as cards; the variants and photos of all five.

The page used to load ORM objects (product, member, user, cooperative, categories, variants,
images) through six statements: the identity map, attribute instrumentation and statement
compilation were a third of the page's CPU, more than its SQL. As in cards.py, the
statements are plain SQL run by the driver, and rows become small frozen objects whose
attribute names are the models' own, so the page's helpers (structured data, share image,
reviews, picture sources) read them as they read the models.
"""

import re
from dataclasses import dataclass
from datetime import date

from shop.catalog.cards import Card, CardCooperative, CardImage, CardVariant
from shop.catalog.models import pirt_is_current
from shop.extensions import db


@dataclass(frozen=True, slots=True)
class PageCategory:
    slug: str
    name_id: str
    name_en: str
    parent: "PageCategory | None"

    def name_in(self, language: str) -> str:
        """As Category.name_in."""
        return self.name_en if language == "en" else self.name_id


@dataclass(frozen=True, slots=True)
class PageCooperative:
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class PageMember:
    member_number: str
    business_name: str
    whatsapp: str
    user_name: str

    @property
    def display_name(self) -> str:
        """As Membership.display_name."""
        return self.business_name or self.user_name


@dataclass(frozen=True, slots=True)
class PageVariant:
    id: int
    option_label: str
    price: int
    stock: int


@dataclass(frozen=True, slots=True)
class PageProduct:
    id: int
    member_id: int
    name: str
    slug: str
    description: str
    weight_grams: int
    pre_order_days: int
    pirt_number: str
    pirt_expires_on: date | None
    halal_number: str
    bpom_number: str
    sold_count: int
    rating_count: int
    rating_sum: int
    cooperative: PageCooperative
    member: PageMember
    category: PageCategory
    variants: list[PageVariant]  # on offer (not archived), in their order
    images: list[CardImage]  # in their order

    @property
    def rating_average(self) -> float:
        """As Product.rating_average."""
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else 0.0

    @property
    def is_pirt_current(self) -> bool:
        """As Product.is_pirt_current."""
        return pirt_is_current(self.pirt_number, self.pirt_expires_on)


@dataclass(frozen=True)
class ProductPage:
    product: PageProduct
    related: list[Card]  # more from the same member


# The product on sale with its cooperative (active), member, the member's user (the name
# a member without a business name shows) and category, with the category's parent.
_PRODUCT_SQL = (
    "SELECT p.id, p.member_id, p.name, p.slug, p.description, p.weight_grams,"
    " p.pre_order_days, p.pirt_number, p.pirt_expires_on, p.halal_number, p.bpom_number,"
    " p.sold_count, p.rating_count, p.rating_sum, c.slug, c.name,"
    " m.member_number, m.business_name, m.whatsapp, u.name,"
    " k.slug, k.name_id, k.name_en, t.slug, t.name_id, t.name_en"
    " FROM products p"
    " JOIN cooperatives c ON c.id = p.cooperative_id"
    " JOIN memberships m ON m.id = p.member_id"
    " JOIN users u ON u.id = m.user_id"
    " JOIN categories k ON k.id = p.category_id"
    " LEFT JOIN categories t ON t.id = k.parent_id"
    " WHERE p.slug = :slug AND p.status = 'active' AND c.is_active = true"  # as on_sale()
)
# The member's other products on sale, newest first: of the same cooperative as the product
# (the database holds a product's member and cooperative together), which is active.
_RELATED_SQL = (
    "SELECT id, name, slug, rating_count, rating_sum, rating_average_centi, sold_count"
    " FROM products WHERE member_id = :member_id AND id <> :product_id"
    " AND status = 'active' ORDER BY created_at DESC, id DESC LIMIT 4"  # four cards
)
# Photos and variants of the product and its related cards in one statement: the columns
# each needs, side by side (photos first, so that no column starts as an untyped NULL).
_IMAGE, _VARIANT = 0, 1  # the first column of each row
_PARTS_SQL = (
    "SELECT 0, product_id, position, id, file_path, rendition_key, width, height,"
    " alt_text FROM product_images WHERE product_id {ids}"
    " UNION ALL SELECT 1, product_id, position, id, option_label, NULL, price,"
    " stock, NULL FROM product_variants WHERE product_id {ids} AND is_archived = false"
    " ORDER BY 3, 4"  # position, as Product.images and Product.variants
)


def product_page(slug: str) -> ProductPage | None:
    """A product on sale with everything its page shows, or None (unknown, not on sale)."""
    row = _execute(_PRODUCT_SQL, {"slug": slug}).first()
    if row is None:
        return None
    related = _execute(_RELATED_SQL, {"member_id": row[1], "product_id": row[0]}).all()
    ids = [row[0], *(card[0] for card in related)]
    images: dict[int, list[CardImage]] = {id_: [] for id_ in ids}
    variants: dict[int, list] = {id_: [] for id_ in ids}
    for kind, product_id, _position, *columns in _execute_for_ids(_PARTS_SQL, ids):
        if kind == _IMAGE:
            images[product_id].append(CardImage(*columns))
        else:
            id_, label, _key, price, stock, _alt = columns
            variants[product_id].append((id_, label, price, stock))
    product = _product(row, variants[row[0]], images[row[0]])
    cooperative = CardCooperative(product.cooperative.name)
    cards = [
        Card(
            *card,
            cooperative,
            [CardVariant(price, stock) for _id, _label, price, stock in variants[card[0]]],
            images[card[0]],
        )
        for card in related
    ]
    return ProductPage(product=product, related=cards)


def _product(row, variants: list[tuple], images: list[CardImage]) -> PageProduct:
    (id_, member_id, name, slug, description, weight_grams, pre_order_days, pirt_number,
     pirt_expires_on, halal_number, bpom_number, sold_count, rating_count, rating_sum,
     coop_slug, coop_name, member_number, business_name, whatsapp, user_name,
     category_slug, category_name_id, category_name_en,
     parent_slug, parent_name_id, parent_name_en) = row  # fmt: skip
    parent = (
        PageCategory(parent_slug, parent_name_id, parent_name_en, None)
        if parent_slug is not None
        else None
    )
    return PageProduct(
        id=id_,
        member_id=member_id,
        name=name,
        slug=slug,
        description=description,
        weight_grams=weight_grams,
        pre_order_days=pre_order_days,
        pirt_number=pirt_number,
        pirt_expires_on=_as_date(pirt_expires_on),
        halal_number=halal_number,
        bpom_number=bpom_number,
        sold_count=sold_count,
        rating_count=rating_count,
        rating_sum=rating_sum,
        cooperative=PageCooperative(coop_slug, coop_name),
        member=PageMember(member_number, business_name, whatsapp, user_name),
        category=PageCategory(category_slug, category_name_id, category_name_en, parent),
        variants=[PageVariant(*variant) for variant in variants],
        images=images,
    )


def _as_date(value) -> date | None:
    # The driver's own value: a date from PostgreSQL, ISO text from SQLite.
    return date.fromisoformat(value) if isinstance(value, str) else value


_NAMED = re.compile(r":(\w+)")
_driver_sql: dict[tuple[str, str], str] = {}


def _execute(sql: str, parameters: dict):
    """Plain SQL with :name parameters, run by the driver without SQLAlchemy's compilation
    (psycopg wants %(name)s; sqlite3 takes :name as it is)."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    key = (sql, dialect)
    if key not in _driver_sql:
        _driver_sql[key] = _NAMED.sub(r"%(\1)s", sql) if dialect == "postgresql" else sql
    return connection.exec_driver_sql(_driver_sql[key], parameters)


def _execute_for_ids(sql: str, ids: list[int]):
    """sql with "product_id {ids}": "= ANY(...)" of one array on PostgreSQL (the same text
    every time, so psycopg prepares it), "IN (...)" on SQLite."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql(sql.format(ids="= ANY(%(ids)s)"), {"ids": ids})
    placeholders = f"IN ({', '.join('?' * len(ids))})"
    return connection.exec_driver_sql(sql.format(ids=placeholders), tuple(ids) * sql.count("{ids}"))
