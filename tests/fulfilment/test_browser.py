"""On a 360 px phone: a cooperative admin packs and ships their part of an order (a refused
step and a refused refund on the way), then the shopper, from the mailed link, confirms
receipt. Every page and error state passes axe and never scrolls sideways."""

import re

import pytest
from playwright.sync_api import expect

from shop.extensions import db
from tests.browser.fixtures import assert_fits_and_is_accessible
from tests.factories import DEFAULT_PASSWORD, pay
from tests.fulfilment.conftest import make_shop

pytestmark = pytest.mark.slow


@pytest.fixture
def journey(live_data):
    with live_data():
        shop = make_shop(prefix="Jalan ")
        pay(shop.order)
        db.session.commit()
        return {
            "admin": shop.batik_admin.email,
            "coop": shop.batik.slug,
            "number": shop.order.number,
            "link": f"/pesanan/{shop.order.number}?kunci={shop.access_token}",
        }


def test_an_admin_ships_and_the_shopper_confirms_receipt(
    browser, page, live_server, journey, axe_violations
):
    page.goto(live_server + "/akun/masuk")
    page.fill("input[name=email]", journey["admin"])
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.goto(f"{live_server}/koperasi/{journey['coop']}/kelola/")
    page.locator(f"a[href$='/{journey['coop']}/kelola/pesanan']").click()
    assert_fits_and_is_accessible(page, axe_violations)
    page.locator(f"a:has-text('{journey['number']}')").click()
    expect(page.locator("main")).to_contain_text("Kain Batik")
    assert_fits_and_is_accessible(page, axe_violations)

    page.locator("form[action$='/status'] button").click()  # mark packed
    expect(page.get_by_role("status")).to_be_visible()
    page.locator("form[action$='/status'] button").click()  # ship without tracking number
    expect(page.locator("#tracking_number-error")).to_be_visible()
    assert_fits_and_is_accessible(page, axe_violations)
    page.fill("input[name=tracking_number]", "JNE-123456")
    page.locator("form[action$='/status'] button").click()
    expect(page.locator("main")).to_contain_text("JNE-123456")

    page.fill("input[name=quantity_0]", "5")
    page.fill("textarea[name=reason]", "Salah warna")
    page.locator("form[action$='/pengembalian'] button").click()
    expect(page.locator("#quantity_0-error")).to_be_visible()
    expect(page.locator("input[name=quantity_0]")).to_have_value("5")
    assert_fits_and_is_accessible(page, axe_violations)

    shopper = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    shopper_page = shopper.new_page()
    shopper_page.goto(live_server + journey["link"])
    received = shopper_page.locator("form[action*='/diterima/'] button")
    expect(received).to_have_count(1)  # Batik's part only: Tani has not sent anything
    assert_fits_and_is_accessible(shopper_page, axe_violations)
    received.click()
    expect(shopper_page.get_by_role("status")).to_be_visible()
    expect(shopper_page.locator("form[action*='/diterima/']")).to_have_count(0)
    shopper.close()

    page.reload()
    expect(page.locator("main .badge")).to_have_text(re.compile("Completed|Selesai"))
