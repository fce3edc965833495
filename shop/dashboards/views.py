"""The member's home and the cooperative admin's console home."""

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from shop.auth.policy import require_coop_admin, require_member_or_former
from shop.charts import bar_chart
from shop.dashboards.admin import CoopSales, admin_work, coop_sales
from shop.dashboards.member import (
    lines_on_the_way,
    lines_to_prepare,
    member_money,
    products_to_watch,
)
from shop.notifications.services import unread_of
from shop.reconciliation.services import open_exception_count, open_exceptions
from shop.reports.period import month_of, today_in_jakarta
from shop.reports.tables import period_label
from shop.sales.figures import axis_label, bucket_label, sales_table
from shop.sales.queries import Granularity
from shop.savings.queries import savings_of
from shop.security import private_page
from shop.shu.services import shares_of_member

bp = Blueprint("dashboards", __name__)

UNREAD_SHOWN = 5
EXCEPTIONS_SHOWN = 5


@bp.route("/koperasi/<coop_slug>/anggota/")
@require_member_or_former
def member_home(coop, membership):
    return private_page(
        render_template(
            "dashboards/member_home.html",
            coop=coop,
            membership=membership,
            lines=lines_to_prepare(membership),
            on_the_way=lines_on_the_way(membership),
            money=member_money(membership, month_of(today_in_jakarta())),
            watch=products_to_watch(membership),
            unread=unread_of(current_user, UNREAD_SHOWN),
            savings=savings_of(membership),
            shu_shares=shares_of_member(membership),
        )
    )


@bp.route("/koperasi/<coop_slug>/kelola/")
@require_coop_admin
def admin_home(coop, membership):
    today = today_in_jakarta()
    sales = coop_sales(coop, today)
    return private_page(
        render_template(
            "dashboards/admin_home.html",
            coop=coop,
            membership=membership,
            work=admin_work(coop, current_user.id),
            exceptions=open_exceptions(coop, limit=EXCEPTIONS_SHOWN),
            exception_count=open_exception_count(coop),
            today=today,
            sales=sales,
            sales_chart=_month_chart(sales),
            sales_table=sales_table(sales.days, Granularity.DAY),
        )
    )


def _month_chart(sales: CoopSales) -> Markup:
    return bar_chart(
        [(bucket_label(day, Granularity.DAY), day.gross) for day in sales.days],
        _("Sales per day this month"),
        _(
            "Gross sales in Rupiah of the cooperative in the orders paid from %(period)s.",
            period=period_label(sales.month),
        ),
        axis_labels=[axis_label(day, Granularity.DAY) for day in sales.days],
        chart_id="coop-sales-chart",
        empty_text=_("No sales this month yet."),
    )
