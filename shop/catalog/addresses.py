"""Storefront addresses as url_for writes them, without a url_for per address.

A url_for costs a storefront page about as much as writing a product card: the product page
wrote the product's own address three times (the structured data, the WhatsApp messages, the
related cards' prefix) and its breadcrumbs, maker and buy form five more. The prefixes here
are built by url_for itself once a process (for each script root, and for each scheme and
host for absolute addresses); a slug is then quoted as werkzeug's converter quotes a path
segment (slugs have no "/").
"""

from dataclasses import dataclass
from functools import cache, lru_cache

from flask import request, url_for

from shop.url_quote import quote

# werkzeug's own safe characters for a path segment (slugs are letters, digits and dashes).
SEGMENT_SAFE = "!$&'()*+,:;=@"
_MARK = "__mark__"


@dataclass(frozen=True)
class Paths:
    home: str
    product: str  # + slug
    category: str  # + slug
    cooperative: str  # + cooperative slug
    member: str  # % (cooperative slug, member number)
    add_to_cart: str


def segment(value: str) -> str:
    """A value as url_for puts it in a path."""
    return quote(value, SEGMENT_SAFE)


def paths() -> Paths:
    """The storefront's paths for this request."""
    return _paths(request.script_root)


def product_path(slug: str) -> str:
    """url_for("catalog.product", slug=slug)."""
    return _paths(request.script_root).product + segment(slug)


def category_path(slug: str) -> str:
    """url_for("catalog.category", slug=slug)."""
    return _paths(request.script_root).category + segment(slug)


def external_product_url(slug: str) -> str:
    """url_for("catalog.product", slug=slug, _external=True)."""
    environ = request.environ
    return _external_product_prefix(
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME"),
    ) + segment(slug)


@cache
def _paths(script_root: str) -> Paths:
    """Once a process for each script root (the request's is `script_root`)."""
    member = url_for("catalog.member", coop_slug=_MARK, member_number=_MARK)
    return Paths(
        home=url_for("core.home"),
        product=_prefix("catalog.product", "slug"),
        category=_prefix("catalog.category", "slug"),
        cooperative=_prefix("catalog.cooperative", "coop_slug"),
        member=member.replace("%", "%%").replace(_MARK, "%s"),
        add_to_cart=url_for("cart.add"),
    )


@lru_cache(maxsize=16)  # a Host header is the visitor's to choose: a few are kept
def _external_product_prefix(*request_address: str | None) -> str:
    """For the request's scheme, host and script root (everything url_for reads of the
    request to write an absolute address), given as `request_address`."""
    return _prefix("catalog.product", "slug", _external=True)


def _prefix(endpoint: str, name: str, **options) -> str:
    return url_for(endpoint, **{name: _MARK}, **options).removesuffix(_MARK)
