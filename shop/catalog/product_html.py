"""The product page's content as HTML, written by Python instead of Jinja macros.

Rendered by templates/catalog/product.html with its macros, the page's content was about 25
macro calls, 30 translations and 7 url_for a view: more CPU than its queries. Here it is one
call from the template, as card_html.py does for cards: the page's words are translated once
a process for each language (they do not change while it runs), the addresses are built
from prefixes worked out once a process (for each script root), and every value from the
database is escaped, by Markup's % or by escape().

The markup is the one the template and its macros wrote (macros/images.html product_picture
for the photos, macros/products.html price_range and social_proof), whitespace aside.
"""

from dataclasses import dataclass
from functools import cache

from flask import request
from flask_babel import format_decimal, gettext, ngettext
from markupsafe import Markup, escape

from shop.catalog import addresses
from shop.catalog.addresses import Paths, segment
from shop.catalog.card_html import product_grid_html
from shop.catalog.images import picture_sources
from shop.i18n import current_language
from shop.money import format_rupiah_html
from shop.pagecache import csrf_token_for_page
from shop.reviews.html import product_reviews_html

GALLERY_SIZES = "(min-width: 48rem) 50vw, 85vw"  # the photo's width on a phone and beyond


def product_content_html(product, reviews, related, chat_link: str | None, share_link: str):
    """The page's main content: breadcrumbs, the product, its reviews, more from its maker."""
    words = _words(current_language())
    paths = addresses.paths()
    parts = [
        _breadcrumbs(product.category, words, paths),
        '<article class="product">\n',
        _gallery(product, words),
        '\n<div class="product-main">\n',
        f"<h1>{escape(product.name)}</h1>\n",
        f'<p class="product-price">{_price_range(product.variants)}</p>\n',
        _social_proof(product, words),
        _maker(product, words, paths),
        _buy_form(product, words, paths),
        '<p class="actions">\n',
        (
            f'<a class="button" href="{escape(chat_link)}" rel="noopener">{words.ask}</a>\n'
            if chat_link
            else ""
        ),
        f'<a class="button" href="{escape(share_link)}" rel="noopener">{words.share}</a>\n',
        "</p>\n</div>\n",
        _details(product, words),
        "</article>\n",
        product_reviews_html(product, reviews),
    ]
    if related:
        parts.append(
            '\n<section aria-labelledby="related-heading">\n<h2 id="related-heading">'
            f"{words.more_from % {'name': product.member.display_name}}</h2>\n"
            f"{product_grid_html(related)}\n</section>\n"
        )
    # Every value from the database is escaped above and in the helpers.
    return Markup("".join(parts))  # nosec B704


@dataclass(frozen=True)
class _Words:
    """The page's words in one language: Markup, as Jinja's _() gives them (a translation is
    trusted, the values put in with % are escaped)."""

    breadcrumb: Markup
    home: Markup
    photos_of: Markup
    no_photo: Markup
    by: Markup
    choose_variant: Markup
    standard: Markup
    out_of_stock: Markup
    stock: Markup
    quantity: Markup
    add_to_cart: Markup
    ask: Markup
    share: Markup
    details: Markup
    weight: Markup
    grams: Markup
    ready: Markup
    pre_order: Markup
    pirt: Markup
    halal: Markup
    bpom: Markup
    sold: Markup
    more_from: Markup


