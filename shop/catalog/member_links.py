"""The member list of a cooperative's page, written by Python.

A cooperative lists every active member (25 in the bench data, some have hundreds): as a
Jinja loop each link cost a filter, three escapes and the loop's own bookkeeping, together
more than the page's header. Here the address is a prefix worked out once a request, and
the markup, whitespace included, is what the loop in templates/catalog/cooperative.html
wrote.
"""

from markupsafe import Markup

from shop.catalog import addresses
from shop.catalog.addresses import segment
from shop.html_text import escape_text
from shop.url_quote import quote


def member_links_html(coop_slug: str, members) -> Markup:
    """An <li> with a link to each member's page, in the order given."""
    prefix = escape_text(addresses.paths().member % (segment(coop_slug), ""))
    # A member number quoted as Jinja's urlencode quoted it (quote() leaves nothing to
    # escape); every name escaped.
    return Markup(  # nosec B704
        "".join(
            [
                f'\n        <li><a href="{prefix}{quote(member.member_number)}">'
                f"{escape_text(member.display_name)}</a></li>\n      "
                for member in members
            ]
        )
    )
