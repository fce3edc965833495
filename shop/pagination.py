"""Paging through listings: one query for a page of rows and the total, whatever the page."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from shop.extensions import db

MAX_PAGE = 1000  # deeper than anyone browses; keeps OFFSET scans bounded


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
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