@cache
def _words(language: str) -> _Words:
    """Translated once a process per language: the request's language is `language`."""
    # Without variables Flask-Babel returns the translation unformatted: the placeholders
    # are filled in by Markup's %, which escapes the values. A translation is trusted, as
    # Jinja's _() trusts it.
    # Each msgid written out, so that the extraction (make messages) sees it.
    words = {
        "breadcrumb": gettext("Breadcrumb"),
        "home": gettext("Home"),
        "photos_of": gettext("Photos of %(name)s"),
        "no_photo": gettext("No photo yet"),
        "by": gettext("By"),
        "choose_variant": gettext("Choose a variant"),
        "standard": gettext("Standard"),
        "out_of_stock": gettext("Out of stock"),
        "stock": gettext("Stock: %(count)s"),
        "quantity": gettext("Quantity"),
        "add_to_cart": gettext("Add to cart"),
        "ask": gettext("Ask the seller on WhatsApp"),
        "share": gettext("Share to WhatsApp"),
        "details": gettext("Details"),
        "weight": gettext("Weight"),
        "grams": gettext("%(grams)s g"),
        "ready": gettext("Ready"),
        "pre_order": gettext("Pre-order %(days)d days"),
        "pirt": gettext("Home-industry permit (PIRT)"),
        "halal": gettext("Halal certificate"),
        "bpom": gettext("BPOM registration"),
        "sold": gettext("Sold %(count)d"),
        "more_from": gettext("More from %(name)s"),
    }
    return _Words(**{name: Markup(text) for name, text in words.items()})  # nosec B704


def _breadcrumbs(category, words: _Words, paths: Paths) -> str:
    language = current_language()
    parent = category.parent
    parent_link = (
        f'<a href="{escape(paths.category + segment(parent.slug))}">'
        f"{escape(parent.name_in(language))}</a> ›\n"
        if parent
        else ""
    )
    return (
        f'<nav class="breadcrumbs" aria-label="{words.breadcrumb}">\n'
        f'<a href="{escape(paths.home)}">{words.home}</a> ›\n{parent_link}'
        f'<a href="{escape(paths.category + segment(category.slug))}">'
        f"{escape(category.name_in(language))}</a>\n</nav>\n\n"
    )


def _gallery(product, words: _Words) -> str:
    images = product.images
    if not images:
        return (
            '<div class="gallery">\n<span class="product-photo no-photo" role="img"'
            f' aria-label="{words.no_photo}"></span>\n</div>'
        )
    # Several photos scroll sideways on a phone: focusable, so a keyboard can scroll them too.
    opening = (
        '<div class="gallery" tabindex="0" role="region"'
        f' aria-label="{words.photos_of % {"name": product.name}}">'
        if len(images) > 1
        else '<div class="gallery">'
    )
    pictures = [
        _picture(image, image.alt_text or product.name, eager=position == 0)
        for position, image in enumerate(images)
    ]
    return opening + "\n" + "\n".join(pictures) + "\n</div>"


def _picture(image, alt: str, eager: bool) -> str:
    picture = picture_sources(image)
    sizes = GALLERY_SIZES
    source = (
        f'\n<source type="image/webp" srcset="{escape(picture.webp_srcset)}" sizes="{sizes}">'
        if picture.webp_srcset
        else ""
    )
    srcset = (
        f' srcset="{escape(picture.jpeg_srcset)}" sizes="{sizes}"' if picture.jpeg_srcset else ""
    )
    loading = 'loading="eager" fetchpriority="high"' if eager else 'loading="lazy"'
    return (
        f'<picture>{source}\n<img src="{escape(picture.src)}"{srcset}\n'
        f'width="{picture.width}" height="{picture.height}"\nalt="{escape(alt)}"\n'
        f'{loading} decoding="async">\n</picture>'
    )


def _price_range(variants) -> str:
    prices = [variant.price for variant in variants]
    lowest, highest = min(prices), max(prices)
    if lowest == highest:
        return format_rupiah_html(lowest)
    return f"{format_rupiah_html(lowest)} – {format_rupiah_html(highest)}"


