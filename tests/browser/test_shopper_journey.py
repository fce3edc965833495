"""Issue 13's acceptance journey, on a 360 px phone: a guest with a Jakarta address buys from
a cooperative in Sumba and one in Sleman. Each part starts with the cheapest courier that
reaches Jakarta (never pickup), at the fee the cooperative's zone rates give; the guest picks
a BCA virtual account and sees its number on our order page, lets it expire (Midtrans's
expire call, notified back as Midtrans would), pays again with QRIS from the order page,
receives both parcels and writes a review that then shows on the product page and its card.
Every page on the way passes axe and never scrolls sideways.

The cooperatives' admins pack and ship through the services, in the live database; what the
shopper does is done in the browser. The pages are in English (the footer's switch), so the
words checked here do not wait for their Indonesian translation.
"""

import os
import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from shop.accounts.models import User
from shop.checkout.models import CourierService, Order, OrderShipment, ZoneKind
from shop.checkout.regions import ISLAND_GROUP_OF, JAVA
from shop.checkout.shipping_settings import CourierServiceInput, ZoneInput, ZoneRateInput
from shop.coops.models import Role
from shop.extensions import db
from shop.fulfilment.services import mark_packed, mark_shipped
from shop.payments.gateway import gateway_from_config
from shop.payments.models import AttemptStatus, PaymentAttempt
from tests.browser.fixtures import assert_fits_and_is_accessible
from tests.factories import (
    category,
    make_coop,
    make_membership,
    make_product,
    make_shipping_settings,
)

JAVA_PROVINCES = tuple(name for name, group in ISLAND_GROUP_OF.items() if group == JAVA)
KERIPIK_UNITS = 6
# Set to a folder to keep a full-page screenshot of each page the journey checks.
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS")


def _rate(first_kg: int, next_kg: int, days: tuple[int, int]) -> ZoneRateInput:
    return ZoneRateInput(first_kg, next_kg, *days)


@pytest.fixture
def two_cooperatives(live_data):
    """Sumba: POS (0,3 kg tolerance) and JNE REG (none), Java listed as a zone of its own
    before "everywhere". Sleman: JNE REG and JNE JTR, Java as its island group."""
    with live_data():
        sumba = make_coop(
            name="Koperasi Tenun Prailiu",
            city="Kabupaten Sumba Timur",
            province="Nusa Tenggara Timur",
            address="Jl. Ahmad Yani 12, Waingapu",
        )
        make_shipping_settings(
            sumba,
            offers_local=True,
            local_fee=15_000,
            zones=(
                ZoneInput("Sumba Timur", ZoneKind.SAME_CITY),
                ZoneInput("Nusa Tenggara Timur", ZoneKind.SAME_PROVINCE),
                ZoneInput("Jawa", ZoneKind.PROVINCES, JAVA_PROVINCES),
                ZoneInput("Pulau lain", ZoneKind.EVERYWHERE),
            ),
            services=(
                CourierServiceInput(
                    "POS Kilat Khusus",
                    (
                        _rate(10_000, 8_000, (1, 2)),
                        _rate(28_000, 24_000, (2, 4)),
                        _rate(45_000, 40_000, (3, 6)),
                        _rate(62_000, 58_000, (4, 8)),
                    ),
                ),
                CourierServiceInput(
                    "JNE REG",
                    (None, None, _rate(39_000, 36_000, (2, 4)), _rate(55_000, 50_000, (3, 5))),
                    rounding_tolerance_grams=0,
                ),
            ),
        )
        sleman = make_coop(
            name="Koperasi Mlijo Sleman", city="Kabupaten Sleman", province="DI Yogyakarta"
        )
        make_shipping_settings(
            sleman,
            offers_local=True,
            local_fee=10_000,
            zones=(
                ZoneInput("Sleman", ZoneKind.SAME_CITY),
                ZoneInput("DI Yogyakarta", ZoneKind.SAME_PROVINCE),
                ZoneInput("Jawa", ZoneKind.SAME_ISLAND_GROUP),
                ZoneInput("Pulau lain", ZoneKind.EVERYWHERE),
            ),
            services=(
                CourierServiceInput(
                    "JNE REG",
                    (
                        _rate(8_000, 8_000, (1, 2)),
                        _rate(9_000, 9_000, (1, 2)),
                        _rate(12_000, 11_000, (2, 3)),
                        _rate(32_000, 30_000, (3, 5)),
                    ),
                ),
                CourierServiceInput(
                    "JNE JTR",
                    (None, _rate(45_000, 4_500, (3, 5)), _rate(55_000, 5_500, (4, 6)), None),
                    rounding_tolerance_grams=0,
                ),
            ),
        )
        kain = make_product(
            make_membership(coop=sumba, business_name="Tenun Ina Rambu"),
            name="Selendang Ikat Prailiu",
            category_id=category("tenun-songket").id,
            variants=((350_000, 3),),
            weight_grams=1_250,
        )
        keripik = make_product(
            make_membership(coop=sleman, business_name="Dapur Bu Warsi"),
            name="Keripik Tempe Sagu Sleman",
            variants=((15_000, 20),),
            weight_grams=250,
        )
        admins = {
            coop.id: make_membership(coop=coop, role=Role.ADMIN).user_id for coop in (sumba, sleman)
        }
        service_ids = {
            (coop.id, service.name): service.id
            for coop in (sumba, sleman)
            for service in db.session.query(CourierService).filter_by(cooperative_id=coop.id)
        }
        db.session.commit()
        return {
            "sumba": sumba.id,
            "sleman": sleman.id,
            "sumba_slug": sumba.slug,
            "kain": kain.slug,
            "keripik": keripik.slug,
            "pos": service_ids[sumba.id, "POS Kilat Khusus"],
            "sumba_jne": service_ids[sumba.id, "JNE REG"],
            "sleman_reg": service_ids[sleman.id, "JNE REG"],
            "sleman_jtr": service_ids[sleman.id, "JNE JTR"],
            "admins": admins,
        }


