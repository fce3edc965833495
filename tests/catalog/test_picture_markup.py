"""The product page's photos are written by Python (shop/catalog/product_html.py _picture);
the consoles' pages use the product_picture macro (macros/images.html). Both must write the
same element for the same photo, whitespace aside."""

import re

import pytest
from flask import render_template_string

from shop.catalog import product_html
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
