"""Product cards as HTML, written by Python instead of Jinja macros.

A listing shows up to 24 cards. Rendered by the product_card macro, each card was five macro
calls (card, picture, price, rating, sold count), a url_for and a dozen filters: about a
third of an uncached listing's time. Here a whole grid is one function call from the
template: the translated phrases are looked up once a process for each language, the product
and media addresses are prefixes worked out once a request, a photo's <picture> is a
template kept for each original width (only its folder and height differ from photo to
photo), and every value from the database is escaped.

The markup is that of templates/macros/products.html and macros/images.html (product_card,
product_picture with alt="" and lazy loading); product_grid and product_card there call this.
It reads Card (shop/catalog/cards.py) or Product objects alike.
"""

from dataclasses import dataclass
from functools import lru_cache
from posixpath import dirname

from flask import current_app
from flask_babel import format_decimal, gettext, ngettext
from markupsafe import Markup

from shop.catalog import addresses
from shop.catalog.addresses import segment
from shop.catalog.images import FALLBACK_WIDTH, widths_for_original
from shop.html_text import escape_text
from shop.i18n import current_language
from shop.media.storage import media_url_prefix
from shop.money import format_rupiah_html
from shop.url_quote import quote

# Two cards a row on a phone, four from 40rem: the browser picks the rendition to match.
CARD_SIZES = "(min-width: 72rem) 17rem, (min-width: 40rem) 23vw, 46vw"
NO_PICTURE = '<span class="product-photo no-photo" aria-hidden="true"></span>'
_FOLDER = "\0"  # where a picture template takes the photo's folder (never in the markup)


def product_grid_html(products, heading: str = "h3") -> Markup:
    """<ul class="product-grid"> with a card per product."""
    return Markup('<ul class="product-grid">%s</ul>') % product_cards_html(products, heading)


def product_cards_html(products, heading: str = "h3") -> Markup:
    """The cards' <li> elements, in the order given."""
    phrases = _phrases(current_language())
    prefix = escape_text(addresses.paths().product)
    media = escape_text(media_url_prefix()) if any(p.images for p in products) else ""
    # Every value from the database is escaped in _card and its helpers.
    return Markup(  # nosec B704
        "\n".join([_card(product, heading, prefix, media, phrases) for product in products])
    )


@dataclass(frozen=True)
class _Phrases:
    """The fixed words of a card in one language, escaped."""

    language: str
    sold: str  # "Sold %(count)d": the count, an int, is put in by %
    out_of_stock: str

    def rated(self, average: float, count: int) -> tuple[str, str]:
        """The rating's words for a screen reader, and its figure."""
        figure = _decimal(self.language, average)
        words = ngettext(
            "Rated %(average)s of 5 by %(num)d review",
            "Rated %(average)s of 5 by %(num)d reviews",
            count,
            average=figure,
        )
        return escape_text(words), escape_text(figure)


def _phrases(language: str) -> _Phrases:
    """Translated once for each language (the request's language is `language`) and app: two
    apps in one process may read different catalogs, and in development (templates
    auto-reloading) a recompiled catalog shows at once."""
    kept = current_app.extensions.setdefault("card_phrases", {})
    phrases = kept.get(language)
    if phrases is None:
        # Without variables Flask-Babel returns the translation unformatted; escaped here.
        phrases = _Phrases(
            language=language,
            sold=escape_text(gettext("Sold %(count)d")),
            out_of_stock=escape_text(gettext("Out of stock")),
        )
        if not current_app.jinja_env.auto_reload:
            kept[language] = phrases
    return phrases


@lru_cache(maxsize=128)  # averages are 0.0 to 5.0 in tenths: 51 a language
def _decimal(language: str, value: float) -> str:
    """A rating as the request's language writes it (`language`): 4.8, 4,8."""
    return format_decimal(value, "0.0")


def _card(product, heading: str, prefix: str, media: str, phrases: _Phrases) -> str:
    href = prefix + escape_text(segment(product.slug))
    picture = _picture(product.images[0], media) if product.images else NO_PICTURE
    lowest = highest = None
    in_stock = False
    for variant in product.variants:
        price = variant.price
        if lowest is None or price < lowest:
            lowest = price
        if highest is None or price > highest:
            highest = price
        in_stock = in_stock or variant.stock > 0
    if lowest is None:
        price_range = ""
    elif lowest == highest:
        price_range = format_rupiah_html(lowest)
    else:
        price_range = f"{format_rupiah_html(lowest)} – {format_rupiah_html(highest)}"
    parts = [
        f'<li class="product-card">\n<a class="product-link" href="{href}">{picture}\n'
        f'<{heading} class="product-name">{escape_text(product.name)}</{heading}>\n</a>\n'
        f'<p class="product-price">{price_range}</p>\n'
    ]
    if product.rating_count or product.sold_count > 0:
        parts.append(f'<p class="product-social">{_social_proof(product, phrases)}</p>\n')
    parts.append(f'<p class="product-coop">{escape_text(product.cooperative.name)}</p>\n')
    if not in_stock:
        parts.append(f'<p class="badge">{phrases.out_of_stock}</p>\n')
    parts.append("</li>")
    return "".join(parts)


def _social_proof(product, phrases: _Phrases) -> str:
    """'★ 4.8 (12) · Terjual 120': from columns of the product row, no query per card."""
    count, sold = product.rating_count, product.sold_count
    parts = []
    if count:
        label, figure = phrases.rated(product.rating_average, count)
        parts.append(
            f'<span class="rating" role="img" aria-label="{label}">'
            f'<span aria-hidden="true">★ {figure} ({count})</span></span>'
        )
    if sold > 0:
        parts.append(phrases.sold % {"count": sold})
    return " · ".join(parts)


def _picture(image, media: str) -> str:
    """The photo's <picture>; `media` is media_url_prefix() escaped. A quoted key needs no
    escaping: quote() leaves only letters, digits, _.-~ and /."""
    if not image.rendition_key:  # renditions not made yet: the original
        return (
            f'<picture>\n<img src="{media}{quote(image.file_path)}" width="{image.width}"'
            f' height="{image.height}" alt="" loading="lazy" decoding="async">\n</picture>'
        )
    # The renditions' folder, beside the original, as images.rendition_path() places them.
    folder = media + quote(f"{dirname(dirname(image.file_path))}/{image.rendition_key}/")
    pieces, fallback = _picture_template(image.width)
    height = max(1, round(image.height * fallback / image.width))
    return f"{folder.join(pieces)}{height}{_PICTURE_END}"


_PICTURE_END = '" alt="" loading="lazy" decoding="async">\n</picture>'


@lru_cache(maxsize=256)
def _picture_template(original_width: int) -> tuple[list[str], int]:
    """The <picture> of a photo this wide, up to its height's value, cut where its folder
    goes; and the width of its fallback <img>."""
    widths = widths_for_original(original_width)
    fallback = max(width for width in widths if width <= FALLBACK_WIDTH)
    webp = ", ".join(f"{_FOLDER}{width}.webp {width}w" for width in widths)
    jpeg = ", ".join(f"{_FOLDER}{width}.jpg {width}w" for width in widths)
    template = (
        f'<picture><source type="image/webp" srcset="{webp}" sizes="{CARD_SIZES}">\n'
        f'<img src="{_FOLDER}{fallback}.jpg" srcset="{jpeg}" sizes="{CARD_SIZES}"'
        f' width="{fallback}" height="'
    )
    return template.split(_FOLDER), fallback
