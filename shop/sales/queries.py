"""Sales over time and the best-selling products, for one member or a whole cooperative.

"Sales" are what the reports call gross sales (shop/reports/queries.py): the line totals of
the lines in the orders whose settlement entry falls in the period, dated by that entry.
Refunds do not lower them (the reports show refunds apart), so these figures add up to the
member report's gross, to the Rupiah. Each function is one grouped query, whatever the number
of days, orders or products.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import Date, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from shop.catalog.models import Product
from shop.checkout.models import OrderLine
from shop.extensions import db
from shop.ledger.models import JournalEntry
from shop.reports.period import Period, month_of
from shop.reports.queries import settled_lines

TOP_PRODUCTS = 10


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday to Sunday
    MONTH = "month"


@dataclass(frozen=True)
class Bucket:
    first_day: date  # in Jakarta; a week or month cut by the period starts or ends with it
    last_day: date  # included
    gross: int
    orders: int  # orders settled in it (a member's: those with their lines)


@dataclass(frozen=True)
class ProductSales:
    product_id: int
    name: str
    quantity: int
    gross: int


class jakarta_day(FunctionElement):  # noqa: N801  (named like the SQL functions it joins)
    """The day in Jakarta of a UTC timestamp column (stored naive, in UTC)."""

    type = Date()
    name = "jakarta_day"
    inherit_cache = True


# WIB is UTC+7 all year (no daylight saving since 1964), so a fixed shift is exact.
@compiles(jakarta_day, "sqlite")
def _jakarta_day_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(jakarta_day, "postgresql")
def _jakarta_day_postgresql(element, compiler, **kw) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)} + INTERVAL '7 hours') AS DATE)"


def bucket_days(period: Period, granularity: Granularity) -> list[tuple[date, date]]:
    """The period cut into days, ISO weeks or months: (first day, last day) of each, the
    first and last cut to the period."""
    buckets = []
    day = period.first_day
    while day <= period.last_day:
        if granularity == Granularity.DAY:
            end = day
        elif granularity == Granularity.WEEK:
            end = day + timedelta(days=6 - day.weekday())
        else:
            end = month_of(day).last_day
        end = min(end, period.last_day)
        buckets.append((day, end))
        day = end + timedelta(days=1)
    return buckets


def sales_over_time(
    cooperative_id: int, period: Period, granularity: Granularity, member_id: int | None = None
) -> list[Bucket]:
    """Gross sales and orders per day, week or month of the period, in Jakarta time, every
    bucket present (0 when nothing sold); one member's, or the cooperative's when member_id
    is None. One query, grouped by day."""
    day = jakarta_day(JournalEntry.created_at)
    statement = (
        select(day, func.sum(OrderLine.line_total), func.count(JournalEntry.id.distinct()))
        .select_from(OrderLine)
        .join(JournalEntry, settled_lines(cooperative_id, period))
        .group_by(day)
    )
    if member_id is not None:
        statement = statement.where(OrderLine.member_id == member_id)
    buckets = bucket_days(period, granularity)
    starts = [first for first, _last in buckets]
    gross, orders = [0] * len(buckets), [0] * len(buckets)
    for sold_on, total, count in db.session.execute(statement):
        # An entry is one day's, so adding up the days' distinct orders counts none twice.
        index = bisect_right(starts, sold_on) - 1
        gross[index] += int(total)
        orders[index] += int(count)
    return [
        Bucket(first, last, gross[index], orders[index])
        for index, (first, last) in enumerate(buckets)
    ]


def top_products(
    cooperative_id: int,
    period: Period,
    member_id: int | None = None,
    limit: int | None = TOP_PRODUCTS,
) -> list[ProductSales]:
    """The products sold in the period, best gross first (then most units): quantity and
    gross of their lines, refunded units included as in gross sales; limit=None for all. A
    product is named as in the catalog or, once it is gone, as its lines were sold."""
    name = func.coalesce(Product.name, func.max(OrderLine.product_name))
    gross = func.sum(OrderLine.line_total)
    quantity = func.sum(OrderLine.quantity)
    statement = (
        select(OrderLine.product_id, name, quantity, gross)
        .select_from(OrderLine)
        .join(JournalEntry, settled_lines(cooperative_id, period))
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .group_by(OrderLine.product_id, Product.name)
        .order_by(gross.desc(), quantity.desc(), name, OrderLine.product_id)
        .limit(limit)
    )
    if member_id is not None:
        statement = statement.where(OrderLine.member_id == member_id)
    return [
        ProductSales(product_id, name, int(quantity), int(gross))
        for product_id, name, quantity, gross in db.session.execute(statement)
    ]
