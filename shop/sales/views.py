"""The member's sales page: sales over time and best-selling products, as charts, tables,
CSV and XLSX."""

from flask import Blueprint, abort, render_template, request

from shop.auth.policy import require_member_or_former
from shop.reports.exports import EXPORTS, download
from shop.reports.period import Period
from shop.reports.tables import Table, period_label
from shop.sales.figures import products_chart, products_table, sales_chart, sales_table
from shop.sales.forms import sales_form
from shop.sales.queries import Granularity, sales_over_time, top_products
from shop.security import private_page

bp = Blueprint("sales", __name__)


def _table_to_download(coop, membership, period: Period, granularity: Granularity) -> Table:
    """?table=sales (the default) or ?table=products, every product sold in the period."""
    wanted = request.args.get("table", "sales")
    if wanted == "sales":
        buckets = sales_over_time(coop.id, period, granularity, membership.id)
        return sales_table(buckets, granularity)
    if wanted == "products":
        return products_table(top_products(coop.id, period, membership.id, limit=None))
    abort(404)


@bp.route("/koperasi/<coop_slug>/anggota/penjualan")
@require_member_or_former
def index(coop, membership):
    # Always the signed-in member's own: no member id is ever read from the request.
    form = sales_form(request.args)
    if not form.validate():
        return private_page((render_template("sales/index.html", coop=coop, form=form), 400))
    period, granularity = form.period(), form.chosen_granularity()
    export = request.args.get("format")
    if export in EXPORTS:
        table = _table_to_download(coop, membership, period, granularity)
        return download(table, export, coop.slug, period.slug)
    buckets = sales_over_time(coop.id, period, granularity, membership.id)
    products = top_products(coop.id, period, membership.id)
    return private_page(
        render_template(
            "sales/index.html",
            coop=coop,
            form=form,
            period=period,
            period_label=period_label(period),
            granularity=granularity,
            sales=sales_table(buckets, granularity),
            sales_chart=sales_chart(buckets, granularity, period),
            products=products_table(products),
            products_chart=products_chart(products, period),
        )
    )
