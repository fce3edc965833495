"""What the storefront pages show, each loaded in a fixed handful of queries.

Listings select product ids first and then load the cards for those ids (cards.py),
so a page costs the same number of queries with 1 product or 48. The category, cooperative
and member pages list their products through the search (shop/search/listing.py), with
its filters and sorts; this module finds what those pages are about.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Dialect, func, literal, select, union_all

from shop.catalog.cards import Card
from shop.catalog.listing import cards
from shop.catalog.models import Category, Product
from shop.extensions import db
from shop.plain_sql import driver_rows, rows
from shop.search.tables import search_rows

HOME_FEATURED = 8
HOME_NEWEST = 12


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


# Every category and every active cooperative, one short UNION that every listing page
# reads: as plain SQL, since building and compiling it with SQLAlchemy (and making ORM
# objects of 40 rows) cost more than running it.
_LISTS_SQL = (
    "SELECT 'category', id, parent_id, slug, name_id, name_en, position, NULL, NULL"
    " FROM categories UNION ALL"
    " SELECT 'cooperative', id, NULL, slug, name, name, 0, city, province"
    " FROM cooperatives WHERE is_active = true"
)

# The lists last made in this process and the rows they were made from. The rows are read on
# every request, but categories and cooperatives seldom change: when the rows are the same,
# so are the lists (nothing can go stale), and making 40 objects, sorting and arranging them
# again cost twice the comparison and the statement's run together. Pages only read them.
_last_made: tuple[list[tuple], "CatalogLists"] | None = None


def catalog_lists() -> CatalogLists:
    """Every category (as a tree) and every active cooperative, in one query."""
    global _last_made
    fetched = rows(_LISTS_SQL, {})
    last = _last_made
    if last is not None and last[0] == fetched:
        return last[1]
    lists = _make_lists(fetched)
    _last_made = (fetched, lists)
    return lists


def _make_lists(fetched: list[tuple]) -> CatalogLists:
    categories, cooperatives = [], []
    for kind, id_, parent_id, slug, name_id, name_en, position, city, province in fetched:
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
    listed = driver_rows(connection, _home_ids_sql(connection.dialect), {})
    ordered = sorted(listed, key=lambda row: (row[1], row[2]))  # (id, list, place): by list, place
    loaded = {product.id: product for product in cards([id_ for id_, _list, _place in ordered])}
    pick = {"featured": [], "newest": []}
    for id_, list_name, _place in ordered:
        if id_ in loaded:
            pick[list_name].append(loaded[id_])
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
