"""The sales page's figures as Tables (the page, the CSV and the XLSX render the same ones)
and as charts drawn from the same numbers."""

from datetime import date

from babel.dates import format_skeleton
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from shop.charts import bar_chart
from shop.reports.period import Period, month_of
from shop.reports.tables import Column, Table, period_label
from shop.sales.queries import Bucket, Granularity, ProductSales

SALES_TITLES = {
    Granularity.DAY: _l("Sales per day"),
    Granularity.WEEK: _l("Sales per week"),
    Granularity.MONTH: _l("Sales per month"),
}
PRODUCTS_TITLE = _l("Best-selling products")


def _skeleton(pattern: str, day: date) -> str:
    """A date in the reader's language from a skeleton: "MMMd" is "10 Nov" or "Nov 10"."""
    return format_skeleton(pattern, day, locale=get_locale())


def bucket_label(bucket: Bucket, granularity: Granularity) -> str:
    """A day, a week or a month in full, as the table shows it."""
    first, last = bucket.first_day, bucket.last_day
    if granularity == Granularity.DAY:
        return format_date(first, "medium")
    if granularity == Granularity.MONTH and month_of(first) == Period(first, last):
        return _skeleton("yMMMM", first)
    dates = {"first": format_date(first, "medium"), "last": format_date(last, "medium")}
    if granularity == Granularity.WEEK:
        return _("Week %(week)d: %(first)s to %(last)s", week=first.isocalendar().week, **dates)
    return _("%(first)s to %(last)s", **dates)  # a month cut by the period


def axis_label(bucket: Bucket, granularity: Granularity) -> str:
    """Short, for under a chart's column: "10 Nov" (a day or a week's first day), "Nov 2026"."""
    if granularity == Granularity.MONTH:
        return _skeleton("yMMM", bucket.first_day)
    return _skeleton("MMMd", bucket.first_day)


def sales_table(buckets: list[Bucket], granularity: Granularity) -> Table:
    return Table(
        name=f"sales-{granularity.value}",
        title=str(SALES_TITLES[granularity]),
        columns=(
            Column(_("Period"), "text", 34),
            Column(_("Orders"), "text", 8),
            Column(_("Gross sales")),
        ),
        rows=[
            (bucket_label(bucket, granularity), bucket.orders, bucket.gross) for bucket in buckets
        ],
        totals=(
            _("Total"),
            sum(bucket.orders for bucket in buckets),
            sum(bucket.gross for bucket in buckets),
        ),
    )


def products_table(products: list[ProductSales]) -> Table:
    return Table(
        name="products",
        title=str(PRODUCTS_TITLE),
        columns=(
            Column(_("Product"), "text", 36),
            Column(_("Quantity sold"), "text", 10),
            Column(_("Gross sales")),
        ),
        rows=[(product.name, product.quantity, product.gross) for product in products],
    )


def sales_chart(buckets: list[Bucket], granularity: Granularity, period: Period) -> Markup:
    return bar_chart(
        [(bucket_label(bucket, granularity), bucket.gross) for bucket in buckets],
        str(SALES_TITLES[granularity]),
        _(
            "Gross sales in Rupiah of your products in the orders paid from %(period)s.",
            period=period_label(period),
        ),
        axis_labels=[axis_label(bucket, granularity) for bucket in buckets],
        chart_id="sales-chart",
        empty_text=_("No sales in this period."),
    )


def products_chart(products: list[ProductSales], period: Period) -> Markup:
    return bar_chart(
        [(product.name, product.gross) for product in products],
        str(PRODUCTS_TITLE),
        _(
            "Gross sales in Rupiah of your best-selling products from %(period)s.",
            period=period_label(period),
        ),
        horizontal=True,
        chart_id="products-chart",
        empty_text=_("No sales in this period."),
    )
