"""What the storefront pages show, each loaded in a fixed handful of queries.

Listings select product ids first and then load the cards for those ids (cards.py),
so a page costs the same number of queries with 1 product or 48. The category, cooperative
and member pages list their products through the search (shop/search/listing.py), with
its filters and sorts; this module finds what those pages are about.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Dialect, Select, bindparam, func, literal, select, union_all
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from shop.accounts.models import User
from shop.catalog.cards import Card, CardImage, CardVariant, cards_with
from shop.catalog.listing import cards, on_sale
from shop.catalog.models import Category, Product, ProductImage, ProductVariant
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.search.tables import search_rows

HOME_FEATURED = 8
HOME_NEWEST = 12
RELATED = 4


@dataclass(eq=False, slots=True)
class CategoryEntry:
    """A category as the storefront shows it (plain data, read with the cooperatives in one
    query): the attributes of Category that pages read, the parent set when arranged."""

    id: int
    parent_id: int | None
    slug: str
    name_id: str
    name_en: str
    position: int
    parent: "CategoryEntry | None" = None

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id


@dataclass(frozen=True, slots=True)
class CooperativeEntry:
    """An active cooperative as listings and their filters show it."""

    id: int
    slug: str
    name: str
    city: str
    province: str


@dataclass(frozen=True)
class CategoryTree:
    top: list[CategoryEntry]
    children: dict[int, list[CategoryEntry]]  # parent id -> subcategories in order


@dataclass(frozen=True)
class CatalogLists:
    categories: CategoryTree
    cooperatives: list[CooperativeEntry]  # active ones, by name


@dataclass(frozen=True)
class HomePage:
    categories: CategoryTree
    cooperatives: list[CooperativeEntry]
    featured: list[Card]
    newest: list[Card]


@dataclass(frozen=True)
class ProductPage:
    product: Product
    related: list[Card]  # more from the same member


# Every category and every active cooperative, one short UNION that every listing page
# reads: as plain SQL, since building and compiling it with SQLAlchemy (and making ORM
# objects of 40 rows) cost more than running it.
_LISTS_SQL = (
    "SELECT 'category', id, parent_id, slug, name_id, name_en, position, NULL, NULL"
    " FROM categories UNION ALL"
    " SELECT 'cooperative', id, NULL, slug, name, name, 0, city, province"
    " FROM cooperatives WHERE is_active = true"
)


def catalog_lists() -> CatalogLists:
    """Every category (as a tree) and every active cooperative, in one query."""
    categories, cooperatives = [], []
    for (
        kind,
        id_,
        parent_id,
        slug,
        name_id,
        name_en,
        position,
        city,
        province,
    ) in db.session.connection().exec_driver_sql(_LISTS_SQL):
        if kind == "category":
            categories.append(CategoryEntry(id_, parent_id, slug, name_id, name_en, position))
        else:
            cooperatives.append(CooperativeEntry(id_, slug, name_id, city, province))
    categories.sort(key=lambda category: (category.position, category.id))
    cooperatives.sort(key=lambda coop: coop.name)
    return CatalogLists(arrange_categories(categories), cooperatives)


def category_tree() -> CategoryTree:
    """Every category in one query, arranged as top level and children."""
    return catalog_lists().categories


def arrange_categories(categories: Iterable[CategoryEntry]) -> CategoryTree:
    """Categories in their order (position, id), as top level and children, each child
    knowing its parent."""
    categories = list(categories)
    by_id = {category.id: category for category in categories}
    children: dict[int, list[CategoryEntry]] = {}
    for category in categories:
        if category.parent_id is not None:
            category.parent = by_id.get(category.parent_id)
            children.setdefault(category.parent_id, []).append(category)
    top = [category for category in categories if category.parent_id is None]
    return CategoryTree(top=top, children=children)


def _ids(statement, limit: int) -> list[int]:
    return list(db.session.scalars(statement.with_only_columns(Product.id).limit(limit)))


def newest_first(statement):
    return statement.order_by(Product.created_at.desc(), Product.id.desc())


def home_page() -> HomePage:
    """Featured and newest products come from one UNION of two short id lists, read from the
    search index's on-sale rows newest first (a partial index in that order): the home page
    reads a few dozen index entries however large the catalog."""
    connection = db.session.connection()
    rows = connection.exec_driver_sql(_home_ids_sql(connection.dialect)).all()
    ordered = sorted(rows, key=lambda row: (row.list, row.place))
    loaded = {product.id: product for product in cards([row.id for row in ordered])}
    pick = {"featured": [], "newest": []}
    for row in ordered:
        if row.id in loaded:
            pick[row.list].append(loaded[row.id])
    lists = catalog_lists()
    return HomePage(
        categories=lists.categories,
        cooperatives=lists.cooperatives,
        featured=pick["featured"],
        newest=pick["newest"],
    )


@cache
def _home_ids_sql(dialect: Dialect) -> str:
    """The home page's statement, compiled once a process: it has no parameters, and
    building and compiling it cost more than running it."""
    on_sale_rows = select(search_rows.c.product_id).where(search_rows.c.is_on_sale.is_(True))
    featured = _ranked_ids(
        on_sale_rows.join(Product, Product.id == search_rows.c.product_id).where(
            Product.is_featured.is_(True)
        ),
        HOME_FEATURED,
        "featured",
    )
    newest = _ranked_ids(on_sale_rows, HOME_NEWEST, "newest")
    statement = union_all(select(featured), select(newest))
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _ranked_ids(statement, limit: int, name: str):
    """The newest `limit` product ids of `statement` (over search rows), labelled with the list
    they belong to and their place in it (a UNION keeps no order of its own)."""
    newest = (search_rows.c.created_at.desc(), search_rows.c.product_id.desc())
    place = func.row_number().over(order_by=newest)
    return (
        statement.with_only_columns(
            search_rows.c.product_id.label("id"), literal(name).label("list"), place.label("place")
        )
        .order_by(*newest)
        .limit(limit)
        .subquery(name)
    )


def find_category(tree: CategoryTree, slug: str) -> Category | None:
    """The category with this slug, from the tree already loaded."""
    for category in tree.top + [child for children in tree.children.values() for child in children]:
        if category.slug == slug:
            return category
    return None


_PAGE_COOPERATIVE = (Cooperative.name, Cooperative.slug, Cooperative.is_active)
_PAGE_MEMBER = (
    Membership.user_id,
    Membership.cooperative_id,
    Membership.member_number,
    Membership.business_name,
    Membership.whatsapp,
)
_PAGE_CATEGORY = (Category.parent_id, Category.slug, Category.name_id, Category.name_en)


@dataclass(frozen=True)
class _ProductPageStatements:
    product: Select
    related: Select
    variants: Select
    images: Select


@cache
def _product_page_statements() -> _ProductPageStatements:
    """The product page's statements, built once a process with bound parameters: building
    them with their loader options was a fifth of the page's CPU, each request."""
    # The joined rows read only the columns the page shows; the cooperative comes from
    # on_sale()'s own join.
    product = (
        on_sale()
        .where(Product.slug == bindparam("slug"))
        .options(
            contains_eager(Product.cooperative).load_only(*_PAGE_COOPERATIVE, raiseload=True),
            joinedload(Product.member)
            .load_only(*_PAGE_MEMBER, raiseload=True)
            .joinedload(Membership.user)
            .load_only(User.name, raiseload=True),
            joinedload(Product.category)
            .load_only(*_PAGE_CATEGORY, raiseload=True)
            .joinedload(Category.parent)
            .load_only(*_PAGE_CATEGORY, raiseload=True),
        )
    )
    related = newest_first(
        on_sale()
        .with_only_columns(Product.id)
        .where(Product.member_id == bindparam("member_id"), Product.id != bindparam("product_id"))
    ).limit(RELATED)
    ids = bindparam("ids", expanding=True)
    variants = (
        select(ProductVariant)
        .where(ProductVariant.product_id.in_(ids), ProductVariant.is_archived.is_(False))
        .order_by(ProductVariant.position)  # as Product.variants
    )
    images = (
        select(ProductImage).where(ProductImage.product_id.in_(ids)).order_by(ProductImage.position)
    )
    return _ProductPageStatements(product, related, variants, images)


