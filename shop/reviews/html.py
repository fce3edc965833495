"""Reviews as HTML, written by Python: a product page shows up to ten, each with its stars,
photos and reply, and as Jinja macros they were a dozen macro calls a review. The review
macro of macros/reviews.html (the consoles' lists) calls review_html too, so the markup is
written here only. Every value from the database is escaped.
"""

from functools import cache

from flask import request, url_for
from flask_babel import format_datetime, format_decimal, gettext, ngettext
from markupsafe import Markup, escape

from shop.catalog.images import picture_sources
from shop.i18n import current_language


def product_reviews_html(product, reviews) -> Markup:
    """The product page's reviews section: average, count, how many of each star, a page of
    reviews newest first and the links to the other pages; reviews is None without any."""
    title, no_reviews = _section_words(current_language())
    heading = (
        '<section class="product-reviews" id="ulasan" aria-labelledby="reviews-heading">\n'
        f'<h2 id="reviews-heading">{title}</h2>\n'
    )
    if not reviews:
        return Markup(f'{heading}<p class="muted">{no_reviews}</p>\n</section>\n')  # nosec B704
    average = format_decimal(product.rating_average, "0.0")  # as the rating_number filter
    count = ngettext("%(num)d review", "%(num)d reviews", product.rating_count)
    stars_label = gettext("%(stars)d stars")
    caption = gettext("Reviews by number of stars")
    rows = "\n".join(
        f'<tr>\n<th scope="row">{stars_label % {"stars": stars}}</th>\n'
        '<td><span class="bar" aria-hidden="true">'
        f'<span class="bar-{round(percent / 10) * 10}"></span></span></td>\n'
        f'<td class="number">{number}</td>\n</tr>'
        for stars, number, percent in reviews.distribution
    )
    items = "\n".join(
        f'<li class="review">{review_html(review)}</li>' for review in reviews.page.items
    )
    return Markup(  # nosec B704
        f'{heading}<p class="rating-average"><strong>{escape(average)}</strong> / 5 · '
        f"{count}</p>\n"
        f'<table class="rating-bars">\n<caption class="visually-hidden">'
        f"{caption}</caption>\n<tbody>\n{rows}\n</tbody>\n</table>\n"
        f'<ul class="reviews">\n{items}\n</ul>\n{_pagination(reviews.page)}\n</section>\n'
    )


@cache
def _section_words(language: str) -> tuple[str, str]:
    """The section's heading and its text without reviews, translated once a process for each
    language (the request's language is `language`): every product page shows them."""
    # Every gettext outside the f-strings: the extraction (make messages) does not look
    # inside them.
    return (
        gettext("Reviews"),
        gettext(
            "No reviews yet. Shoppers can review what they bought once their order is completed."
        ),
    )


def review_html(review, show_item: bool = False) -> Markup:
    """One review as the public reads it (and the consoles, with their actions after it)."""
    edited = " · " + gettext("edited") if review.edited_at else ""
    parts = [
        f'<p class="review-head">\n{_stars(review.rating)}\n'
        f"<strong>{escape(review.author_name)}</strong>\n"
        f'<span class="muted">· {escape(_datetime(review.created_at))}{edited}</span>\n</p>\n'
    ]
    if show_item:
        parts.append(f'<p class="muted">{escape(review.item_name)}</p>\n')
    if review.text:
        parts.append(f'<p class="review-text">{escape(review.text)}</p>\n')
    parts.append(review_photos_html(review) + "\n")
    if review.reply_text:
        replied = gettext("The seller replied")
        parts.append(
            f'<div class="review-reply">\n<p><strong>{replied}</strong>'
            f' <span class="muted">· {escape(_datetime(review.replied_at))}</span></p>\n'
            f'<p class="review-text">{escape(review.reply_text)}</p>\n</div>\n'
        )
    return Markup("".join(parts))  # nosec B704


def _datetime(value) -> str:
    return format_datetime(value, "medium") if value else ""


def _stars(rating: int) -> str:
    label = gettext("%(rating)d of 5 stars") % {"rating": rating}
    return (
        f'<span class="stars" role="img" aria-label="{label}">{"★" * rating}'
        f'<span class="stars-off">{"★" * (5 - rating)}</span></span>'
    )


def review_photos_html(review) -> Markup:
    """A review's photos, small, each a link to the larger picture; nothing without photos."""
    if not review.photos:
        return Markup("")
    items = []
    for number, photo in enumerate(review.photos, start=1):
        picture = picture_sources(photo)
        source = (
            f'<source type="image/webp" srcset="{escape(picture.webp_srcset)}" sizes="6rem">'
            if picture.webp_srcset
            else ""
        )
        srcset = (
            f' srcset="{escape(picture.jpeg_srcset)}" sizes="6rem"' if picture.jpeg_srcset else ""
        )
        alt = Markup(gettext("Photo %(number)d of the review by %(name)s")) % {  # nosec B704
            "number": number,
            "name": review.author_name,
        }
        items.append(
            f'<li><a href="{escape(picture.src)}"><picture>{source}'
            f'<img src="{escape(picture.src)}"{srcset}\n'
            f'width="{picture.width}" height="{picture.height}" loading="lazy"'
            f' decoding="async"\nalt="{alt}">\n</picture></a></li>'
        )
    return Markup('<ul class="review-photos">\n' + "\n".join(items) + "\n</ul>")  # nosec B704


def _pagination(page) -> str:
    """Previous / next links that keep the query string, as macros/products.html's."""
    if page.page_count <= 1:
        return ""
    args = request.args.to_dict()
    args.update(request.view_args or {})
    pages, previous, next_ = gettext("Pages"), gettext("Previous"), gettext("Next")
    parts = [f'<nav class="pagination" aria-label="{pages}">']
    if page.has_previous:
        args["page"] = page.number - 1
        href = escape(url_for(request.endpoint, **args))
        parts.append(f'<a rel="prev" href="{href}">{previous}</a>')
    if page.total_is_capped:
        where = gettext("Page %(number)s") % {"number": page.number}
    else:
        where = gettext("Page %(number)s of %(count)s") % {
            "number": page.number,
            "count": page.page_count,
        }
    parts.append(f'<span aria-current="page">{where}</span>')
    if page.has_next:
        args["page"] = page.number + 1
        href = escape(url_for(request.endpoint, **args))
        parts.append(f'<a rel="next" href="{href}">{next_}</a>')
    return "\n".join(parts) + "\n</nav>"
