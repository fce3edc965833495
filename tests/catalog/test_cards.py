"""Product cards load only what a card shows, and show all of it: photo, price range, rating,
sold count, cooperative, stock."""

import pytest

from shop.catalog.models import ProductImage
from shop.extensions import db
from tests.factories import make_product

# Columns no card shows, which listings used to read for every card.
NOT_ON_A_CARD = ("products.description", "products.review_note", "cooperatives.description")


@pytest.fixture
def listed():
    product = make_product(
        name="Keripik Tempe Sagu",
        description="Renyah dan gurih. " * 200,
        variants=((15_000, 0), (27_500, 3)),
        rating_count=12,
        rating_average_centi=480,
        rating_sum=58,
        sold_count=120,
    )
    db.session.add(
        ProductImage(product=product, file_path=f"products/{product.id}/a.jpg", width=1600,
                     height=1200, rendition_key="k1", position=0)
    )  # fmt: skip
    db.session.commit()
    return product


@pytest.mark.parametrize("path", ["/", "/kategori/kuliner", "/cari?q=keripik"])
def test_listings_read_only_the_columns_cards_show(client, english, listed, count_queries, path):
    with count_queries() as statements:
        html = client.get(path).get_data(as_text=True)
    cards = " ".join(statement for statement in statements if "FROM products" in statement)
    assert "products.name" in cards
    assert not [column for column in NOT_ON_A_CARD if column in cards]
    assert "Keripik Tempe Sagu" in html and listed.cooperative.name in html
    assert "Rp\xa015.000 – Rp\xa027.500" in html
    assert "Sold 120" in html and "4.8" in html
    assert "/k1/320.jpg" in html and "/k1/640.webp 640w" in html


def test_a_product_page_still_shows_its_whole_product(client, english, listed):
    html = client.get(f"/produk/{listed.slug}").get_data(as_text=True)
    assert "Renyah dan gurih." in html and "Rp\xa027.500" in html


def test_a_product_page_shows_its_makers_other_products_as_cards(
    client, english, listed, count_queries
):
    """The related products are cards of plain data (only the columns a card shows, their
    photos and prices read with the product's own variants and images): two queries, and
    one for the reviews."""
    other = make_product(listed.member, name="Rempeyek Kacang", variants=((9_000, 0), (12_000, 4)),
                         description="Tidak di kartu.", sold_count=7)  # fmt: skip
    db.session.add(
        ProductImage(product=other, file_path=f"products/{other.id}/b.jpg", width=800,
                     height=600, rendition_key="k2", position=0)
    )  # fmt: skip
    db.session.commit()
    slug = listed.slug
    with count_queries() as statements:
        html = client.get(f"/produk/{slug}").get_data(as_text=True)
    assert len(statements) == 3, statements  # two, and the reviews of a rated product
    related = html.split('id="related-heading"')[1]
    assert "Rempeyek Kacang" in related and "Rp\xa09.000 – Rp\xa012.000" in related
    assert "Sold 7" in related and "/k2/320.jpg" in related
    assert "Tidak di kartu." not in html
    # Its own product: every variant, its photo eager, its description.
    assert "Renyah dan gurih." in html and "Rp\xa027.500" in html and "/k1/" in html
    assert html.count('class="product-card"') == 1
    cards = [s for s in statements if "FROM products" in s and "description" in s]
    assert len(cards) == 1  # the product's own row; the related card reads no description


def test_rated_and_sold_cards_cost_no_query_each(client, english, listed, count_queries):
    """Every figure a card shows comes with the cards' one query, never one per card."""
    with count_queries() as one:
        client.get("/kategori/kuliner")
    for n in range(10):
        make_product(name=f"Rempeyek {n}", rating_count=3, rating_sum=14,
                     rating_average_centi=467, sold_count=n + 1)  # fmt: skip
    with count_queries() as many:
        html = client.get("/kategori/kuliner").get_data(as_text=True)
    assert len(many) == len(one)
    assert html.count('class="product-card"') == 11 and "4.7" in html


def test_a_card_escapes_what_sellers_type_and_says_what_the_macro_said(client, english):
    """Cards are written by shop/catalog/card_html.py, not by Jinja's autoescaping: a name
    or a cooperative with markup in it is shown as text; the rating reads in words for a
    screen reader; a product with no stock says so."""
    product = make_product(
        name='Kue <script>alert("x")</script> & Co',
        variants=((12_000, 0),),
        rating_count=1,
        rating_sum=5,
        rating_average_centi=500,
        sold_count=0,
    )
    product.cooperative.name = "Koperasi <b>Maju</b>"
    db.session.commit()
    html = client.get("/kategori/kuliner").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>Maju" not in html
    assert "Kue &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert "Koperasi &lt;b&gt;Maju&lt;/b&gt;" in html
    assert 'aria-label="Rated 5.0 of 5 by 1 review"' in html
    assert '<p class="badge">Out of stock</p>' in html
    assert f'href="/produk/{product.slug}"' in html
    assert 'class="product-photo no-photo" aria-hidden="true"' in html
    assert "Sold 0" not in html


def test_a_cards_rating_is_written_in_each_visitors_language(client, listed):
    """The rating's figure is kept per language once written: Indonesian writes 4,8, English
    4.8, whichever language asked first."""
    html_id = client.get("/kategori/kuliner").get_data(as_text=True)
    with client.session_transaction() as session:
        session["lang"] = "en"
    html_en = client.get("/kategori/kuliner").get_data(as_text=True)
    assert 'aria-label="Dinilai 4,8 dari 5 oleh 12 ulasan"' in html_id
    assert '<span aria-hidden="true">★ 4,8 (12)</span>' in html_id and "Terjual 120" in html_id
    assert 'aria-label="Rated 4.8 of 5 by 12 reviews"' in html_en
    assert '<span aria-hidden="true">★ 4.8 (12)</span>' in html_en and "Sold 120" in html_en


def test_the_cards_phrases_are_kept_per_app_and_not_while_templates_reload(app, client, listed):
    app.extensions.pop("card_phrases", None)
    app.jinja_env.auto_reload = True
    try:
        assert "Terjual 120" in client.get("/").get_data(as_text=True)
        assert not app.extensions.get("card_phrases")  # a recompiled catalog shows at once
    finally:
        app.jinja_env.auto_reload = False

    assert "Terjual 120" in client.get("/").get_data(as_text=True)
    assert list(app.extensions["card_phrases"]) == ["id"]
