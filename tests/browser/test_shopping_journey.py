"""A shopper on a phone finds a product by search, picks a variant, adds it to the cart,
changes the quantity and sees the cart grouped by cooperative; then the accessibility check
on search and cart."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_coop, make_membership, make_product


@pytest.fixture
def two_cooperatives(live_data):
    with live_data():
        mlijo = make_coop(name="Koperasi Mlijo Rukun")
        tenun = make_coop(name="Koperasi Tenun Kambera")
        siti = make_membership(coop=mlijo, business_name="Dapur Bu Siti")
        rina = make_membership(coop=tenun, business_name="Tenun Rina")
        keripik = make_product(
            siti, name="Keripik Singkong Balado Jumbo", variants=((15_000, 10), (27_500, 6))
        )
        keripik.variants[0].option_label, keripik.variants[1].option_label = "250 g", "500 g"
        kain = make_product(rina, name="Selendang Tenun Ikat Kambera", variants=((350_000, 2),))
        from shop.extensions import db

        db.session.commit()
        return {"keripik": keripik.slug, "kain": kain.slug}


def test_search_choose_a_variant_add_to_cart_and_change_quantity(
    page, live_server, two_cooperatives, axe_violations
):
    page.goto(live_server + "/")
    search = page.get_by_label("Cari produk")  # a combobox now: it suggests as one types
    search.fill("singkong balado")
    search.press("Enter")
    page.wait_for_url(re.compile(r".*/cari\?q=singkong"))
    assert axe_violations(page) == []

    page.get_by_role("link", name="Keripik Singkong Balado Jumbo").click()
    page.get_by_label(re.compile("500 g")).check()
    page.get_by_label("Jumlah").fill("2")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.get_by_role("status")).to_contain_text("Keripik Singkong")  # the flash message

    page.goto(live_server + f"/produk/{two_cooperatives['kain']}")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.get_by_role("status")).to_contain_text("Selendang Tenun Ikat Kambera")

    page.get_by_role("link", name=re.compile("Keranjang")).click()
    page.wait_for_url(re.compile(r".*/keranjang$"))
    groups = page.locator("section.cart-group h2")
    assert groups.all_inner_texts() == ["Koperasi Mlijo Rukun", "Koperasi Tenun Kambera"]
    quantity = page.get_by_role("spinbutton", name=re.compile("Keripik Singkong Balado Jumbo"))
    assert quantity.input_value() == "2"
    assert "Rp&nbsp;55.000" in page.content()  # 2 x Rp 27.500; the DOM writes U+00A0 so

    quantity.fill("3")
    page.get_by_role("button", name=re.compile("Perbarui jumlah Keripik Singkong")).click()
    # 3 x Rp 27.500 + Rp 350.000: the cart's total across both cooperatives, once reloaded.
    expect(page.locator(".cart-total")).to_contain_text("Rp 432.500")
    assert quantity.input_value() == "3"
    assert "Rp&nbsp;82.500" in page.content()
    assert axe_violations(page) == []
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
