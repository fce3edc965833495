"""/cari: product search with filters and sorts, a plain GET form that works without
JavaScript, and the word suggestions its script offers while the shopper types."""

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from shop.auth.policy import public
from shop.search import services
from shop.search.form_html import filter_fields_html
from shop.search.forms import MAX_QUERY_LENGTH
from shop.search.listing import list_products
from shop.search.vocabulary import suggestions

bp = Blueprint("search", __name__)
bp.add_app_template_global(filter_fields_html, "filter_fields_html")


@bp.app_template_global()
def listing_url(args: dict[str, str]) -> str:
    """This listing's page (search, category, cooperative, member) with these arguments."""
    return url_for(request.endpoint, **request.view_args, **args)


@bp.app_template_global()
def listing_macros():
    """The macros of templates/search/_listing.html (results, chips, browse_form), for the
    listing pages to call. Not `{% from ... import %}`: on every render Jinja's import tests
    each of the importing template's 42 globals against the module's (a ChainMap), which
    cost a listing page about as much as its results' heading."""
    return current_app.jinja_env.get_template("search/_listing.html").module


SUGGESTIONS_MAX_AGE = 300  # seconds; the same for everyone, so shared caches may keep them


@bp.route("/cari")
@public
def results():
    listing = list_products(request.args, services.filter_choices())
    return render_template(
        "search/results.html", listing=listing, search_query=listing.form.params.q
    )


@bp.route("/cari/saran")
@public
def suggest():
    typed = " ".join((request.args.get("q") or "").split())[:MAX_QUERY_LENGTH]
    # Only the last word is being typed; the ones before it are kept as they are.
    before, _space, last = typed.rpartition(" ")
    words = suggestions(last)
    response = jsonify({"q": typed, "suggestions": [f"{before} {word}".strip() for word in words]})
    response.headers["Cache-Control"] = f"public, max-age={SUGGESTIONS_MAX_AGE}"
    return response
