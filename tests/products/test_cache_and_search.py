"""With the page cache on, as in production: a product the admin approves is found by search
and shown at once; one archived is gone from every cached page at once."""

import re

from shop.catalog.models import ProductStatus
from shop.extensions import db
from tests.factories import make_product
from tests.test_pagecache import page_cache_on  # noqa: F401  (fixture)


def pages(coop, product) -> list[str]:
    member_page = f"/koperasi/{coop.slug}/umkm/{product.member.member_number}"
    return ["/", f"/koperasi/{coop.slug}", member_page, "/kategori/kuliner",
            "/cari?q=klanceng", f"/produk/{product.slug}"]  # fmt: skip


def anonymous(app):
    return app.test_client()


def test_approval_and_archiving_show_on_every_cached_page_at_once(
    app,
    client,
    login,
    tani,
    page_cache_on,  # noqa: F811
):
    product = make_product(tani.siti, name="Madu Klanceng Asli", status=ProductStatus.PENDING)
    db.session.commit()
    shopper = anonymous(app)
    for url in pages(tani.coop, product)[:-1]:  # cached while the product is not on sale
        assert "Madu Klanceng" not in shopper.get(url).get_data(as_text=True), url
    login(tani.admin.user)
    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/{product.id}/setujui")

    for url in pages(tani.coop, product):
        response = shopper.get(url)
        assert "Madu Klanceng" in response.get_data(as_text=True), url
    assert shopper.get("/").headers["X-Page-Cache"] == "hit"  # cached again, fresh

    client.post(f"/koperasi/{tani.coop.slug}/kelola/produk/{product.id}/arsip")
    for url in pages(tani.coop, product)[:-1]:
        html = shopper.get(url).get_data(as_text=True)
        assert not re.search("Madu Klanceng", html), url
    assert shopper.get(f"/produk/{product.slug}").status_code == 404
