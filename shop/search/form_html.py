"""The filter and sort fields of a listing, rendered once for each distinct content.

Every category, cooperative, member and search page shows the same form: about 40 options
and a dozen translated labels. Its markup depends only on what is keyed below (the language,
the choices offered, what the page fixes, what the visitor chose or typed, the notes), all
read fresh each request, so a page whose form has been rendered before in this worker reuses
the markup: nothing can go stale, a changed category name or a new cooperative is another
key. The macro filter_fields in templates/search/_listing.html stays the one place the
markup is written.
"""

from flask import current_app
from markupsafe import Markup

from shop.i18n import current_language

MAX_KEPT = 256  # distinct forms kept per worker (each a few KB); then start again

_rendered: dict[tuple, Markup] = {}


def filter_fields_html(listing) -> Markup:
    """The markup of filter_fields(listing)."""
    key = _key(listing)
    html = _rendered.get(key)
    if html is None:
        template = current_app.jinja_env.get_template("search/_listing.html")
        # The macro's own output, autoescaped by Jinja as when a template calls it.
        html = Markup(template.module.filter_fields(listing))  # nosec B704
        if len(_rendered) >= MAX_KEPT:
            _rendered.clear()
        _rendered[key] = html
    return html


def _key(listing) -> tuple:
    form, choices, params = listing.form, listing.choices, listing.form.params
    language = current_language()
    categories = (
        ()
        if "category" in form.fixed
        else tuple((c.slug, c.parent_id is None, c.name_in(language)) for c in choices.categories)
    )
    cooperatives = (
        () if "cooperative" in form.fixed else tuple((c.slug, c.name) for c in choices.cooperatives)
    )
    return (
        language,
        form.fixed,
        tuple(sorted((name, str(note)) for name, note in form.notes.items())),
        categories,
        cooperatives,
        params.category,
        params.cooperative,
        form.min_price_text,
        form.max_price_text,
        params.in_stock,
        params.effective_sort,
    )
