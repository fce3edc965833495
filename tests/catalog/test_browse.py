"""Category, cooperative and member pages filter and sort as the search does, show the
filters that are on as chips that remove them, and keep to the query budget."""

import re

import pytest

from tests.catalog.test_storefront import html_of, shop_front  # noqa: F401  (fixture)
from tests.factories import make_product


def product_slugs(html: str) -> list[str]:
    return re.findall(r'href="/produk/([^"]+)"', html.split('id="results-heading"', 1)[1])


BROWSE_PAGES = ["/kategori/kuliner", "/koperasi/mlijo", "/koperasi/mlijo/umkm/0007"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/kategori/kuliner?in_stock=1", ["sambal-roa", "keripik-tempe-sagu"]),
     ("/kategori/kuliner?max_price=20.000&sort=price_asc",
      ["rempeyek-kacang", "keripik-tempe-sagu"]),
     ("/kategori/kuliner?cooperative=tenun", []),
     ("/koperasi/mlijo?category=bumbu-sambal", ["sambal-roa"]),
     ("/koperasi/mlijo?sort=price_desc", ["sambal-roa", "keripik-tempe-sagu", "rempeyek-kacang"]),
     ("/koperasi/mlijo/umkm/0007?in_stock=1", ["keripik-tempe-sagu"]),
     ("/koperasi/mlijo/umkm/0007?sort=price_asc", ["rempeyek-kacang", "keripik-tempe-sagu"]),
     ("/koperasi/mlijo/umkm/0007?q=rempeyek", ["rempeyek-kacang"])],
)  # fmt: skip
def test_browse_pages_accept_the_search_filters_and_sorts(client, shop_front, url, expected):  # noqa: F811
    assert product_slugs(html_of(client, url)) == expected


@pytest.mark.parametrize(
    "url",
    ["/kategori/bumbu-sambal?category=tenun-songket", "/koperasi/mlijo?cooperative=tenun",
     "/koperasi/mlijo/umkm/0007?cooperative=tenun"],
)  # fmt: skip
def test_what_the_page_is_about_cannot_be_swapped_by_an_argument(client, shop_front, url):  # noqa: F811
    assert "kain-tenun-ikat" not in product_slugs(html_of(client, url))


def test_a_chip_per_filter_links_to_the_page_without_it(english, shop_front):  # noqa: F811
    html = english.get("/koperasi/mlijo?category=kuliner&min_price=13000&in_stock=1&sort=newest")
    html = html.get_data(as_text=True)
    chips = dict(
        re.findall(r'<li><a href="([^"]+)"\s+aria-label="Remove the filter ([^"]+)"', html)
    )
    assert chips == {
        "/koperasi/mlijo?min_price=13000&amp;in_stock=1&amp;sort=newest": "Culinary",
        "/koperasi/mlijo?category=kuliner&amp;in_stock=1&amp;sort=newest": "From Rp\xa013.000",
        "/koperasi/mlijo?category=kuliner&amp;min_price=13000&amp;sort=newest": "In stock only",
    }
    assert 'href="/koperasi/mlijo?sort=newest">Clear all filters' in html
    # The page's own cooperative is no filter to remove, nor a field.
    assert 'name="cooperative"' not in html and "Koperasi Mlijo Rukun ×" not in html
    # Following a chip removes that filter and keeps the others.
    without_stock = english.get("/koperasi/mlijo?category=kuliner&min_price=13000&sort=newest")
    assert product_slugs(without_stock.get_data(as_text=True)) == [
        "sambal-roa", "keripik-tempe-sagu"]  # fmt: skip


def test_search_chips_show_words_category_cooperative_and_a_price_range(english, shop_front):  # noqa: F811
    html = english.get(
        "/cari?q=sambal&category=kuliner&cooperative=mlijo&min_price=1000&max_price=50000"
    ).get_data(as_text=True)
    labels = re.findall(r'aria-label="Remove the filter ([^"]+)"', html)
    assert labels == ["Words: sambal", "Culinary", "Koperasi Mlijo Rukun",
                      "Rp\xa01.000 – Rp\xa050.000"]  # fmt: skip
    assert 'href="/cari?category=kuliner&amp;cooperative=mlijo&amp;min_price=1000' in html


def test_no_chips_without_filters(english, shop_front):  # noqa: F811
    for url in BROWSE_PAGES:
        assert "Remove the filter" not in english.get(url).get_data(as_text=True)


def test_bad_filter_values_on_a_browse_page_are_ignored_with_a_note(english, shop_front):  # noqa: F811
    html = english.get("/kategori/kuliner?min_price=abc&sort=nope").get_data(as_text=True)
    assert "The lowest price “abc” is not an amount in Rupiah" in html
    assert len(product_slugs(html)) == 3


@pytest.mark.parametrize("url", BROWSE_PAGES)
def test_a_filtered_browse_page_keeps_to_the_query_budget(client, shop_front, count_queries, url):  # noqa: F811
    filtered = f"{url}?in_stock=1&min_price=1000&sort=bestselling"
    with count_queries() as few:
        html_of(client, filtered)
    for n in range(30):
        make_product(shop_front["siti"], name=f"Kacang {n}", variants=((10_000, 1),))
    with count_queries() as many:
        assert len(product_slugs(html_of(client, filtered))) == 24
    assert len(few) == len(many) <= 6, many  # so a signed-in shopper's two more stay within 8
