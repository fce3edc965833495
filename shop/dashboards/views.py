"""The member's home and the cooperative admin's console home."""

from flask import Blueprint, render_template
from flask_login import current_user

from shop.auth.policy import require_coop_admin, require_member_or_former
from shop.dashboards.admin import admin_work
from shop.dashboards.member import (
    lines_on_the_way,
    lines_to_prepare,
    member_money,
    products_to_watch,
)
from shop.notifications.services import notifications_of
from shop.reports.period import month_of, today_in_jakarta
from shop.security import private_page

bp = Blueprint("dashboards", __name__)

UNREAD_SHOWN = 5


@bp.route("/koperasi/<coop_slug>/anggota/")
@require_member_or_former
def member_home(coop, membership):
    unread = [shown for shown in notifications_of(current_user) if not shown.is_read]
    return private_page(
        render_template(
            "dashboards/member_home.html",
            coop=coop,
            membership=membership,
            lines=lines_to_prepare(membership),
            on_the_way=lines_on_the_way(membership),
            money=member_money(membership, month_of(today_in_jakarta())),
            watch=products_to_watch(membership),
            unread=unread[:UNREAD_SHOWN],
        )
    )


@bp.route("/koperasi/<coop_slug>/kelola/")
@require_coop_admin
def admin_home(coop, membership):
    return private_page(
        render_template(
            "dashboards/admin_home.html",
            coop=coop,
            membership=membership,
            work=admin_work(coop, current_user.id),
            today=today_in_jakarta(),
        )
    )
