"""On a 360 px phone: a shopper's paid order reaches the maker's home (the line to prepare,
the pending balance); the admin opens the console home, prints the packing slip, marks the
part packed and shipped with a tracking number; the maker's home moves it. Every new page
(homes, sales, statement, members, member page, audit log, slip) passes axe and never
scrolls sideways."""

import re

import pytest
from playwright.sync_api import expect

from shop.extensions import db
from shop.money import format_rupiah
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import pay
from tests.fulfilment.conftest import make_shop

pytestmark = pytest.mark.slow


@pytest.fixture
def journey(live_data):
    with live_data():
        shop = make_shop(prefix="Dasbor ")
        pay(shop.order)
        db.session.commit()
        rina_line = shop.line(shop.rina)
        return {
            "admin": shop.batik_admin.email,
            "member": shop.rina.user.email,
            "member_id": shop.rina.id,
            "coop": shop.batik.slug,
            "number": shop.order.number,
            "pending": format_rupiah(rina_line.member_amount),
        }


def test_a_sale_reaches_the_makers_home_and_moves_when_the_admin_ships_it(
    browser, page, live_server, journey, axe_violations
):
    coop, number = journey["coop"], journey["number"]
    sign_in(page, live_server, journey["member"])
    page.goto(f"{live_server}/akun/")
    page.locator(f"a[href='/koperasi/{coop}/anggota/']").click()
    to_prepare = page.locator("section[aria-labelledby=to-prepare]")
    expect(to_prepare).to_contain_text("Kain Batik")
    expect(to_prepare).to_contain_text(number)
    expect(page.locator("section[aria-labelledby=my-money]")).to_contain_text(journey["pending"])
    page.screenshot(path="/tmp/member_home.png", full_page=True)
    assert_fits_and_is_accessible(page, axe_violations)
    for path in ("anggota/penjualan", "anggota/mutasi"):
        page.goto(f"{live_server}/koperasi/{coop}/{path}")
        assert_fits_and_is_accessible(page, axe_violations)

    admin = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    admin_page = admin.new_page()
    sign_in(admin_page, live_server, journey["admin"])
    admin_page.goto(f"{live_server}/koperasi/{coop}/kelola/")
    expect(admin_page.locator("section[aria-labelledby=work]")).to_contain_text("1")
    admin_page.screenshot(path="/tmp/admin_home.png", full_page=True)
    assert_fits_and_is_accessible(admin_page, axe_violations)
    for path in ("kelola/anggota", f"kelola/anggota/{journey['member_id']}", "kelola/audit"):
        admin_page.goto(f"{live_server}/koperasi/{coop}/{path}")
        assert_fits_and_is_accessible(admin_page, axe_violations)

    admin_page.goto(f"{live_server}/koperasi/{coop}/kelola/pesanan/{number}")
    admin_page.locator("a[href$='/slip?ukuran=a6']").first.click()
    expect(admin_page.locator("main")).to_contain_text(number)
    expect(admin_page.locator("main svg").first).to_be_visible()
    admin_page.screenshot(path="/tmp/slip.png", full_page=True)
    assert_fits_and_is_accessible(admin_page, axe_violations)

    admin_page.goto(f"{live_server}/koperasi/{coop}/kelola/pesanan/{number}")
    admin_page.locator("form[action$='/status'] button").click()  # mark packed
    expect(admin_page.get_by_role("status")).to_be_visible()
    page.goto(f"{live_server}/koperasi/{coop}/anggota/")
    expect(page.locator("section[aria-labelledby=to-prepare]")).not_to_contain_text(number)
    expect(page.locator("section[aria-labelledby=on-the-way]")).to_contain_text(number)

    admin_page.fill("input[name=tracking_number]", "JNE-778899")
    admin_page.locator("form[action$='/status'] button").click()
    expect(admin_page.locator("main")).to_contain_text("JNE-778899")
    admin.close()

    page.reload()
    on_the_way = page.locator("section[aria-labelledby=on-the-way]")
    expect(on_the_way).to_contain_text("JNE-778899")
    expect(on_the_way).to_contain_text(re.compile("Dikirim|Shipped"))
    assert_fits_and_is_accessible(page, axe_violations)