def product_page(slug: str) -> ProductPage | None:
    """A product on sale with everything its page shows, or None (unknown, not on sale)."""
    statements = _product_page_statements()
    product = db.session.scalar(statements.product, {"slug": slug})
    if product is None:
        return None
    related_ids = list(
        db.session.scalars(
            statements.related, {"member_id": product.member_id, "product_id": product.id}
        )
    )
    # The product's own variants and images load with the related cards', in one query each
    # (ORM objects: the page shows more of its product than a card does); the related
    # products are cards of plain data, rendered as listings render theirs.
    ids = [product.id, *related_ids]
    variants = db.session.scalars(statements.variants, {"ids": ids}).all()
    images = db.session.scalars(statements.images, {"ids": ids}).all()
    set_committed_value(product, "variants", [v for v in variants if v.product_id == product.id])
    set_committed_value(product, "images", [i for i in images if i.product_id == product.id])
    card_variants: dict[int, list[CardVariant]] = {id_: [] for id_ in related_ids}
    for variant in variants:
        if variant.product_id != product.id:
            card_variants[variant.product_id].append(CardVariant(variant.price, variant.stock))
    card_images: dict[int, list[CardImage]] = {id_: [] for id_ in related_ids}
    for image in images:
        if image.product_id != product.id:
            card_images[image.product_id].append(
                CardImage(
                    image.id,
                    image.file_path,
                    image.rendition_key,
                    image.width,
                    image.height,
                    image.alt_text,
                )
            )
    return ProductPage(product=product, related=cards_with(related_ids, card_variants, card_images))
