"""The member's home and the cooperative admin's console home."""

from flask import Blueprint, render_template

from shop.auth.policy import require_coop_admin, require_member_or_former
from shop.security import private_page

bp = Blueprint("dashboards", __name__)


@bp.route("/koperasi/<coop_slug>/anggota/")
@require_member_or_former
def member_home(coop, membership):
    return private_page(
        render_template("dashboards/member_home.html", coop=coop, membership=membership)
    )


@bp.route("/koperasi/<coop_slug>/kelola/")
@require_coop_admin
def admin_home(coop, membership):
    return private_page(
        render_template("dashboards/admin_home.html", coop=coop, membership=membership)
    )
