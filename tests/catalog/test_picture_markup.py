"""The product page's photos are written by Python (shop/catalog/product_html.py _picture);
the consoles' pages use the product_picture macro (macros/images.html). Both must write the
same element for the same photo, whitespace aside."""

import re

import pytest
from flask import render_template_string

from shop.catalog import card_html, product_html
from shop.catalog.cards import CardImage

MACRO = (
    '{% from "macros/images.html" import product_picture %}'
    "{{ product_picture(image, sizes, eager=eager, alt=alt) }}"
)


def normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


@pytest.mark.parametrize("eager", [True, False])
@pytest.mark.parametrize(
    "image",
    [
        CardImage(7, "products/3/original/a.jpg", "k1", 1600, 1200, "Kopi & <gula>"),
        CardImage(8, "products/3/original/b.jpg", "", 500, 400, ""),  # no renditions yet
        CardImage(9, "products/3/original/c.jpg", "k2", 200, 150, "Kecil"),
    ],
)
def test_the_gallery_picture_is_the_macros(app, image, eager):
    alt = image.alt_text or "Kopi Gayo"
    with app.test_request_context("/produk/kopi"):
        by_python = product_html._picture(image, alt, eager=eager)
        by_macro = render_template_string(
            MACRO, image=image, sizes=product_html.GALLERY_SIZES, eager=eager, alt=alt
        )
    assert normalised(by_python) == normalised(by_macro)


@pytest.mark.parametrize(
    "image",
    [
        CardImage(7, "products/3/original/a.jpg", "k1", 1600, 1200, "Kopi & <gula>"),
        CardImage(8, "products/3/original/b.jpg", "", 500, 400, ""),  # no renditions yet
        CardImage(9, "products/3/original/c.jpg", "k2", 200, 150, "Kecil"),
        CardImage(10, "products/3/k&o/d.jpg", "k'3", 101, 333, ""),  # narrower than 160 px
        CardImage(11, "products/3/original/e.jpg", "k4", 640, 1, ""),  # a height of 0.5 px
    ],
)
def test_a_cards_picture_is_the_macros(app, image):
    """A card's photo (shop/catalog/card_html.py, its template kept per width) is the macro's
    with alt="" and lazy loading, wherever the media files are served from."""
    settings = {name: app.config.get(name) for name in ("MEDIA_URL_MODE", "MEDIA_PUBLIC_BASE_URL")}
    for mode, base_url in (("app", None), ("direct", "https://cdn.example/m&m/")):
        app.config.update(MEDIA_URL_MODE=mode, MEDIA_PUBLIC_BASE_URL=base_url)
        try:
            with app.test_request_context("/kategori/kuliner"):
                media = card_html.escape_text(card_html.media_url_prefix())
                by_python = card_html._picture(image, media)
                by_macro = render_template_string(
                    MACRO, image=image, sizes=card_html.CARD_SIZES, eager=False, alt=""
                )
        finally:
            app.config.update(settings)
        assert normalised(by_python) == normalised(by_macro)
