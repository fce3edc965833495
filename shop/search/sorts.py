"""The orders a listing (search, category, cooperative, member) can be shown in: one table,
one line a sort. A new sort is a line here; its label shows in every listing's form.

Each sort gives the ORDER BY terms that come before newest-first (which also breaks ties),
given the relevance rank of a search for words (None without words). Columns of the search
index are read directly; columns that change outside the ORM (sold_count, written by the
checkout's UPDATE) are read live from products through product_value().
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select

from shop.catalog.models import Product
from shop.search.tables import search_rows

RELEVANCE = "relevance"
NEWEST = "newest"


def product_value(column) -> ColumnElement:
    """A products column of the listed product, by id (the primary key: one row each)."""
    return select(column).where(Product.id == search_rows.c.product_id).scalar_subquery()


@dataclass(frozen=True)
class Sort:
    key: str  # the ?sort= value
    label: object  # a lazy string
    terms: Callable[[ColumnElement | None], tuple[ColumnElement, ...]]


_price = search_rows.c.lowest_price

SORTS: dict[str, Sort] = {sort.key: sort for sort in (
    Sort(RELEVANCE, _l("Most relevant"), lambda rank: () if rank is None else (rank,)),
    Sort(NEWEST, _l("Newest"), lambda rank: ()),
    Sort("price_asc", _l("Lowest price"), lambda rank: (_price.asc().nulls_last(),)),
    Sort("price_desc", _l("Highest price"), lambda rank: (_price.desc().nulls_last(),)),
    Sort("bestselling", _l("Best-selling"),
         lambda rank: (product_value(Product.sold_count).desc(),)),
    # Best average first; among equals the most reviewed. Unrated products (0) come last.
    Sort("rating", _l("Top rated"),
         lambda rank: (product_value(Product.rating_average_centi).desc(),
                       product_value(Product.rating_count).desc())),
)}  # fmt: skip


def order_by(key: str, rank: ColumnElement | None) -> tuple[ColumnElement, ...]:
    """The ORDER BY of a listing in this sort, newest first within equals."""
    newest = (search_rows.c.created_at.desc(), search_rows.c.product_id.desc())
    return (*SORTS[key].terms(rank), *newest)
