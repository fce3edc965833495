"""Product search: the full-text index, and the search over it with filters and sorts.

The index: one row per product in `product_search`, whatever the product's status, with
  - its words: the product's name and description, its maker's business and personal
    names, its cooperative's name (four tables: no generated column on products can hold
    them). PostgreSQL: a tsvector `document` with a GIN index, 'simple' configuration (no
    Indonesian dictionary exists: words are lowercased, never stemmed), weighted A name,
    B maker, C cooperative, D description for ts_rank. SQLite: the FTS5 table
    product_search_fts (rowid = product id), ranked by bm25().
  - the facts that filters and sorts need and only the ORM changes: on sale (an active
    product of an active cooperative), category, cooperative, lowest price, created. So a
    search counts, filters, orders and pages on this table alone and then loads the page's
    cards by id: however many products match, it never scans the products table. Stock and
    sold_count change by Core UPDATEs at checkout, so they are read live, by product id.
  Not models (a tsvector column and an FTS5 table cannot be one model on both databases):
  a migration creates them; the schema comparison skips them through is_search_table().

Keeping it in step: an after_flush listener on every ORM session rewrites the rows of the
products whose indexed data changed (see _SOURCES) on the flush's own connection, so the
index commits or rolls back with the change, whoever writes: services, the demo seed, test
factories. Writers that change indexed columns without the ORM (a Core UPDATE of a price or
a name, raw SQL, bulk inserts) must call reindex_products(ids) in their transaction;
`flask search reindex` rebuilds everything.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from shop import pagination
from shop.accounts.models import User
from shop.catalog import storefront
from shop.catalog.listing import cards
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.pagination import COUNT_CAP, Page, capped_page
from shop.search import statements, windows
from shop.search.sorts import NEWEST, RELEVANCE, SORTS
from shop.search.tables import SEARCH_TABLE, is_search_table  # noqa: F401  (imported from here)
from shop.search.tables import fts_rows as _fts
from shop.search.tables import search_rows as _search
from shop.search.vocabulary import add_product_words, rebuild_vocabulary

PER_PAGE = 24
# A search by relevance ranks at most this many matches, the newest: ranking every match of
# a common word (85,000 of 100,000 products) cost 129 ms and 36 MB of temporary files. One
# more than the count's cap, so a word with more matches still reads "1,000+ products".
RANKED_MATCHES = COUNT_CAP + 1
MAX_TERMS = 8  # words of a query that count; the rest of a pasted paragraph is ignored
IDS_PER_STATEMENT = 500  # keeps IN (...) lists far below the databases' parameter limits

_SIMPLE = literal_column("'simple'::regconfig")
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as both databases' tokenizers see words


# Searching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    category: str | None = None  # slug; a top category includes its subcategories
    cooperative: str | None = None  # slug
    min_price: int | None = None  # Rupiah, compared with the product's lowest variant price
    max_price: int | None = None
    in_stock: bool = False
    member_id: int | None = None  # a member's page: only their products
    sort: str | None = None  # a key of SORTS; None: by relevance when there are words, else newest
    page: int = 1

    @property
    def terms(self) -> list[str]:
        return search_terms(self.q)

    @property
    def effective_sort(self) -> str:
        if self.sort not in SORTS or self.sort == RELEVANCE:
            return RELEVANCE if self.terms else NEWEST
        return self.sort


@dataclass(frozen=True)
class FilterChoices:
    categories: list[storefront.CategoryEntry]  # each top category, then its subcategories
    cooperatives: list[storefront.CooperativeEntry]  # active ones, by name

    def has_category(self, slug: str) -> bool:
        return any(category.slug == slug for category in self.categories)

    def has_cooperative(self, slug: str) -> bool:
        return any(coop.slug == slug for coop in self.cooperatives)


def search_terms(q: str) -> list[str]:
    """The words of a query, without punctuation or search syntax: 'tas "rajut*' -> tas, rajut."""
    return list(dict.fromkeys(_WORD.findall(q or "")))[:MAX_TERMS]


def filter_choices() -> FilterChoices:
    """What the category and cooperative filters offer, in one query (the filters are on
    every search page, inside its query budget)."""
    lists = storefront.catalog_lists()
    return FilterChoices(
        categories=ordered_categories(lists.categories), cooperatives=lists.cooperatives
    )


def filter_categories() -> list[storefront.CategoryEntry]:
    """Every category for the filter, in one query."""
    return ordered_categories(storefront.category_tree())


def ordered_categories(tree: storefront.CategoryTree) -> list[storefront.CategoryEntry]:
    """Each top category followed by its subcategories."""
    return [category for top in tree.top for category in (top, *tree.children.get(top.id, []))]


def search_products(params: SearchParams) -> Page:
    """One page of product cards on sale that match the words and filters, in params' order,
    in four queries: the page's ids with their capped total, then the cards by id with their
    cooperatives, variants and images. The ids' statement is compiled once per shape
    (shop/search/statements.py)."""
    if params.q.strip() and not params.terms:  # only punctuation: nothing to look for
        return Page(items=[], number=params.page, per_page=PER_PAGE, total=0)
    connection = db.session.connection()
    shape = _shape(params, connection)
    values = _values(params, shape)
    cap, offset = pagination.COUNT_CAP, (params.page - 1) * PER_PAGE
    page_values = {**values, "count_limit": cap + 1, "page_limit": PER_PAGE + 1}
    rows = statements.run(connection, shape, "page", page_values | {"page_offset": offset})

    def count_past_the_end() -> int:
        return statements.run(connection, shape, "count", page_values)[0][0]

    ids = capped_page(rows, params.page, PER_PAGE, cap, count_past_the_end)
    return replace(ids, items=cards(ids.items))


def search_statement(params: SearchParams) -> Select:
    """The ids of the matching products, in order, with their values bound (for EXPLAIN in
    tests and benchmarks; search_products runs the same statement compiled once)."""
    if params.q.strip() and not params.terms:
        return statements.nothing()
    shape = _shape(params, db.session.connection())
    return statements.ids_statement(shape).params(_values(params, shape))


def _shape(params: SearchParams, connection) -> statements.Shape:
    dialect = connection.dialect.name
    shape = statements.Shape(
        dialect=dialect,
        has_words=bool(params.terms),
        category=bool(params.category),
        cooperative=bool(params.cooperative),
        member=params.member_id is not None,
        min_price=params.min_price is not None,
        max_price=params.max_price is not None,
        in_stock=params.in_stock,
        sort=params.effective_sort,
    )
    if not shape.is_windowed:
        return shape
    terms = params.terms
    chosen = windows.catalog(connection).windows(terms, len(terms[-1]) > 1, RANKED_MATCHES)
    return replace(shape, by_row=chosen[0], edges=chosen[1])


def _values(params: SearchParams, shape: statements.Shape) -> dict[str, object]:
    values: dict[str, object] = {
        "category": params.category,
        "cooperative": params.cooperative,
        "member_id": params.member_id,
        "min_price": params.min_price,
        "max_price": params.max_price,
        "ranked": RANKED_MATCHES,
    }
    terms = params.terms
    if terms and shape.dialect == "postgresql":
        # Each word quoted as a lexeme, so no user input is read as tsquery syntax; the last
        # word is a prefix, for a shopper still typing.
        words = [f"'{term}'" for term in terms]
        if len(terms[-1]) > 1:
            words[-1] += ":*"
        values["tsquery"] = " & ".join(words)
    elif terms:
        # Each word a quoted FTS5 string (words never contain '"'), so NEAR, OR, -, :, * and
        # brackets typed by a shopper are plain text; the last word is a prefix.
        words = [f'"{term}"' for term in terms]
        if len(terms[-1]) > 1:
            words[-1] += "*"
        values["match"] = " ".join(words)
    return values


# Indexing ----------------------------------------------------------------------------------


def reindex_products(product_ids: Iterable[int]) -> None:
    """Rewrite the search rows of these products from their current data, in the caller's
    transaction (no commit: it belongs to the caller's unit of work). Only for writers that
    change indexed data without the ORM; ORM changes are indexed on flush."""
    _rewrite_rows(db.session.connection(), product_ids)


def reindex_all() -> int:
    """Rebuild the whole search index from the products and commit; returns how many
    products were indexed. For `flask search reindex` after raw SQL edits or a restore."""
    connection = db.session.connection()
    for table in _tables(connection):
        connection.execute(delete(table))
    _write_rows(connection, true())
    rebuild_vocabulary(connection)
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(_search)) or 0


def _tables(connection: Connection) -> tuple[Table, ...]:
    return (_search,) if connection.dialect.name == "postgresql" else (_search, _fts)


def _rewrite_rows(connection: Connection, product_ids: Iterable[int]) -> None:
    """Delete these products' rows and write them again (none for a deleted product)."""
    for chunk in _chunks(product_ids):
        for table in _tables(connection):
            connection.execute(delete(table).where(table.primary_key.columns[0].in_(chunk)))
        _write_rows(connection, Product.id.in_(chunk))
        add_product_words(connection, chunk)


def _write_rows(connection: Connection, condition: ColumnElement) -> None:
    """Insert the rows of the products matching `condition`. The migration that created the
    tables has a frozen copy of these SELECTs, to fill them; a test checks they agree."""
    maker = Membership.business_name + " " + User.name
    texts = (Product.name, maker, Cooperative.name, Product.description)
    lowest_price = select(func.min(ProductVariant.price)).where(
        ProductVariant.product_id == Product.id, ProductVariant.is_archived.is_(False)
    )
    facts = (
        Product.id,
        and_(Product.status == ProductStatus.ACTIVE, Cooperative.is_active.is_(True)),
        Product.category_id,
        Product.cooperative_id,
        lowest_price.scalar_subquery(),
        Product.created_at,
    )
    if connection.dialect.name == "postgresql":
        document = _weighted(texts)
        _insert(connection, _search, _search.columns, (*facts, document), condition)
    else:
        columns = [column for column in _search.columns if column.name != "document"]
        _insert(connection, _search, columns, facts, condition)
        _insert(connection, _fts, _fts.columns, (Product.id, *texts), condition)


def _weighted(texts: tuple[ColumnElement, ...]) -> ColumnElement:
    parts = [
        func.setweight(func.to_tsvector(_SIMPLE, text), literal_column(f"'{weight}'"))
        for text, weight in zip(texts, "ABCD", strict=True)
    ]
    document = parts[0]
    for part in parts[1:]:
        document = document.op("||", return_type=TSVECTOR)(part)
    return document


def _insert(connection, table: Table, columns, values, condition: ColumnElement) -> None:
    rows = (
        select(*values)
        .join(Membership, Membership.id == Product.member_id)
        .join(User, User.id == Membership.user_id)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(condition)
    )
    connection.execute(insert(table).from_select([column.name for column in columns], rows))


def _chunks(ids: Iterable[int | None]) -> Iterable[list[int]]:
    ordered = sorted({id_ for id_ in ids if id_ is not None})
    for start in range(0, len(ordered), IDS_PER_STATEMENT):
        yield ordered[start : start + IDS_PER_STATEMENT]


@dataclass(frozen=True)
class _Source:
    """A model whose columns feed the search rows: which columns, and which products a
    change concerns: the ids in `key` are product ids, or `products` finds them."""

    columns: tuple[str, ...]
    key: str = "product_id"
    products: Callable[[list[int]], ColumnElement] | None = None


_SOURCES = {
    Product: _Source(
        ("name", "description", "member_id", "cooperative_id", "category_id", "status"), "id"
    ),
    ProductVariant: _Source(("price", "product_id", "is_archived")),
    Membership: _Source(("business_name", "user_id"), "id", Product.member_id.in_),
    Cooperative: _Source(("name", "is_active"), "id", Product.cooperative_id.in_),
    User: _Source(("name",), "id", lambda ids: Product.member_id.in_(
        select(Membership.id).where(Membership.user_id.in_(ids))
    )),
}  # fmt: skip


def _changed_keys(session: Session) -> dict[type, set[int]]:
    """For each source model, the keys of the rows this flush added, deleted or changed."""
    keys: dict[type, set[int]] = {model: set() for model in _SOURCES}
    for instance in (*session.new, *session.deleted):
        if isinstance(instance, Product | ProductVariant):
            keys[type(instance)].add(getattr(instance, _SOURCES[type(instance)].key))
    for instance in session.dirty:
        source = _SOURCES.get(type(instance))
        if source is None:
            continue
        attributes = inspect(instance).attrs
        if any(attributes[name].history.has_changes() for name in source.columns):
            # The key as it is and as it was (a variant moved to another product).
            keys[type(instance)].add(getattr(instance, source.key))
            keys[type(instance)].update(attributes[source.key].history.deleted or ())
    return keys


@event.listens_for(Session, "after_flush")
def _index_flushed_changes(session: Session, flush_context) -> None:
    product_ids: set[int] = set()
    for model, keys in _changed_keys(session).items():
        find = _SOURCES[model].products
        for chunk in _chunks(keys):
            if find is None:
                product_ids.update(chunk)
            else:
                product_ids.update(
                    session.connection().scalars(select(Product.id).where(find(chunk)))
                )
    if product_ids:
        _rewrite_rows(session.connection(), product_ids)
