"""schema.org Product data for a product page (JSON-LD): what search engines show as price,
stock and stars. AggregateRating and Review items only when the product has visible reviews:
an empty rating is an error in Google's eyes."""

from shop.catalog.addresses import product_path
from shop.catalog.product_page import PageProduct
from shop.seo.services import absolute_url

REVIEWS_IN_DATA = 5  # the newest few; the page shows the rest


def product_data(product: PageProduct, image_url: str | None, reviews: list | None = None) -> dict:
    """The Product object; reviews are the visible ones shown on the page, newest first."""
    prices = [variant.price for variant in product.variants]
    in_stock = any(variant.stock > 0 for variant in product.variants)
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": absolute_url(product_path(product.slug)),
        "brand": {"@type": "Brand", "name": product.member.display_name},
        "offers": {
            "@type": "AggregateOffer",
            "priceCurrency": "IDR",
            "lowPrice": min(prices),
            "highPrice": max(prices),
            "offerCount": len(prices),
            "availability": "https://schema.org/" + ("InStock" if in_stock else "OutOfStock"),
        },
    }
    if product.description:
        data["description"] = product.description[:500]
    if image_url:
        data["image"] = image_url
    if product.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": product.rating_average,
            "reviewCount": product.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
        data["review"] = [_review(review) for review in (reviews or [])[:REVIEWS_IN_DATA]]
    return data


def _review(review) -> dict:
    item = {
        "@type": "Review",
        "author": {"@type": "Person", "name": review.author_name},
        "datePublished": review.created_at.date().isoformat(),
        "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5},
    }
    if review.text:
        item["reviewBody"] = review.text
    return item
