"""Product cards as HTML, written by Python instead of Jinja macros.

A listing shows up to 24 cards. Rendered by the product_card macro, each card was five macro
calls (card, picture, price, rating, sold count), a url_for and a dozen filters: about a
third of an uncached listing's time. Here a whole grid is one function call from the
template: the translated phrases are looked up once a process for each language, the product
address is a prefix worked out once a request, and every value from the database is escaped.

The markup is that of templates/macros/products.html and macros/images.html (product_card,
product_picture with alt="" and lazy loading); product_grid and product_card there call this.
It reads Card (shop/catalog/cards.py) or Product objects alike.
"""

from dataclasses import dataclass
from functools import cache

from flask_babel import format_decimal, gettext, ngettext
from markupsafe import Markup, escape

from shop.catalog import addresses
from shop.catalog.addresses import segment
from shop.catalog.images import picture_sources
from shop.i18n import current_language
from shop.money import format_rupiah

# Two cards a row on a phone, four from 40rem: the browser picks the rendition to match.
CARD_SIZES = "(min-width: 72rem) 17rem, (min-width: 40rem) 23vw, 46vw"
NO_PICTURE = '<span class="product-photo no-photo" aria-hidden="true"></span>'


def product_grid_html(products, heading: str = "h3") -> Markup:
    """<ul class="product-grid"> with a card per product."""
    return Markup('<ul class="product-grid">%s</ul>') % product_cards_html(products, heading)


def product_cards_html(products, heading: str = "h3") -> Markup:
    """The cards' <li> elements, in the order given."""
    phrases = _phrases(current_language())
    prefix = addresses.paths().product
    # Every value from the database is escaped in _card and its helpers.
    return Markup(  # nosec B704
        "\n".join(_card(product, heading, prefix, phrases) for product in products)
    )


@dataclass(frozen=True)
class _Phrases:
    """The fixed words of a card in one language."""

    sold: Markup  # "Sold %(count)d": the count is put in by Markup's % (escaped)
    out_of_stock: str

    @staticmethod
    def rated(average: str, count: int) -> str:
        return str(
            escape(
                ngettext(
                    "Rated %(average)s of 5 by %(num)d review",
                    "Rated %(average)s of 5 by %(num)d reviews",
                    count,
                    average=average,
                )
            )
        )


@cache
def _phrases(language: str) -> _Phrases:
    """Translated once a process for each language (the request's language is `language`)."""
    # Without variables Flask-Babel returns the translation unformatted; escaped here.
    return _Phrases(
        sold=Markup(escape(gettext("Sold %(count)d"))),  # nosec B704
        out_of_stock=str(escape(gettext("Out of stock"))),
    )


def _card(product, heading: str, prefix: str, phrases: _Phrases) -> str:
    href = escape(prefix + segment(product.slug))
    picture = _picture(product.images[0]) if product.images else NO_PICTURE
    parts = [
        f'<li class="product-card">\n<a class="product-link" href="{href}">{picture}\n'
        f'<{heading} class="product-name">{escape(product.name)}</{heading}>\n</a>\n'
        f'<p class="product-price">{_price_range(product.variants)}</p>\n'
    ]
    social = _social_proof(product, phrases)
    if social:
        parts.append(f'<p class="product-social">{social}</p>\n')
    parts.append(f'<p class="product-coop">{escape(product.cooperative.name)}</p>\n')
    if not any(variant.stock > 0 for variant in product.variants):
        parts.append(f'<p class="badge">{phrases.out_of_stock}</p>\n')
    parts.append("</li>")
    return "".join(parts)


def _price_range(variants) -> str:
    prices = [variant.price for variant in variants]
    if not prices:
        return ""
    lowest, highest = min(prices), max(prices)
    if lowest == highest:
        return format_rupiah(lowest)
    return f"{format_rupiah(lowest)} – {format_rupiah(highest)}"


def _social_proof(product, phrases: _Phrases) -> str:
    """'★ 4.8 (12) · Terjual 120': from columns of the product row, no query per card."""
    count, sold = product.rating_count, product.sold_count
    parts = []
    if count:
        average = format_decimal(product.rating_average, "0.0")
        parts.append(
            f'<span class="rating" role="img" aria-label="{phrases.rated(average, count)}">'
            f'<span aria-hidden="true">★ {escape(average)} ({count})</span></span>'
        )
    if sold > 0:
        parts.append(phrases.sold % {"count": sold})
    return " · ".join(parts)


def _picture(image) -> str:
    picture = picture_sources(image)
    sizes = CARD_SIZES
    source = (
        f'<source type="image/webp" srcset="{escape(picture.webp_srcset)}" sizes="{sizes}">'
        if picture.webp_srcset
        else ""
    )
    srcset = (
        f' srcset="{escape(picture.jpeg_srcset)}" sizes="{sizes}"' if picture.jpeg_srcset else ""
    )
    return (
        f'<picture>{source}\n<img src="{escape(picture.src)}"{srcset}'
        f' width="{picture.width}" height="{picture.height}" alt=""'
        ' loading="lazy" decoding="async">\n</picture>'
    )
