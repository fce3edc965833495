"""The listings' statements: built and compiled once per shape, then run as plain SQL.

A listing's statement depends only on its shape: the database, whether there are words,
which filters are on and the sort. Its values (the words, a category's slug, the prices,
the page) are parameters. Building the Select, its cache key and the capped count around it
cost about a tenth of a search page on every request; here each shape is built and compiled
once per process and run on the driver's cursor, as the cards' statements are
(shop/catalog/cards.py, shop/plain_sql.py).

Relevance on PostgreSQL ranks the newest `ranked` matches (services.RANKED_MATCHES). Finding
them by walking the newest-first index and testing each row's words costs the rows walked:
14,500 for a word in 7 % of 100,000 products. Finding every match in the GIN index and
sorting them costs the matches. Neither is bounded. So the newest rows are cut into windows,
each about nine times the rows before it; the first window's size and how its rows are
tested follow how common the words are (shop/search/windows.py). A window tested row by row
reads its rows (`IS TRUE` is no index condition); any other window's matches come from the
GIN index AND the newest-first index (a BitmapAnd: only matching rows of the window are
read). A window is searched only while the newer ones hold fewer than `ranked` matches.
Whatever the windows, the same matches: the plan only chooses the cost. SQLite, the
embedded default for small catalogs, ranks every match with FTS5's bm25.
"""

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    bindparam,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)

from shop.catalog.models import Category, Product, ProductVariant
from shop.coops.models import Cooperative
from shop.plain_sql import driver_rows
from shop.search.sorts import NEWEST, RELEVANCE, order_by
from shop.search.tables import fts_rows as _fts
from shop.search.tables import search_rows as _search
from shop.search.windows import Edge

# The tables, not the mapped classes: a statement of mapped attributes configures every
# mapper of the app when compiled (~2 MB a worker), which an anonymous shopper's pages never
# need otherwise.
_categories = Category.__table__.c
_cooperatives = Cooperative.__table__.c
_products = Product.__table__.c
_variants = ProductVariant.__table__.c
_SIMPLE = literal_column("'simple'::regconfig")
# bm25 weights of name, maker, cooperative, description.
_BM25_WEIGHTS = tuple(literal_column(weight) for weight in ("10.0", "4.0", "2.0", "1.0"))


@dataclass(frozen=True)
class Shape:
    """What a listing's SQL depends on; everything else is a parameter."""

    dialect: str
    has_words: bool
    category: bool
    cooperative: bool
    member: bool
    min_price: bool
    max_price: bool
    in_stock: bool
    sort: str
    edges: tuple[Edge, ...] = ()  # PostgreSQL relevance only: the windows' older edges
    by_row: bool = True  # the first window's rows tested one by one (else from the index)

    @property
    def is_windowed(self) -> bool:
        return self.dialect == "postgresql" and self.has_words and self.sort == RELEVANCE


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: Mapping[str, Any]  # values SQLAlchemy bound itself (a literal 0, ...)
    positions: tuple[str, ...] | None  # SQLite's ? placeholders, in order

    def parameters(self, values: Mapping[str, Any]):
        merged = {**self.defaults, **values}
        if self.positions is None:
            return merged
        return tuple(merged[name] for name in self.positions)


_compiled: dict[tuple[Shape, str], _Compiled] = {}
_MAX_COMPILED = 512  # shapes x kinds; a handful in practice


# The statements ----------------------------------------------------------------------------


def ids_statement(shape: Shape) -> Select:
    """The ids of the matching products on sale, in the listing's order, with named
    parameters (see parameter_values)."""
    statement = select(_search.c.product_id).where(_search.c.is_on_sale.is_(True))
    score = rank = None  # PostgreSQL's ts_rank; the ORDER BY term of relevance
    if shape.has_words and shape.dialect == "postgresql":
        query = func.to_tsquery(_SIMPLE, bindparam("tsquery", type_=String))
        match = _search.c.document.bool_op("@@")(query)
        score = func.ts_rank(_search.c.document, query)
        if shape.is_windowed:
            filtered = _filter(statement, shape)
            return _ranked_among_newest(filtered, match, score, shape.edges, shape.by_row)
        statement = statement.where(match)
        rank = score.desc()
    elif shape.has_words:
        statement, rank = _match_sqlite(statement)
    statement = _filter(statement, shape)
    return statement.order_by(*order_by(shape.sort, rank))


def nothing() -> Select:
    """A query of only punctuation: nothing to look for."""
    return select(_search.c.product_id).where(false())


def _match_sqlite(statement: Select) -> tuple[Select, ColumnElement]:
    fts = literal_column(_fts.name)
    # bm25() only works in a plain FTS query (not beside the subquery that counts the
    # results), so the matches and their scores come from a subquery.
    hits = (
        select(_fts.c.rowid.label("product_id"), func.bm25(fts, *_BM25_WEIGHTS).label("score"))
        .where(fts.op("MATCH")(bindparam("match", type_=String)))
        .subquery("hits")
    )
    statement = statement.join(hits, hits.c.product_id == _search.c.product_id)
    return statement, hits.c.score.asc()


