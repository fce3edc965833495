"""What search engines and WhatsApp link previews read."""

import re

from shop.catalog.models import ProductStatus
from tests.factories import make_product


def test_robots_points_to_the_sitemap_and_keeps_private_pages_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in body
    for private in ("/akun/", "/keranjang", "/koperasi/*/kelola/"):
        assert f"Disallow: {private}" in body


def test_sitemap_lists_pages_and_products_on_sale_only(client):
    shown = make_product(slug="keripik-tempe-sagu")
    hidden = make_product(slug="keripik-draf", status=ProductStatus.DRAFT)
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index.mimetype == "application/xml"
    files = re.findall(r"<loc>http://localhost([^<]+)</loc>", index.get_data(as_text=True))
    assert "/sitemap-halaman.xml" in files and "/sitemap-produk-0.xml" in files
    bodies = "".join(client.get(path).get_data(as_text=True) for path in files)
    assert f"<loc>http://localhost/produk/{shown.slug}</loc>" in bodies
    assert hidden.slug not in bodies
    assert "<loc>http://localhost/kategori/kuliner</loc>" in bodies
    assert f"<loc>http://localhost/koperasi/{shown.cooperative.slug}</loc>" in bodies


def test_a_sitemap_chunk_past_the_end_is_404(client):
    assert client.get("/sitemap-produk-99.xml").status_code == 404


def test_product_page_has_canonical_url_and_open_graph_tags(client):
    product = make_product(name="Sambal Roa", slug="sambal-roa", variants=((35_000, 3),))
    html = client.get("/produk/sambal-roa?utm_source=wa").get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/produk/sambal-roa">' in html
    assert '<meta property="og:title" content="Sambal Roa">' in html
    assert '<meta property="og:type" content="product">' in html
    assert '<meta property="product:price:amount" content="35000">' in html
    assert '<meta property="product:price:currency" content="IDR">' in html
    assert product.cooperative.name in html


def test_canonical_url_keeps_only_the_page_number(client):
    make_product()
    html = client.get("/kategori/kuliner?page=2&sort=x").get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/kategori/kuliner?page=2">' in html


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    stylesheet = re.search(
        r'<link rel="stylesheet" href="(/assets/css/site\.[0-9a-f]{10}\.css)">', html
    )
    assert stylesheet
    response = client.get(stylesheet.group(1))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/assets/css/site.0000000000.css").status_code == 404


def test_a_shared_product_link_previews_its_first_photo(client):
    import io

    from PIL import Image

    from shop.catalog.images import save_product_image
    from shop.extensions import db

    product = make_product(slug="kain-tenun")
    photo = io.BytesIO()
    Image.new("RGB", (800, 600), "teal").save(photo, "PNG")
    image = save_product_image(product, photo.getvalue())
    db.session.commit()
    html = client.get("/produk/kain-tenun").get_data(as_text=True)
    expected = f"http://localhost/media/products/{product.id}/{image.rendition_key}/640.jpg"
    assert f'<meta property="og:image" content="{expected}">' in html
    assert 'loading="eager" fetchpriority="high"' in html  # the first photo is the page's LCP
