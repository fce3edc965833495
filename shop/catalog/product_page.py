"""What a product page shows, read as plain data in two statements of only the columns it
shows: the product with its cooperative, member and category (and the category's parent);
then four more of the same member as cards, with the variants and photos of all five.

The page used to load ORM objects (product, member, user, cooperative, categories, variants,
images) through six statements: the identity map, attribute instrumentation and statement
compilation were a third of the page's CPU, more than its SQL (and each statement costs
about 0.1 ms of CPU in the driver and the result's set-up, however few its rows). As in
cards.py, the statements are plain SQL run on the driver's cursor (shop/plain_sql.py), and
rows become small frozen objects whose attribute names are the models' own, so the page's
helpers (structured data, share image, reviews, picture sources) read them as they read the
models.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from shop.catalog.cards import Card, CardCooperative, CardImage, CardVariant
from shop.catalog.models import pirt_is_current
from shop.plain_sql import rows


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
# The rest of the page in one statement: the member's four other products on sale, newest
# first, as cards (of the same cooperative as the product: the database holds a product's
# member and cooperative together), and the photos and variants of the product and of them;
# each kind of row with the columns it needs side by side (PostgreSQL types each column from
# the first branch: photos, with the cards' integers typed). Rows are (kind, product id,
# place, id, 7 columns of the kind).
_IMAGE, _VARIANT, _CARD = 0, 1, 2  # the first column of each row
_REST_SQL = (
    "WITH related AS ("
    " SELECT id, name, slug, rating_count, rating_sum, rating_average_centi, sold_count,"
    " ROW_NUMBER() OVER (ORDER BY created_at DESC, id DESC) AS place"
    " FROM products WHERE member_id = :member_id AND id <> :product_id"
    " AND status = 'active' ORDER BY created_at DESC, id DESC LIMIT 4),"
    " shown AS (SELECT CAST(:product_id AS INTEGER) AS id UNION ALL SELECT id FROM related)"
    " SELECT 0, product_id, position, id, file_path, rendition_key, width, height, alt_text,"
    " CAST(NULL AS INTEGER), CAST(NULL AS INTEGER)"
    " FROM product_images WHERE product_id IN (SELECT id FROM shown)"
    " UNION ALL SELECT 1, product_id, position, id, option_label, NULL, price, stock, NULL,"
    " NULL, NULL FROM product_variants"
    " WHERE product_id IN (SELECT id FROM shown) AND is_archived = false"
    " UNION ALL SELECT 2, id, place, id, name, slug, rating_count, rating_sum, NULL,"
    " rating_average_centi, sold_count FROM related"
    " ORDER BY 3, 4"  # place: position, as Product.images and Product.variants; newest card
)


def product_page(slug: str) -> ProductPage | None:
    """A product on sale with everything its page shows, or None (unknown, not on sale)."""
    found = rows(_PRODUCT_SQL, {"slug": slug})
    if not found:
        return None
    row = found[0]
    product_id = row[0]
    related, images, variants = [], defaultdict(list), defaultdict(list)
    rest = rows(_REST_SQL, {"member_id": row[1], "product_id": product_id})
    for kind, of_product, _place, id_, text, key, number, other, alt, centi, sold in rest:
        if kind == _IMAGE:
            images[of_product].append(CardImage(id_, text, key, number, other, alt))
        elif kind == _VARIANT:
            variants[of_product].append(PageVariant(id_, text, number, other))
        elif kind == _CARD:  # name, slug, rating count and sum, average x 100, sold count
            related.append((id_, text, key, number, other, centi, sold))
    product = _product(row, variants[product_id], images[product_id])
    cooperative = CardCooperative(product.cooperative.name)
    cards = [
        Card(
            *card,
            cooperative,
            [CardVariant(variant.price, variant.stock) for variant in variants[card[0]]],
            images[card[0]],
        )
        for card in related
    ]
    return ProductPage(product=product, related=cards)


def _product(row, variants: list[PageVariant], images: list[CardImage]) -> PageProduct:
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
        variants=variants,
        images=images,
    )


def _as_date(value) -> date | None:
    # The driver's own value: a date from PostgreSQL, ISO text from SQLite.
    return date.fromisoformat(value) if isinstance(value, str) else value