def _social_proof(product, words: _Words) -> str:
    """'★ 4.8 (12) · Terjual 120', from columns of the product row."""
    count, sold = product.rating_count, product.sold_count
    if not count and sold <= 0:
        return ""
    parts = []
    if count:
        average = format_decimal(product.rating_average, "0.0")
        label = ngettext(
            "Rated %(average)s of 5 by %(num)d review",
            "Rated %(average)s of 5 by %(num)d reviews",
            count,
            average=average,
        )
        parts.append(
            f'<span class="rating" role="img" aria-label="{escape(label)}">\n'
            f'<span aria-hidden="true">★ {escape(average)} ({count})</span>\n</span>'
        )
    if sold > 0:
        parts.append(words.sold % {"count": sold})
    return f'<p class="product-social">{" · ".join(parts)}</p>\n'


def _maker(product, words: _Words, paths: Paths) -> str:
    member, cooperative = product.member, product.cooperative
    coop_slug = segment(cooperative.slug)
    member_path = paths.member % (coop_slug, segment(member.member_number))
    return (
        f'<p class="muted">\n{words.by} <a href="{escape(member_path)}">'
        f"{escape(member.display_name)}</a>\n"
        f'· <a href="{escape(paths.cooperative + coop_slug)}">{escape(cooperative.name)}</a>\n'
        "</p>\n"
    )


def _buy_form(product, words: _Words, paths: Paths) -> str:
    variants = product.variants
    available = [variant for variant in variants if variant.stock > 0]
    if not available:
        return f'\n<p class="badge">{words.out_of_stock}</p>\n\n'
    chosen = available[0]
    choices = "\n".join(_variant_choice(variant, variant is chosen, words) for variant in variants)
    return (
        f'<form class="buy" method="post" action="{escape(paths.add_to_cart)}">\n'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token_for_page())}">\n'
        f'<input type="hidden" name="next" value="{escape(request.path)}">\n'
        f"<fieldset>\n<legend>{words.choose_variant}</legend>\n{choices}\n</fieldset>\n"
        '<div class="field quantity">\n'
        f'<label for="quantity">{words.quantity}</label>\n'
        '<input id="quantity" name="quantity" type="number" inputmode="numeric" min="1"'
        ' max="999" value="1" required>\n</div>\n'
        f'<button type="submit" class="button primary">{words.add_to_cart}</button>\n'
        "</form>\n\n"
    )


def _variant_choice(variant, is_chosen: bool, words: _Words) -> str:
    sold_out = variant.stock == 0
    stock = words.out_of_stock if sold_out else words.stock % {"count": variant.stock}
    label = escape(variant.option_label) if variant.option_label else words.standard
    return (
        f'<label class="variant{" sold-out" if sold_out else ""}">\n'
        f'<input type="radio" name="variant_id" value="{variant.id}"'
        f"{' checked' if is_chosen else ''}{' disabled' if sold_out else ''}>\n"
        f'<span class="variant-label">{label}</span>\n'
        f'<span class="variant-price">{format_rupiah_html(variant.price)}</span>\n'
        f'<span class="variant-stock">{stock}</span>\n</label>\n'
    )


def _details(product, words: _Words) -> str:
    facts = [f"<dt>{words.weight}</dt><dd>{words.grams % {'grams': product.weight_grams}}</dd>"]
    if product.pre_order_days:
        days = words.pre_order % {"days": product.pre_order_days}
        facts.append(f"<dt>{words.ready}</dt><dd>{days}</dd>")
    if product.is_pirt_current:
        facts.append(f"<dt>{words.pirt}</dt><dd>{escape(product.pirt_number)}</dd>")
    if product.halal_number:
        facts.append(f"<dt>{words.halal}</dt><dd>{escape(product.halal_number)}</dd>")
    if product.bpom_number:
        facts.append(f"<dt>{words.bpom}</dt><dd>{escape(product.bpom_number)}</dd>")
    description = (
        f'<p class="description">{escape(product.description)}</p>\n' if product.description else ""
    )
    return (
        '\n<section class="details" aria-labelledby="details-heading">\n'
        f'<h2 id="details-heading">{words.details}</h2>\n{description}'
        '<dl class="facts">\n' + "\n".join(facts) + "\n</dl>\n</section>\n"
    )
