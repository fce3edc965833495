"""A deactivated member's products leave the shop at once, cached pages and search included,
and come back when the member is reactivated; nothing else puts them on sale meanwhile."""

import pytest
from sqlalchemy import select

from shop.catalog.models import Product, ProductStatus
from shop.checkout.services import NotOnSale, place_order
from shop.coops import membership_admin
from shop.coops.models import Membership, Role
from shop.extensions import db
from shop.products.editor import NotAllowed
from shop.products.review import approve_product
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, make_user
from tests.products.conftest import editor_form
from tests.test_pagecache import page_cache_on  # noqa: F401  (fixture)

NAME = "Madu Klanceng Asli"


@pytest.fixture
def coop():
    return make_coop(name="Koperasi Tani")


@pytest.fixture
def admin(coop) -> Membership:
    return make_membership(coop=coop, role=Role.ADMIN, user=make_user(name="Pak Ketua"))


@pytest.fixture
def siti(coop) -> Membership:
    return make_membership(coop=coop, user=make_user(name="Siti"), business_name="Madu Bu Siti")


@pytest.fixture
def product(siti) -> Product:
    return make_product(siti, name=NAME)


def listings(coop, siti) -> list[str]:
    """Every storefront page that lists the product (the product's own page aside)."""
    return ["/", f"/koperasi/{coop.slug}", "/kategori/kuliner", "/kategori/camilan",
            "/cari?q=klanceng", f"/koperasi/{coop.slug}/umkm/{siti.member_number}"]  # fmt: skip


def status_of(product: Product) -> ProductStatus:
    return db.session.scalar(select(Product.status).where(Product.id == product.id))


def test_deactivating_takes_the_products_off_every_cached_page_and_reactivating_brings_them_back(
    app,
    client,
    login,
    coop,
    admin,
    siti,
    product,
    page_cache_on,  # noqa: F811
):
    shopper = app.test_client()  # anonymous: served from the page cache
    for url in [*listings(coop, siti), f"/produk/{product.slug}"]:
        assert NAME in shopper.get(url).get_data(as_text=True), url
    assert shopper.get("/").headers["X-Page-Cache"] == "hit"
    login(admin.user)

    client.post(f"/koperasi/{coop.slug}/kelola/anggota/{siti.id}/nonaktifkan")

    for url in listings(coop, siti):
        assert NAME not in shopper.get(url).get_data(as_text=True), url
    assert shopper.get(f"/produk/{product.slug}").status_code == 404
    assert shopper.get(f"/koperasi/{coop.slug}/umkm/{siti.member_number}").status_code == 404

    client.post(f"/koperasi/{coop.slug}/kelola/anggota/{siti.id}/aktifkan")

    for url in [*listings(coop, siti), f"/produk/{product.slug}"]:
        response = shopper.get(url)
        assert response.status_code == 200 and NAME in response.get_data(as_text=True), url


def test_a_suspended_product_cannot_be_ordered(coop, admin, siti, product):
    membership_admin.deactivate_member(siti, admin.user)

    with pytest.raises(NotOnSale):
        place_order([(product.variants[0].id, 1)], checkout_request(coop), None)
    assert product.variants[0].stock == 10


def test_admin_cannot_approve_a_product_of_a_deactivated_maker(
    client, login, english, coop, admin, siti
):
    waiting = make_product(siti, name=NAME, status=ProductStatus.PENDING)
    membership_admin.deactivate_member(siti, admin.user)
    login(admin.user)

    response = client.post(
        f"/koperasi/{coop.slug}/kelola/produk/{waiting.id}/setujui", follow_redirects=True
    )

    assert "no longer an active member" in response.get_data(as_text=True)
    assert status_of(waiting) == ProductStatus.PENDING
    with pytest.raises(NotAllowed):
        approve_product(waiting, admin.user)


def test_admin_editing_a_deactivated_makers_products_puts_nothing_on_sale(
    client, login, coop, admin, siti, product
):
    draft = make_product(siti, status=ProductStatus.DRAFT)
    membership_admin.deactivate_member(siti, admin.user)
    login(admin.user)

    for edited in (product, draft):
        variant = edited.variants[0]
        form = editor_form([("250 g", "15.000", 10, 250, variant.id, variant.stock)])
        response = client.post(f"/koperasi/{coop.slug}/kelola/produk/{edited.id}", data=form)
        assert response.status_code == 302

    assert status_of(product) == ProductStatus.SUSPENDED
    assert status_of(draft) == ProductStatus.DRAFT
    assert db.session.get(Product, product.id).name == "Keripik Tempe Sagu"  # the edit saved


def test_deactivated_member_cannot_open_or_edit_their_products(
    client, login, coop, admin, siti, product
):
    membership_admin.deactivate_member(siti, admin.user)
    login(siti.user)
    variant = product.variants[0]
    form = editor_form([("250 g", "15.000", 10, 250, variant.id, variant.stock)])

    assert client.get(f"/koperasi/{coop.slug}/anggota/produk/{product.id}").status_code == 403
    response = client.post(f"/koperasi/{coop.slug}/anggota/produk/{product.id}", data=form)

    assert response.status_code == 403
    assert db.session.get(Product, product.id).name == NAME
    assert status_of(product) == ProductStatus.SUSPENDED
