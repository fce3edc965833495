"""/cari: product search with filters and sorts, a plain GET form that works without JavaScript."""

from flask import Blueprint, render_template, request

from shop.auth.policy import public
from shop.search import services
from shop.search.forms import SORT_LABELS, parse_search_args

bp = Blueprint("search", __name__)


@bp.route("/cari")
@public
def results():
    choices = services.filter_choices()
    form = parse_search_args(request.args, choices)
    return render_template(
        "search/results.html",
        form=form,
        choices=choices,
        sort_labels=SORT_LABELS,
        page=services.search_products(form.params),
        search_query=form.params.q,
    )
