"""A guest on a phone buys from two cooperatives, pays on the built-in Midtrans simulator's
page, comes back to the shop and sees the order paid; each page on the way passes axe.
A shopper in Jakarta who asks a cooperative in Sumba for local delivery is told so beside
that cooperative's options, without JavaScript, and goes on with pickup."""

import re

import pytest
from playwright.sync_api import expect

from shop.extensions import db
from tests.browser.fixtures import PHONE, assert_fits_and_is_accessible, fill_checkout_address
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings


@pytest.fixture
def two_cooperatives(live_data):
    with live_data():
        mlijo = make_coop(name="Koperasi Mlijo Rukun", city="Kota Yogyakarta")
        tenun = make_coop(name="Koperasi Tenun Kambera", city="Kabupaten Sumba Timur")
        make_shipping_settings(mlijo, offers_local=True, local_fee=10_000)
        make_shipping_settings(tenun, courier=(25_000, 35_000))
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
    page.check(f"input[name=shipping-{two_cooperatives['tenun']}][value^=courier]")
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


@pytest.fixture
def sumba(live_data):
    """A weaving cooperative in Sumba Timur: local delivery there, or pickup in Waingapu."""
    with live_data():
        coop = make_coop(
            name="Koperasi Ikat Waingapu",
            city="Kabupaten Sumba Timur",
            address="Jl. Ahmad Yani 12, Waingapu",
            opening_hours="Senin-Sabtu 08.00-16.00",
        )
        make_shipping_settings(coop, offers_local=True, local_fee=15_000)
        kain = make_product(
            make_membership(coop=coop), name="Sarung Ikat Waingapu", variants=((450_000, 3),)
        )
        db.session.commit()
        return {"slug": kain.slug, "coop": coop.id}


def ask_local_delivery_to_jakarta(page, live_server: str, sumba: dict) -> None:
    add_to_cart(page, f"{live_server}/produk/{sumba['slug']}")
    page.goto(f"{live_server}/checkout")
    fill_checkout_address(page, "budi.jakarta@example.test")
    page.select_option("select[name=province]", "DKI Jakarta")
    page.fill("input[name=city]", "Kota Jakarta Selatan")
    page.fill("input[name=district]", "Kebayoran Baru")
    page.fill("input[name=village]", "Senayan")
    page.fill("input[name=postcode]", "12190")
    page.check(f"input[name=shipping-{sumba['coop']}][value=local]")


def test_local_delivery_to_jakarta_is_refused_beside_the_cooperative_without_javascript(
    browser, live_server, sumba
):
    context = browser.new_context(viewport=PHONE, locale="id-ID", java_script_enabled=False)
    context.set_default_timeout(5_000)
    page = context.new_page()
    ask_local_delivery_to_jakarta(page, live_server, sumba)
    local = page.locator(f"input[name=shipping-{sumba['coop']}][value=local]")

    for button in ("update", "place"):
        page.locator(f"button[name={button}]").click()
        page.wait_for_url(re.compile(r".*/checkout$"))
        block = page.locator("section.checkout-group", has_text="Koperasi Ikat Waingapu")
        alert = block.locator("fieldset").get_by_role("alert")
        expect(alert).to_contain_text("Koperasi Ikat Waingapu")
        expect(alert).to_contain_text("Kabupaten Sumba Timur")
        expect(local).to_be_checked()  # kept as chosen, not turned into pickup
        expect(local).to_have_attribute("aria-describedby", re.compile(alert.get_attribute("id")))
        expect(page.locator("input[name=city]")).to_have_value("Kota Jakarta Selatan")

    pickup = page.locator(f"input[name=shipping-{sumba['coop']}][value=pickup]")
    expect(page.locator(f"#shipping-{sumba['coop']}-pickup-note")).to_contain_text(
        "Jl. Ahmad Yani 12, Waingapu, Kabupaten Sumba Timur (Senin-Sabtu 08.00-16.00)"
    )
    pickup.check()
    page.locator("button[name=place]").click()
    page.wait_for_url(re.compile(r".*/simulator/midtrans/snap/v3/redirection/.*"))
    context.close()


def test_the_refused_choice_on_a_phone_fits_and_passes_axe(
    page, live_server, sumba, axe_violations
):
    ask_local_delivery_to_jakarta(page, live_server, sumba)
    page.locator("button[name=update]").click()
    expect(page.locator(f"#shipping-{sumba['coop']}-error")).to_be_visible()
    assert_fits_and_is_accessible(page, axe_violations)
