"""The frame of every page (base.html): header, search form and footer.

Most of it is the same on every page in one language: a dozen url_for and as many gettext
calls that were a fifth of a storefront page's time. templates/_frame.html holds those parts;
they are rendered once per language (and script root) in each process and kept, and
base.html puts in only what differs by request: the title, the canonical address, the cart
and notification counts, the search words, the flashes and the language links' `next`.
"""

from flask import Flask, current_app, g, request
from jinja2.environment import TemplateModule

from shop.i18n import current_language
from shop.seo.services import canonical_url
from shop.url_quote import quote_plus

FRAME_TEMPLATE = "_frame.html"
# werkzeug's safe characters in a query value, as url_for encodes `next` (werkzeug.urls).
_QUERY_SAFE = "!$'()*,/:;?@"


def init_page_frame(app: Flask) -> None:
    app.extensions["page_frames"] = {}
    app.jinja_env.globals.update(
        page_frame=page_frame,
        language_next_query=language_next_query,
        canonical_url=canonical_url_once,
    )


def page_frame() -> TemplateModule:
    """The request language's frame parts (see templates/_frame.html)."""
    # get_template is Jinja's cached lookup; in debug it reloads an edited file, and a new
    # template object means the kept frame is stale.
    template = current_app.jinja_env.get_template(FRAME_TEMPLATE)
    key = (current_language(), request.script_root)
    frames = current_app.extensions["page_frames"]
    kept = frames.get(key)
    if kept is None or kept[0] is not template:
        kept = frames[key] = (template, template.make_module())
    return kept[1]


def language_next_query() -> str:
    """?next=<this page> for the language links, as url_for would write it."""
    next_path = request.full_path if request.method == "GET" else "/"
    return "?next=" + quote_plus(next_path, _QUERY_SAFE)  # as urlencode() writes it


def canonical_url_once() -> str:
    """canonical_url() once a request: base.html writes it in two places."""
    if "canonical_url" not in g:
        g.canonical_url = canonical_url()
    return g.canonical_url
