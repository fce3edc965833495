"""What a 360 px phone showed wrong (issue 13, bug 10): a permit number wrapped into a
4-character column, the header wrapped once the cart had a count, and the product's photo
strip could not be scrolled by keyboard (axe: scrollable-region-focusable)."""

import os

import pytest

from shop.catalog.models import ProductImage
from shop.extensions import db
from shop.notifications.models import Notification
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import make_coop, make_membership, make_product, make_user

pytestmark = pytest.mark.slow

PERMIT = "P-IRT 2063404010123-27"
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS")  # a folder: pages saved there


@pytest.fixture
def product_with_photos(live_data):
    with live_data():
        member = make_membership(coop=make_coop(name="Koperasi Sumber Rejeki"))
        product = make_product(
            member, name="Keripik Singkong Balado", variants=((12_000, 9),), pirt_number=PERMIT
        )
        for position in range(3):
            db.session.add(
                ProductImage(
                    product=product,
                    file_path=f"products/{product.id}/{position}.jpg",
                    alt_text=f"Foto {position + 1}",
                    width=800,
                    height=800,
                    position=position,
                )
            )
        db.session.commit()
        return {"path": f"/produk/{product.slug}", "variant_id": product.variants[0].id}


def test_the_product_page_keeps_the_permit_on_one_line_and_its_photos_reachable(
    page, live_server, product_with_photos, axe_violations
):
    page.goto(live_server + product_with_photos["path"])

    permit = page.locator(".facts dd", has_text=PERMIT)
    assert permit.count() == 1
    assert (
        page.evaluate(
            "dd => dd.getBoundingClientRect().height / parseFloat(getComputedStyle(dd).lineHeight)",
            permit.element_handle(),
        )
        <= 2.05
    ), "the permit number wraps into a narrow column"
    gallery = page.locator(".product .gallery")
    assert gallery.get_attribute("tabindex") == "0"
    gallery.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.product .gallery').scrollLeft > 0")
    assert_fits_and_is_accessible(page, axe_violations)


def test_the_header_stays_on_one_row_with_a_cart_count(
    page, live_server, product_with_photos, live_data
):
    with live_data():
        shopper = make_user(email="rina.header@example.test", name="Rina")
        email = shopper.email
        for number in range(12):  # "Notifikasi (12 baru)": the longest link a shopper has
            db.session.add(
                Notification(
                    event_key=f"layout-{number}",
                    kind="order_paid",
                    recipient_id=shopper.id,
                    email=email,
                    params={"number": f"PK-20261203-LAYOU{number % 10}"},
                )
            )
        db.session.commit()
    sign_in(page, live_server, email)
    page.goto(live_server + product_with_photos["path"])
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.goto(live_server + "/")

    nav_links = page.locator(".header-nav a")
    assert "Keranjang (1)" in nav_links.first.inner_text()
    assert "Notifikasi (12 baru)" in nav_links.nth(1).inner_text()
    tops = [box["y"] for box in (nav_links.nth(i).bounding_box() for i in range(nav_links.count()))]
    brand_top = page.locator(".brand").bounding_box()["y"]
    assert max(tops) - min(tops) < 2, "the header's links wrap onto a second row"
    assert abs(tops[0] - brand_top) < 24, "the header's links fall below the brand"


# Cooperatives whose names grow a letter at a time, so that the line "Subtotal di <name>:
# Rp 1.234.000" runs out of room at every point of the amount on a 360 px screen, "Rp"
# included: with a plain space, some of them end a line with "Rp".
GROWING_NAMES = [f"Koperasi Sentosa {'Makmur Jaya Abadi Sejahtera'[:length]}" for length in
                 range(2, 27)]  # fmt: skip

# Each amount of the page and whether it sits on one line: a range over its text has its
# boxes on one row (a box a line).
AMOUNTS_ON_ONE_LINE = """() => {
    const walker = document.createTreeWalker(document.querySelector("main"),
                                             NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        for (const match of node.data.matchAll(/Rp\\s[\\d.]+/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()].map(box => Math.round(box.top)));
            found.push([match[0], tops.size === 1]);
        }
    }
    return found;
}"""


@pytest.fixture
def cart_of_growing_names(live_data):
    with live_data():
        products = [
            make_product(make_membership(coop=make_coop(name=name)), variants=((1_234_000, 9),))
            for name in GROWING_NAMES
        ]
        return f"/produk/{products[0].slug}", [product.variants[0].id for product in products]


def test_no_amount_on_the_cart_page_breaks_after_rp_on_a_phone(
    page, live_server, cart_of_growing_names
):
    product_path, variants = cart_of_growing_names
    page.goto(live_server + product_path)  # for its form's CSRF token
    page.evaluate(
        """async variants => {
            const token = document.querySelector(
                "form[action$='/keranjang/tambah'] input[name=csrf_token]").value;
            for (const variant of variants) {
                const form = new FormData();
                form.append("csrf_token", token);
                form.append("variant_id", variant);
                form.append("quantity", "1");
                await fetch("/keranjang/tambah", {method: "POST", body: form});
            }
        }""",
        variants,
    )
    page.goto(live_server + "/keranjang")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/cart-amounts-360.png", full_page=True)

    amounts = page.evaluate(AMOUNTS_ON_ONE_LINE)
    assert len(amounts) > 2 * len(GROWING_NAMES)  # each price, line total and subtotal
    assert [text for text, on_one_line in amounts if not on_one_line] == []
