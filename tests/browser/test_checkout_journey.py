"""A guest on a phone buys from two cooperatives, pays on the built-in Midtrans simulator's
page, comes back to the shop and sees the order paid; each page on the way passes axe."""

import re

import pytest
from playwright.sync_api import expect

from shop.extensions import db
from tests.browser.fixtures import fill_checkout_address
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings


@pytest.fixture
def two_cooperatives(live_data):
    with live_data():
        mlijo = make_coop(name="Koperasi Mlijo Rukun", city="Kota Yogyakarta")
        tenun = make_coop(name="Koperasi Tenun Kambera", city="Kabupaten Sumba Timur")
        make_shipping_settings(mlijo, offers_local=True, local_fee=10_000)
        make_shipping_settings(tenun, rates=((1000, 25_000), (5000, 60_000)))
        keripik = make_product(
            make_membership(coop=mlijo), name="Keripik Gadung Pedas", variants=((15_000, 10),)
        )
        kain = make_product(
            make_membership(coop=tenun),
            name="Selendang Tenun Sumba",
            variants=((350_000, 2),),
            weight_grams=400,
        )
        db.session.commit()
        return {"keripik": keripik.slug, "kain": kain.slug, "mlijo": mlijo.id, "tenun": tenun.id}


def add_to_cart(page, url: str) -> None:
    page.goto(url)
    page.locator("form[action$='/keranjang/tambah'] button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()


def test_a_guest_buys_from_two_cooperatives_and_pays(
    page, live_server, two_cooperatives, axe_violations
):
    add_to_cart(page, f"{live_server}/produk/{two_cooperatives['keripik']}")
    add_to_cart(page, f"{live_server}/produk/{two_cooperatives['kain']}")
    page.goto(f"{live_server}/keranjang")
    page.locator("a[href$='/checkout']").first.click()
    page.wait_for_url(re.compile(r".*/checkout$"))
    assert axe_violations(page) == []

    fill_checkout_address(page, "siti.journey@example.test")
    page.check(f"input[name=shipping-{two_cooperatives['mlijo']}][value=local]")
    page.check(f"input[name=shipping-{two_cooperatives['tenun']}][value=courier]")
    page.locator("button[name=update]").click()  # the summary, recalculated without JS
    # Rp 15.000 + Rp 10.000 local delivery + Rp 350.000 + Rp 25.000 courier (400 g)
    expect(page.locator("main")).to_contain_text("Rp 400.000")
    page.locator("button[name=place]").click()

    page.wait_for_url(re.compile(r".*/simulator/midtrans/snap/v3/redirection/.*"))
    expect(page.locator("main")).to_contain_text("400.000")
    assert axe_violations(page) == []
    page.check("input[name=method][value=qris]")
    page.locator("button[name=outcome][value=pay]").click()

    page.wait_for_url(re.compile(r".*/pesanan/PK-\d{8}-[0-9A-Z]{6}$"))
    expect(page.get_by_role("status")).to_be_visible()  # what Midtrans said, asked afresh
    sections = page.locator("main section h2")
    expect(sections.filter(has_text="Koperasi Mlijo Rukun")).to_have_count(1)
    expect(sections.filter(has_text="Koperasi Tenun Kambera")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("QRIS")
    expect(page.locator("form[action$='/bayar']")).to_have_count(0)  # paid: nothing to pay
    assert axe_violations(page) == []
