"""Storefront pages: what a shopper sees, what stays hidden, and a constant query count."""

import pytest

from shop.catalog.models import ProductStatus
from shop.extensions import db
from tests.factories import category, make_coop, make_membership, make_product, make_user


@pytest.fixture
def shop_front():
    """Two cooperatives; the first with two members, products in two subcategories."""
    mlijo = make_coop(name="Koperasi Mlijo Rukun", slug="mlijo", whatsapp="+6281234567890")
    tenun = make_coop(name="Koperasi Tenun Kambera", slug="tenun")
    siti = make_membership(
        coop=mlijo,
        business_name="Dapur Bu Siti",
        member_number="0007",
        story="Keripik sejak 1998.",
        whatsapp="+6281311112222",
    )
    budi = make_membership(coop=mlijo, business_name="Sambal Pak Budi")
    rina = make_membership(coop=tenun, business_name="Tenun Rina")
    products = {
        "keripik": make_product(
            siti,
            name="Keripik Tempe Sagu",
            slug="keripik-tempe-sagu",
            variants=((15_000, 10), (27_500, 0)),
            pirt_number="P-IRT 2063404010123-27",
            halal_number="ID33110001234560823",
            description="Renyah dan gurih.",
        ),
        "sambal": make_product(
            budi,
            name="Sambal Roa",
            slug="sambal-roa",
            category_id=category("bumbu-sambal").id,
            variants=((35_000, 5),),
        ),
        "tenun": make_product(
            rina,
            name="Kain Tenun Ikat",
            slug="kain-tenun-ikat",
            category_id=category("tenun-songket").id,
            variants=((750_000, 1),),
        ),
        "draft": make_product(
            siti, name="Keripik Rahasia", slug="keripik-rahasia", status=ProductStatus.DRAFT
        ),
        "sold_out": make_product(
            siti, name="Rempeyek Kacang", slug="rempeyek-kacang", variants=((12_000, 0),)
        ),
    }
    return {"mlijo": mlijo, "tenun": tenun, "siti": siti, "budi": budi, "products": products}


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_home_links_categories_cooperatives_and_products(client, shop_front):
    html = html_of(client, "/")
    assert 'href="/kategori/kuliner"' in html and 'href="/kategori/camilan"' in html
    assert 'href="/koperasi/mlijo"' in html and 'href="/koperasi/tenun"' in html
    assert 'href="/produk/keripik-tempe-sagu"' in html
    assert "Keripik Rahasia" not in html  # a draft is not on sale


def test_featured_products_come_first_on_home(client, shop_front):
    shop_front["products"]["tenun"].is_featured = True
    db.session.commit()
    html = html_of(client, "/")
    featured = html.split('id="featured-heading"')[1].split("</section>")[0]
    assert "Kain Tenun Ikat" in featured and "Sambal Roa" not in featured


def test_cooperative_page_shows_profile_members_and_only_its_products(client, shop_front):
    html = html_of(client, "/koperasi/mlijo")
    assert "Koperasi Mlijo Rukun" in html
    assert "Dapur Bu Siti" in html and "Sambal Pak Budi" in html
    assert "Keripik Tempe Sagu" in html and "Sambal Roa" in html
    assert "Kain Tenun Ikat" not in html and "Keripik Rahasia" not in html
    assert "https://wa.me/6281234567890?text=" in html


def test_member_page_shows_story_products_and_whatsapp(client, shop_front):
    html = html_of(client, "/koperasi/mlijo/umkm/0007")
    assert "Dapur Bu Siti" in html and "Keripik sejak 1998." in html
    assert "Keripik Tempe Sagu" in html and "Sambal Roa" not in html
    assert "https://wa.me/6281311112222?text=" in html


def test_top_category_lists_its_subcategories_products(client, shop_front):
    html = html_of(client, "/kategori/kuliner")
    assert "Keripik Tempe Sagu" in html and "Sambal Roa" in html
    assert "Kain Tenun Ikat" not in html


def test_subcategory_lists_only_its_own_products(client, shop_front):
    html = html_of(client, "/kategori/bumbu-sambal")
    assert "Sambal Roa" in html and "Keripik Tempe Sagu" not in html
    assert 'href="/kategori/kuliner"' in html  # breadcrumb to the parent


def test_product_page_shows_variants_stock_permits_and_makers(client, shop_front):
    html = html_of(client, "/produk/keripik-tempe-sagu")
    assert "Rp\xa015.000 – Rp\xa027.500" in html
    assert "P-IRT 2063404010123-27" in html and "ID33110001234560823" in html
    assert 'href="/koperasi/mlijo/umkm/0007"' in html and 'href="/koperasi/mlijo"' in html
    variant_ids = [v.id for v in shop_front["products"]["keripik"].variants]
    assert f'value="{variant_ids[0]}" checked>' in html
    assert f'value="{variant_ids[1]}" disabled>' in html
    assert "https://wa.me/6281311112222?text=" in html  # ask the seller
    assert "https://wa.me/?text=Keripik%20Tempe%20Sagu" in html  # share
    assert 'action="/keranjang/tambah"' in html


