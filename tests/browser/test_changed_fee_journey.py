"""The cooperative's admin raises the local delivery fee while a shopper is on the checkout
page (a phone, 360 px): placing the order is refused with the old and new fee, the page
shows the new total, and the shopper places the order at the new fee."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop.checkout.models import Order
from shop.coops.models import Role
from shop.extensions import db
from tests.browser.fixtures import (
    PHONE,
    assert_fits_and_is_accessible,
    fill_checkout_address,
    sign_in,
)
from tests.factories import (
    make_coop,
    make_membership,
    make_product,
    make_shipping_settings,
    make_user,
)


@pytest.fixture
def bakery(live_data):
    with live_data():
        coop = make_coop(name="Koperasi Roti Bantul", city="Kota Yogyakarta")
        make_shipping_settings(coop, offers_local=True, local_fee=10_000)
        bread = make_product(
            make_membership(coop=coop), name="Bakpia Kacang Hijau", variants=((30_000, 10),)
        )
        admin = make_user(email="admin.roti@example.test")
        make_membership(user=admin, coop=coop, role=Role.ADMIN)
        db.session.commit()
        return {"slug": bread.slug, "coop": coop.id, "coop_slug": coop.slug}


def raise_local_fee(browser, live_server: str, coop_slug: str) -> None:
    """The admin, on a phone of their own, sets local delivery to Rp 12.500."""
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    context.set_default_timeout(5_000)
    admin = context.new_page()
    sign_in(admin, live_server, "admin.roti@example.test")
    admin.goto(f"{live_server}/koperasi/{coop_slug}/kelola/pengiriman")
    admin.fill("input[name=local_fee]", "12500")
    admin.locator("form button[type=submit]").last.click()
    expect(admin.get_by_role("status")).to_be_visible()
    admin.wait_for_url(re.compile(r".*/kelola/$"))  # saved: back to the console home
    context.close()


def test_a_fee_raised_during_checkout_is_shown_before_the_order_is_placed(
    browser, page, live_server, live_data, bakery, axe_violations
):
    page.goto(f"{live_server}/produk/{bakery['slug']}")
    page.locator("form[action$='/keranjang/tambah'] button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.goto(f"{live_server}/checkout")
    fill_checkout_address(page, "rina.bakpia@example.test")
    page.check(f"input[name=shipping-{bakery['coop']}][value=local]")
    page.locator("button[name=update]").click()
    expect(page.locator(".checkout-summary")).to_contain_text("Rp 40.000")

    raise_local_fee(browser, live_server, bakery["coop_slug"])
    page.locator("button[name=place]").click()

    page.wait_for_url(re.compile(r".*/checkout$"))
    alert = page.locator("main .error-summary[role=alert]")
    expect(alert).to_contain_text("Rp 10.000")
    expect(alert).to_contain_text("Rp 12.500")
    expect(page.locator(".checkout-summary")).to_contain_text("Rp 42.500")
    expect(page.locator(f"input[name=shipping-{bakery['coop']}][value=local]")).to_be_checked()
    expect(page.locator("input[name=city]")).to_have_value("Kota Yogyakarta")
    assert_fits_and_is_accessible(page, axe_violations)
    with live_data():
        assert db.session.scalar(select(Order).where(Order.contact_email.like("rina.%"))) is None

    page.locator("button[name=place]").click()
    page.wait_for_url(re.compile(r".*/simulator/midtrans/snap/v3/redirection/.*"))
    expect(page.locator("main")).to_contain_text("42.500")
    with live_data():
        order = db.session.scalars(
            select(Order).where(Order.contact_email == "rina.bakpia@example.test")
        ).one()
        assert (order.shipping_total, order.grand_total) == (12_500, 42_500)