# The fees, worked out by hand from the rates above for the Jakarta address:
# Sumba, 1 x 1,25 kg, zone "Jawa": POS bills 1 kg (0,25 kg over is within its 0,3 kg
# tolerance) = Rp 45.000; JNE REG, no tolerance, bills 2 kg = 39.000 + 36.000 = Rp 75.000.
SUMBA_FEE = 45_000
# Sleman, 6 x 0,25 kg = 1,5 kg, zone "Jawa": JNE REG bills 2 kg = 12.000 + 11.000 =
# Rp 23.000; JNE JTR bills 2 kg = 55.000 + 5.500 = Rp 60.500. Local delivery: not Jakarta.
SLEMAN_FEE = 23_000
ITEMS = 350_000 + KERIPIK_UNITS * 15_000
GRAND_TOTAL = ITEMS + SUMBA_FEE + SLEMAN_FEE  # Rp 508.000


def check(page, axe_violations, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"journey-{name}.png"), full_page=True)
    assert_fits_and_is_accessible(page, axe_violations)


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the live app did not get there in time"
        time.sleep(0.1)


def fill_jakarta_address(page) -> None:
    page.fill("input[name=contact_name]", "Dewi Lestari")
    page.fill("input[name=contact_email]", "dewi.jakarta@example.test")
    page.fill("input[name=contact_phone]", "0812 9876 5432")
    page.select_option("select[name=province]", "DKI Jakarta")
    page.fill("input[name=city]", "Kota Jakarta Selatan")
    page.fill("input[name=district]", "Kebayoran Baru")
    page.fill("input[name=village]", "Senayan")
    page.fill("input[name=postcode]", "12190")
    page.fill("textarea[name=street]", "Jl. Asia Afrika 8")