def test_a_sold_out_product_has_no_buy_form(client, shop_front):
    html = html_of(client, "/produk/rempeyek-kacang")
    assert "/keranjang/tambah" not in html


@pytest.mark.parametrize(
    "url",
    ["/produk/keripik-rahasia", "/produk/tidak-ada", "/kategori/tidak-ada", "/koperasi/tidak-ada",
     "/koperasi/mlijo/umkm/9999", "/koperasi/tenun/umkm/0007"],
)  # fmt: skip
def test_unknown_or_hidden_pages_are_404(client, shop_front, url):
    html_of(client, url, status=404)


def test_an_inactive_cooperative_disappears_from_the_storefront(client, shop_front):
    shop_front["mlijo"].is_active = False
    db.session.commit()
    html_of(client, "/koperasi/mlijo", status=404)
    html_of(client, "/produk/keripik-tempe-sagu", status=404)
    assert "Keripik Tempe Sagu" not in html_of(client, "/")
    assert "Keripik Tempe Sagu" not in html_of(client, "/kategori/kuliner")


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999", "1e3", ""])
def test_bad_page_numbers_show_the_first_page(client, shop_front, page):
    assert "Keripik Tempe Sagu" in html_of(client, f"/kategori/kuliner?page={page}")


def test_pages_split_at_24_products_and_link_onwards(client, shop_front):
    for n in range(25):
        make_product(shop_front["budi"], name=f"Kerupuk {n:02d}", slug=f"kerupuk-{n:02d}")
    first = html_of(client, "/koperasi/mlijo")
    assert 'rel="next" href="/koperasi/mlijo?page=2"' in first
    second = html_of(client, "/koperasi/mlijo?page=2")
    assert 'rel="prev"' in second and "Halaman 2 dari 2" in second


def _listing_pages(front) -> list[str]:
    return ["/", "/koperasi/mlijo", "/koperasi/mlijo/umkm/0007", "/kategori/kuliner",
            "/kategori/camilan", "/produk/keripik-tempe-sagu"]  # fmt: skip


def test_every_storefront_page_runs_a_fixed_small_number_of_queries(
    client, shop_front, count_queries
):
    few = {}
    for url in _listing_pages(shop_front):
        with count_queries() as statements:
            html_of(client, url)
        few[url] = len(statements)
    for n in range(30):  # many more products, in every listing
        make_product(shop_front["siti"], name=f"Kacang {n}", slug=f"kacang-{n}",
                     variants=((10_000, 1), (20_000, 2)), is_featured=n % 2 == 0)  # fmt: skip
    for url in _listing_pages(shop_front):
        with count_queries() as statements:
            html_of(client, url)
        assert len(statements) == few[url], f"{url}: {few[url]} queries, then {len(statements)}"
        assert len(statements) <= 8, f"{url} runs {len(statements)} queries"


def test_a_signed_in_shopper_costs_at_most_two_queries_more(
    client, shop_front, count_queries, login
):
    """Their account and cart count come on top of the page's own queries: still at most 8."""
    login(make_user())
    for url in [*_listing_pages(shop_front), "/cari?q=keripik"]:
        with count_queries() as statements:
            html_of(client, url)
        assert len(statements) <= 8, f"{url} runs {len(statements)} queries for a signed-in shopper"


def test_the_product_page_speaks_indonesian_by_default(client, shop_front):
    """Its words are written by Python (shop/catalog/product_html.py): each must be in the
    catalog the extraction builds, or the default language shows English."""
    html = html_of(client, "/produk/keripik-tempe-sagu")

    for indonesian in ("Pilih varian", "Tambah ke keranjang", "Stok: 10", "Oleh",
                       "Tanya penjual lewat WhatsApp", "Bagikan ke WhatsApp", "Berat",
                       "Sertifikat halal", "Produk lain dari", "Belum ada ulasan"):  # fmt: skip
        assert indonesian in html, indonesian
    for english in ("Choose a variant", "Add to cart", "Stock:", "Share to WhatsApp",
                    "Weight", "More from", "No reviews yet"):  # fmt: skip
        assert english not in html, english


def test_lists_made_once_still_show_a_renamed_category_and_a_new_cooperative(client):
    """The category tree and the cooperatives are made again only when their rows differ
    (shop/catalog/storefront.py), and the rows are read on every request: a change shows
    on the next page, in the menus, the filters and the home page's lists."""
    coop = make_coop(name="Koperasi Lama")
    db.session.commit()
    assert "Koperasi Lama" in html_of(client, "/") and "Camilan" in html_of(client, "/")
    category("camilan").name_id = "Jajanan"
    coop.name = "Koperasi Baru"
    make_coop(name="Koperasi Ketiga")
    db.session.commit()
    home = html_of(client, "/")
    assert "Jajanan" in home and "Camilan" not in home
    assert "Koperasi Baru" in home and "Koperasi Ketiga" in home and "Koperasi Lama" not in home
    filters = html_of(client, "/cari")
    assert "Jajanan" in filters and "Koperasi Ketiga" in filters
