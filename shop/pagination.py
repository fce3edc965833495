"""Paging through listings: a page of rows and how many there are.

paginate() counts exactly (COUNT(*) OVER (): one query), for back-office lists whose size a
person bounds. paginate_capped() is for storefront listings, whose size the catalog bounds:
it counts at most COUNT_CAP rows ("1,000+ products"), so a category or a common word costs
the same at 10,000 products as at 1,000,000."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from shop.extensions import db

MAX_PAGE = 1000  # deeper than anyone browses; keeps OFFSET scans bounded
COUNT_CAP = 1000  # rows a storefront listing counts; past it the page says "1,000+"


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    per_page: int
    total: int
    # A capped count (paginate_capped): there are more than `total` rows, how many is not
    # known, and whether a next page exists was seen by reading one row past this page.
    total_is_capped: bool = False
    next_exists: bool = False

    @property
    def page_count(self) -> int:
        """Pages known to exist (with a capped count, at least this many)."""
        known = max(1, -(-self.total // self.per_page))
        if self.total_is_capped:
            return max(known, self.number + self.next_exists)
        return known

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        if self.total_is_capped:
            return self.next_exists
        return self.number < self.page_count


def parse_page_number(raw: str | None) -> int:
    """?page= as people and bots send it: anything that is not 1..MAX_PAGE means page 1."""
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def paginate(statement: Select, number: int, per_page: int) -> Page:
    """Rows of `statement` (already ordered, one column or entity) for page `number`.

    The total comes with the rows (COUNT(*) OVER ()), so a page costs one query; only a page
    past the end (not the first), which has no row to carry it, asks for the count separately.
    """
    rows = db.session.execute(
        statement.add_columns(func.count().over().label("total"))
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    if rows:
        total = rows[0].total
    elif number == 1:
        total = 0  # nothing on the first page: nothing at all
    else:
        total = db.session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
    return Page(items=[row[0] for row in rows], number=number, per_page=per_page, total=total or 0)


def paginate_capped(statement: Select, number: int, per_page: int, cap: int | None = None) -> Page:
    """Rows of `statement` (ordered, one column) for page `number`, and a count that stops at
    `cap`, in one query: the count is an uncorrelated subquery the database runs once, over at
    most `cap` + 1 rows; the page reads its rows plus the offset and one more (to know whether
    a next page exists). So an index in the listing's order serves both, and neither grows
    with the catalog. Only a page past the end (not the first) counts separately."""
    cap = COUNT_CAP if cap is None else cap
    offset = (number - 1) * per_page
    capped_count = select(func.count()).select_from(
        statement.order_by(None).limit(cap + 1).subquery()
    )
    rows = db.session.execute(
        statement.add_columns(capped_count.scalar_subquery().label("total"))
        .limit(per_page + 1)
        .offset(offset)
    ).all()
    return capped_page(rows, number, per_page, cap, lambda: db.session.scalar(capped_count))


def capped_page(
    rows: Sequence[Sequence], number: int, per_page: int, cap: int, count: Callable[[], int]
) -> Page:
    """The Page of a capped listing from its query's rows (each: an item and the count up to
    `cap` + 1; at most `per_page` + 1 rows, the offset's). `count` counts the same way, for
    a page past the end (not the first), which has no row to carry the count."""
    if rows:
        counted = rows[0][1]
    elif number == 1:
        counted = 0
    else:
        counted = count()
    items, next_exists = [row[0] for row in rows[:per_page]], len(rows) > per_page
    offset = (number - 1) * per_page
    return Page(
        items=items,
        number=number,
        per_page=per_page,
        total=_capped_total(counted, cap, offset, items),
        total_is_capped=counted > cap,
        next_exists=next_exists,
    )


def _capped_total(counted: int, cap: int, offset: int, items: list) -> int:
    """The exact count under the cap. Past it, a page with rows knows at least the rows
    before it and its own; a page past the end knows only the cap."""
    if counted <= cap:
        return counted
    return max(cap, offset + len(items)) if items else cap
