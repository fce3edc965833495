"""Pages added lately that no other browser test opens, on a 360 px phone: the admin's
shipping settings (with zones and two courier services, and a refused rate), the admin's and
the member's reviews, My orders with its tabs, the account profile, editing a saved address,
and the admin's order page with a refund made at Midtrans to allocate (and a refused
allocation). Each passes axe and never scrolls sideways.

The data is made once for the module: the live database is not rolled back, and the reviews
helper names its products with fixed slugs.
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shop.checkout.addresses import AddressDetails, save_address
from shop.checkout.models import OrderStatus
from shop.coops.models import Role
from shop.demo.shipping_data import MLIJO_SHIPPING
from shop.extensions import db
from shop.ledger.models import ExternalRefund
from shop.reviews.services import reply_to_review
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import make_coop, make_membership, make_shipping_settings, make_user, pay
from tests.fulfilment.conftest import make_shop
from tests.orders.conftest import mark_paid, place, products_in
from tests.orders.test_my_orders_tabs import set_status
from tests.reviews.conftest import reviews_of_completed_order

# Where the refused-rate screenshot goes, to look at by eye (not compared by the test).
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))


@pytest.fixture(scope="module")
def pages(live_app) -> dict:
    """Who signs in, and the paths they open."""
    with live_app.app_context():
        coop = make_coop(name="Koperasi Halaman Baru", city="Kabupaten Sleman")
        make_shipping_settings(
            coop,
            offers_local=True,
            local_fee=10_000,
            zones=MLIJO_SHIPPING.zones,
            services=MLIJO_SHIPPING.services,
        )
        admin = make_membership(coop=coop, role=Role.ADMIN).user
        maker = make_membership(coop=coop, business_name="Dapur Halaman Baru")
        answered, _hidden, _open = reviews_of_completed_order(
            coop, hidden=(False, True, False), member=maker
        )
        reply_to_review(answered, maker, "Terima kasih, ditunggu pesanan berikutnya.")

        shopper = make_user(email="halaman.baru@example.test", name="Rina Halaman")
        product = products_in(1)[0]
        place([(product, 1)], user=shopper)  # to pay
        for status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.CANCELLED):
            order = place([(product, 2)], user=shopper).order
            if status != OrderStatus.CANCELLED:
                mark_paid(order)
            set_status(order, status)
        address = save_address(
            shopper,
            AddressDetails(
                recipient_name="Rina Halaman",
                phone="+6281234567890",
                province="DKI Jakarta",
                city="Kota Jakarta Selatan",
                district="Kebayoran Baru",
                village="Senayan",
                postcode="12190",
                street="Jl. Asia Afrika 8, RT 3/RW 2, gedung tinggi di sebelah masjid hijau",
            ),
        )

        refunded = make_shop(prefix="Baru ")
        pay(refunded.order, "credit_card")
        db.session.add(
            ExternalRefund(
                order_id=refunded.order.id, gateway_refund_key="dashboard-baru-1", amount=350_000
            )
        )
        db.session.commit()
        return {
            "admin": admin.email,
            "maker": maker.user.email,
            "shopper": shopper.email,
            "refund_admin": refunded.batik_admin.email,
            "shipping": f"/koperasi/{coop.slug}/kelola/pengiriman",
            "coop_profile": f"/koperasi/{coop.slug}/kelola/profil",
            "admin_reviews": f"/koperasi/{coop.slug}/kelola/ulasan",
            "member_reviews": f"/koperasi/{coop.slug}/anggota/ulasan",
            "address": f"/akun/alamat/{address.id}/ubah",
            "refund_order": f"/koperasi/{refunded.batik.slug}/kelola/pesanan/"
            f"{refunded.order.number}",
        }


PAGES = {
    "shipping settings": ("admin", "shipping"),
    "cooperative profile, the province from a list": ("admin", "coop_profile"),
    "admin's reviews": ("admin", "admin_reviews"),
    "member's reviews": ("maker", "member_reviews"),
    "my orders": ("shopper", "/akun/pesanan"),
    "my orders, to pay": ("shopper", "/akun/pesanan?tab=belum-bayar"),
    "my orders, completed": ("shopper", "/akun/pesanan?tab=selesai"),
    "profile": ("shopper", "/akun/profil"),
    "address edit": ("shopper", "address"),
    "order with a refund to allocate": ("refund_admin", "refund_order"),
}


@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_a_phone_and_passes_axe(page, live_server, pages, axe_violations, name):
    who, path = PAGES[name]
    sign_in(page, live_server, pages[who])
    assert page.goto(live_server + pages.get(path, path)).status == 200
    assert_fits_and_is_accessible(page, axe_violations)


def test_the_reviews_lists_show_the_reply_and_the_hidden_review(page, live_server, pages):
    sign_in(page, live_server, pages["admin"])
    page.goto(live_server + pages["admin_reviews"])
    expect(page.locator("main")).to_contain_text("Terima kasih, ditunggu pesanan berikutnya.")
    expect(page.locator("main")).to_contain_text("Kasar")  # the reason it was hidden


def test_my_orders_tabs_are_links_that_mark_the_current_one(page, live_server, pages):
    sign_in(page, live_server, pages["shopper"])
    page.goto(live_server + "/akun/pesanan")
    tabs = page.locator("main nav.tabs a")
    assert tabs.count() >= 6
    page.locator("main nav.tabs a[href$='tab=selesai']").click()
    page.wait_for_url(re.compile(r".*tab=selesai$"))
    expect(page.locator("main nav.tabs a[aria-current=page]")).to_have_attribute(
        "href", re.compile("tab=selesai$")
    )
    expect(page.locator("main a[href^='/pesanan/PK-']")).to_have_count(1)


def test_a_refused_rate_on_the_shipping_page_fits_and_passes_axe(
    page, live_server, pages, axe_violations
):
    sign_in(page, live_server, pages["admin"])
    page.goto(live_server + pages["shipping"])
    first_fee = page.locator("input[name$='rates-0-first_kg_fee']").first
    first_fee.fill("delapan ribu")
    page.locator("main form button[type=submit]").last.click()
    error = page.locator(f"#{first_fee.get_attribute('id')}-error")
    expect(error).to_be_visible()
    expect(first_fee).to_have_attribute("aria-invalid", "true")
    assert_fits_and_is_accessible(page, axe_violations)
    page.screenshot(path=str(SCREENSHOTS / "shipping-refused-rate-360.png"), full_page=True)
    # The summary at the top names the refused cell and takes the admin down to it.
    summary = page.locator("main .error-summary[role=alert]")
    expect(summary).to_be_in_viewport()
    summary.locator(f"a[href='#{first_fee.get_attribute('id')}']").click()
    expect(first_fee).to_be_in_viewport()


def test_the_shipping_rates_tables_stack_instead_of_scrolling_sideways(page, live_server, pages):
    sign_in(page, live_server, pages["admin"])
    page.goto(live_server + pages["shipping"])
    tables = page.locator("main .table-wrap")
    assert tables.count() == 3
    for index in range(tables.count()):
        wrap = tables.nth(index)
        assert wrap.evaluate("box => box.scrollWidth - box.clientWidth") <= 0
    # Each cell still says which column it is.
    first_cell = page.locator("main .table-wrap td").first
    assert first_cell.evaluate("cell => getComputedStyle(cell, '::before').content") != "none"


def test_a_refused_allocation_fits_and_passes_axe(page, live_server, pages, axe_violations):
    sign_in(page, live_server, pages["refund_admin"])
    page.goto(live_server + pages["refund_order"])
    allocate = page.locator("form[action*='/alokasi-pengembalian/']")
    expect(allocate).to_contain_text("Rp 350.000")
    allocate.locator("input[name$=quantity_0]").fill("7")  # one kain was bought
    allocate.locator("button[type=submit]").click()
    expect(page.locator("form[action*='/alokasi-pengembalian/'] .error").first).to_be_visible()
    assert_fits_and_is_accessible(page, axe_violations)
