"""shop/catalog/addresses.py writes the storefront's addresses as url_for writes them."""

import pytest
from flask import url_for

from shop.catalog import addresses

# Slugs have no "/" (addresses.py); anything else a seller could type is quoted alike.
SLUGS = ["camilan", "kue & roti", "ayam-goreng-100%", "kopi’s", "a+b=c;d@e"]


@pytest.mark.parametrize("slug", SLUGS)
def test_category_and_product_paths_are_url_fors(app, slug):
    for script_root in ("", "/pasar"):
        with app.test_request_context("/", environ_base={"SCRIPT_NAME": script_root}):
            assert addresses.category_path(slug) == url_for("catalog.category", slug=slug)
            assert addresses.product_path(slug) == url_for("catalog.product", slug=slug)
