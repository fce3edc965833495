"""The platform operator's pages."""

from flask import Blueprint, render_template

from shop.auth.policy import require_operator
from shop.operator.services import platform_figures

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.route("/")
@require_operator
def dashboard():
    return render_template("operator/dashboard.html", figures=platform_figures())