def add_to_cart(page, quantity: int = 1) -> None:
    page.fill("input[name=quantity]", str(quantity))
    page.locator("form[action$='/keranjang/tambah'] button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()


def summary_value(page, label: str):
    """The checkout summary's figure beside a label."""
    term = page.locator(".checkout-summary dt", has_text=label)
    return term.locator("xpath=following-sibling::dd[1]")


def attempt_status(live_data, number: str, attempt: int) -> AttemptStatus | None:
    with live_data():
        return db.session.scalar(
            db.select(PaymentAttempt.status).where(
                PaymentAttempt.midtrans_order_id == f"{number}-{attempt}"
            )
        )


def test_a_jakarta_guest_buys_from_sumba_and_sleman_pays_twice_and_reviews(
    page, live_server, live_app, live_data, two_cooperatives, axe_violations
):
    shop = two_cooperatives
    page.goto(f"{live_server}/bahasa/en?next=/")
    check(page, axe_violations, "home")

    # Browse: the category, the product, the cart.
    page.goto(f"{live_server}/kategori/tenun-songket")
    check(page, axe_violations, "category")
    page.locator(f"a[href$='/produk/{shop['kain']}']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Selendang Ikat Prailiu")
    check(page, axe_violations, "product")
    add_to_cart(page)
    page.goto(f"{live_server}/produk/{shop['keripik']}")
    add_to_cart(page, KERIPIK_UNITS)
    page.goto(f"{live_server}/keranjang")
    check(page, axe_violations, "cart")

    # Checkout: the Jakarta address, then the summary updated for it.
    page.locator("main a[href$='/checkout']").first.click()
    page.wait_for_url(re.compile(r".*/checkout$"))
    check(page, axe_violations, "checkout-empty")
    fill_jakarta_address(page)
    page.locator("button[name=update]").click()
    page.wait_for_url(re.compile(r".*/checkout$"))

    sumba, sleman = f"shipping-{shop['sumba']}", f"shipping-{shop['sleman']}"
    expect(page.locator(f"#{sumba}-courier-{shop['pos']}")).to_be_checked()
    expect(page.locator(f"label[for={sumba}-courier-{shop['pos']}]")).to_contain_text("Rp 45.000")
    expect(page.locator(f"#{sumba}-courier-{shop['pos']}-note")).to_contain_text(
        "Estimated 3–6 days"
    )
    expect(page.locator(f"label[for={sumba}-courier-{shop['sumba_jne']}]")).to_contain_text(
        "Rp 75.000"
    )
    expect(page.locator(f"#{sumba}-pickup")).not_to_be_checked()
    expect(page.locator(f"#{sumba}-local")).to_be_disabled()  # Waingapu only
    expect(page.locator(f"#{sleman}-courier-{shop['sleman_reg']}")).to_be_checked()
    expect(page.locator(f"label[for={sleman}-courier-{shop['sleman_reg']}]")).to_contain_text(
        "Rp 23.000"
    )
    expect(page.locator(f"label[for={sleman}-courier-{shop['sleman_jtr']}]")).to_contain_text(
        "Rp 60.500"
    )
    expect(page.locator(f"#{sleman}-pickup")).not_to_be_checked()
    expect(page.locator(f"#{sleman}-local")).to_be_disabled()  # Kabupaten Sleman only
    expect(summary_value(page, "Shipping from Koperasi Tenun Prailiu")).to_have_text("Rp 45.000")
    expect(summary_value(page, "Shipping from Koperasi Mlijo Sleman")).to_have_text("Rp 23.000")
    expect(summary_value(page, "Total to pay")).to_have_text("Rp 508.000")
    check(page, axe_violations, "checkout-jakarta")

    # Pay by BCA virtual account, later: the number shows on our own order page.
    page.locator("button[name=place]").click()
    page.wait_for_url(re.compile(r".*/simulator/midtrans/snap/v3/redirection/.*"))
    expect(page.locator("main")).to_contain_text("508.000")
    check(page, axe_violations, "simulator")  # a demo tool, but a shopper's page all the same
    page.check("input[name=method][value=bank_transfer]")
    page.locator("button[name=outcome][value=pending]").click()
    page.wait_for_url(re.compile(r".*/pesanan/PK-\d{8}-[0-9A-Z]{6}$"))
    number = page.url.rsplit("/", 1)[1]
    with live_data():
        attempt = db.session.scalar(
            db.select(PaymentAttempt).where(PaymentAttempt.midtrans_order_id == f"{number}-1")
        )
        va_number = attempt.va_number
    assert va_number
    expect(page.locator("#pay-number")).to_have_value(va_number)
    expect(page.locator("label[for=pay-number]")).to_have_text("BCA virtual account number")
    expect(page.locator("#pay-heading + p")).to_contain_text("Rp 508.000")
    expect(page.locator("[data-countdown]")).to_contain_text("Expires in")
    check(page, axe_violations, "order-va")

    # Midtrans expires the virtual account and says so; the items are still held.
    with live_data():
        gateway_from_config(live_app.config).expire(f"{number}-1")
    wait_for(lambda: attempt_status(live_data, number, 1) == AttemptStatus.EXPIRED)
    page.reload()
    expect(page.locator("#pay-number")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("The time for that payment method ran out.")
    another = page.get_by_role("button", name="Pay with another method")
    expect(another).to_be_visible()
    check(page, axe_violations, "order-expired")

    another.click()
    page.wait_for_url(re.compile(r".*/simulator/midtrans/snap/v3/redirection/.*"))
    assert page.locator("main dd code").first.inner_text() == f"{number}-2"
    page.check("input[name=method][value=qris]")
    page.locator("button[name=outcome][value=pay]").click()
    page.wait_for_url(re.compile(rf".*/pesanan/{number}$"))
    expect(page.get_by_role("status")).to_contain_text("your payment has been received")
    expect(page.locator("main .facts").first).to_contain_text("QRIS")
    expect(page.locator("form[action$='/bayar']")).to_have_count(0)
    check(page, axe_violations, "order-paid")

    # Both cooperatives pack and ship; the shopper receives both parcels.
    with live_data():
        order = db.session.scalar(db.select(Order).where(Order.number == number))
        assert (order.shipping_total, order.grand_total) == (SUMBA_FEE + SLEMAN_FEE, GRAND_TOTAL)
        for shipment in db.session.scalars(
            db.select(OrderShipment).where(OrderShipment.order_id == order.id)
        ):
            admin = db.session.get(User, shop["admins"][shipment.cooperative_id])
            mark_packed(shipment, admin)
            mark_shipped(shipment, admin, f"TRK-{shipment.cooperative_id}")
    page.reload()
    for coop_id in (shop["sumba"], shop["sleman"]):
        page.locator(f"form[action$='/diterima/{coop_id}'] button").click()
        expect(page.get_by_role("status")).to_be_visible()
        expect(page.locator(f"form[action$='/diterima/{coop_id}']")).to_have_count(0)

    # The review: written from the order page, then on the product page and its card.
    page.get_by_role("link", name="Review Selendang Ikat Prailiu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Selendang Ikat Prailiu")
    check(page, axe_violations, "review-form")
    page.get_by_label("5 of 5 stars").check()
    page.get_by_label("Your review (optional)").fill("Tenunnya rapi dan warnanya sesuai foto.")
    page.get_by_role("button", name="Publish my review").click()
    page.wait_for_url(re.compile(rf".*/pesanan/{number}$"))
    expect(page.get_by_role("status")).to_contain_text("Thank you for your review.")
    expect(page.get_by_role("img", name="5 of 5 stars")).to_have_count(1)
    check(page, axe_violations, "order-reviewed")

    page.goto(f"{live_server}/produk/{shop['kain']}")
    reviews = page.locator("#ulasan")
    expect(reviews).to_contain_text("5.0 / 5 · 1 review")
    expect(reviews.locator(".review")).to_contain_text("Tenunnya rapi dan warnanya sesuai foto.")
    expect(reviews.locator(".review")).to_contain_text("Dewi L.")
    check(page, axe_violations, "product-reviewed")
    page.goto(f"{live_server}/koperasi/{shop['sumba_slug']}")
    card = page.locator(".product-card", has_text="Selendang Ikat Prailiu")
    expect(card.locator(".product-social")).to_have_text("★ 5.0 (1) · Sold 1")
    expect(card.get_by_label("Rated 5.0 of 5 by 1 review")).to_have_count(1)
    check(page, axe_violations, "coop-card")