def _filter(statement: Select, shape: Shape) -> Select:
    if shape.category:
        chosen = select(_categories.id).where(
            _categories.slug == bindparam("category", type_=String)
        )
        subcategories = select(_categories.id).where(_categories.parent_id.in_(chosen))
        statement = statement.where(
            or_(_search.c.category_id.in_(chosen), _search.c.category_id.in_(subcategories))
        )
    if shape.cooperative:
        chosen = select(_cooperatives.id).where(
            _cooperatives.slug == bindparam("cooperative", type_=String)
        )
        statement = statement.where(_search.c.cooperative_id.in_(chosen))
    if shape.member:
        # products.member_id is indexed: a member's few products, by primary key here.
        theirs = select(_products.id).where(_products.member_id == bindparam("member_id"))
        statement = statement.where(_search.c.product_id.in_(theirs))
    if shape.min_price:
        statement = statement.where(_search.c.lowest_price >= bindparam("min_price"))
    if shape.max_price:
        statement = statement.where(_search.c.lowest_price <= bindparam("max_price"))
    if shape.in_stock:
        statement = statement.where(
            select(_variants.id)
            .where(
                _variants.product_id == _search.c.product_id,
                _variants.stock > 0,
                _variants.is_archived.is_(False),
            )
            .exists()
        )
    return statement


def _ranked_among_newest(
    statement: Select, match: ColumnElement, score: ColumnElement, edges, by_row: bool
) -> Select:
    """The newest `ranked` matches, found window by window (see the module's docstring),
    ranked; a CTE, so the page and its count find them once."""
    ranked = bindparam("ranked", type_=Integer)
    newest = order_by(NEWEST, None)
    rows = statement.with_only_columns(
        _search.c.product_id, _search.c.created_at, score.label("score")
    )
    matches = rows.where(match)
    if not edges:  # a catalog smaller than the first window
        candidates = matches.order_by(*newest).limit(ranked).cte("candidates")
    else:
        key = tuple_(_search.c.created_at, _search.c.product_id)
        windows, newer = [], None
        for edge in (*edges, None):
            # `IS TRUE` is no index condition: the rows are tested one by one.
            window = rows.where(match.is_(True)) if by_row and not windows else matches
            if newer is not None:
                window = window.where(key < _row(newer))
            if edge is not None:
                window = window.where(key >= _row(edge))
            if windows:  # searched only while the newer windows found too few
                found = reduce(
                    operator.add,
                    (select(func.count()).select_from(w).scalar_subquery() for w in windows),
                )
                window = window.where(found < ranked)
            windows.append(window.cte(f"window_{len(windows) + 1}"))
            newer = edge
        every = union_all(*(select(w.c.product_id, w.c.created_at, w.c.score) for w in windows))
        columns = every.selected_columns
        candidates = (
            every.order_by(columns.created_at.desc(), columns.product_id.desc())
            .limit(ranked)
            .cte("candidates")
        )
    return select(candidates.c.product_id).order_by(
        candidates.c.score.desc(), candidates.c.created_at.desc(), candidates.c.product_id.desc()
    )


def _row(edge: Edge) -> ColumnElement:
    # The edges are our own rows' values, written into the SQL so that the planner sees the
    # windows' sizes even in a prepared statement's generic plan.
    created_at, product_id = edge
    return tuple_(
        literal_column(f"'{created_at.isoformat(sep=' ')}'::timestamp"),
        literal_column(str(int(product_id))),
    )


def page_statement(ids: Select) -> Select:
    """One page of ids, one row more (is there a next page?), and the count up to the cap,
    in one statement: the count an uncorrelated subquery the database runs once."""
    return (
        ids.add_columns(count_statement(ids).scalar_subquery().label("total"))
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )


def count_statement(ids: Select) -> Select:
    """How many ids, counting at most `count_limit`."""
    capped = ids.order_by(None).limit(bindparam("count_limit", type_=Integer))
    return select(func.count()).select_from(capped.subquery())


# Running them ------------------------------------------------------------------------------


def run(connection: Connection, shape: Shape, kind: str, values: Mapping[str, Any]) -> list[tuple]:
    """The rows of the `kind` ("page" or "count") statement of this shape with these values,
    as the driver's tuples (shop/plain_sql.py: no SQLAlchemy result for a page of ids)."""
    compiled = _compiled.get((shape, kind))
    if compiled is None:
        compiled = _compile(connection, shape, kind)
    return driver_rows(connection, compiled.sql, compiled.parameters(values))


def _compile(connection: Connection, shape: Shape, kind: str) -> _Compiled:
    ids = ids_statement(shape)
    statement = page_statement(ids) if kind == "page" else count_statement(ids)
    compiled = statement.compile(dialect=connection.dialect)
    positions = tuple(compiled.positiontup) if compiled.positional else None
    result = _Compiled(str(compiled), dict(compiled.params), positions)
    if len(_compiled) >= _MAX_COMPILED:
        _compiled.clear()  # edges were read again often enough to leave old shapes behind
    _compiled[(shape, kind)] = result
    return result
