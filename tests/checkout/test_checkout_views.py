"""The checkout page through HTTP: the form and its errors, shipping per cooperative, the
summary, placing the order (guest and signed in) and handing the shopper to the payment.

Midtrans is out of reach here by default (the `unreachable_gateway` fixture points the
simulator's address at a closed port), so a placed order lands on its own page with the
"try again" message; one test runs the built-in simulator on a live server to see the
redirect to the payment page.
"""

import re
import socket
from html import unescape

import pytest
from sqlalchemy import func, select, update

from shop.cart.guest import GuestCart
from shop.cart.models import Cart, CartLine
from shop.cart.services import add_to_cart, empty_cart
from shop.catalog.models import ProductVariant
from shop.checkout import views
from shop.checkout.addresses import AddressDetails, save_address
from shop.checkout.models import Order, OrderStatus, ShippingMethod, ZoneKind
from shop.checkout.services import place_order
from shop.checkout.shipping import ShippingOption
from shop.checkout.shipping_settings import CourierServiceInput, ZoneInput, ZoneRateInput
from shop.extensions import db
from shop.orders.access import SESSION_KEY as ORDER_SESSION_KEY
from tests.conftest import csrf_token_from
from tests.factories import (
    make_coop,
    make_membership,
    make_product,
    make_shipping_settings,
    make_user,
    payment_page,
)
from tests.payments.conftest import _receiver, simulator_app  # noqa: F401  (fixtures)

ADDRESS = {
    "contact_name": "Siti Aminah",
    "contact_email": "siti@example.test",
    "contact_phone": "0812-3456-7890",
    "province": "DI Yogyakarta",
    "city": "Kota Yogyakarta",
    "district": "Gondokusuman",
    "village": "Baciro",
    "postcode": "55225",
    "street": "Jl. Melati 5, RT 03 / RW 05",
    "address_notes": "Pagar hijau",
}
LOCAL_FEE = 10_000
COURIER_FEE = 18_000


@pytest.fixture
def english(client):
    client.get("/bahasa/en")


@pytest.fixture(autouse=True)
def unreachable_gateway(app):
    """Midtrans (the simulator's address) at a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = app.config["MIDTRANS_SIMULATOR_URL"]
    app.config["MIDTRANS_SIMULATOR_URL"] = f"http://127.0.0.1:{port}/simulator/midtrans"
    yield
    app.config["MIDTRANS_SIMULATOR_URL"] = saved


@pytest.fixture
def tani():
    """A cooperative in Kota Yogyakarta offering pickup, local delivery and a courier."""
    coop = make_coop(name="Tani Makmur", city="Kota Yogyakarta", address="Jl. Kaliurang 10")
    make_shipping_settings(
        coop, courier=(COURIER_FEE, 3_000), offers_local=True, local_fee=LOCAL_FEE
    )
    return coop


def a_variant(coop, price=15_000, stock=10, **over) -> ProductVariant:
    return make_product(make_membership(coop=coop), variants=((price, stock),), **over).variants[0]


def add(client, variant, quantity=1):
    response = client.post(
        "/keranjang/tambah", data={"variant_id": str(variant.id), "quantity": str(quantity)}
    )
    assert response.status_code == 302


def guest_lines(client) -> dict[int, int]:
    with client.session_transaction() as session:
        return {variant_id: quantity for variant_id, quantity in session.get("cart", [])}


def lines_in_db(user) -> dict[int, int]:
    rows = db.session.execute(
        select(CartLine.variant_id, CartLine.quantity).join(Cart).where(Cart.user_id == user.id)
    )
    return dict(rows.all())


def order_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def stock_of(variant_id: int) -> int:
    return db.session.scalar(select(ProductVariant.stock).where(ProductVariant.id == variant_id))


def checkout(client, *coops, button="place", methods=None, **fields):
    """POST the checkout form: ADDRESS with `fields` over it, local delivery for every coop
    unless `methods` says otherwise, and the button pressed."""
    methods = methods or {}
    data = ADDRESS | fields | {button: "1"}
    for coop in coops:
        data[f"shipping-{coop.id}"] = methods.get(coop.id, ShippingMethod.LOCAL.value)
    return client.post("/checkout", data=data)


def flashes(client) -> list[str]:
    html = client.get("/akun/masuk").get_data(as_text=True)  # a page that shows flashes
    return [unescape(text) for text in re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', html)]


def summary_of(html: str) -> dict[str, str]:
    """The summary's rows, label -> amount."""
    block = html.split('id="summary-heading"', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", block, re.S)
    strip = lambda text: unescape(re.sub(r"<[^>]+>", "", text)).strip()  # noqa: E731
    return {strip(label): strip(amount) for label, amount in pairs}


def the_order() -> Order:
    return db.session.scalars(select(Order)).one()


def block_of(html: str, coop) -> str:
    """The cooperative's part of the checkout form: its lines and its shipping options."""
    start = html.index(f'<section class="checkout-group" aria-labelledby="coop-{coop.id}">')
    return html[start : html.index("</section>", start)]


def checked_methods(html: str, coop) -> list[str]:
    radios = re.findall(rf'<input type="radio"[^>]*name="shipping-{coop.id}"[^>]*>', html)
    # "courier-12" (a courier service) reads as "courier"
    values = [re.search(r'value="(\w+)(?:-\d+)?"', radio).group(1) for radio in radios]
    return [value for value, radio in zip(values, radios, strict=True) if "checked" in radio]


def shipping_error(html: str, coop) -> str | None:
    """The error shown in the cooperative's shipping block, checking that each of its radios
    points at it (aria-describedby) and that it is announced (role=alert)."""
    block = block_of(html, coop)
    field = f"shipping-{coop.id}"
    found = re.search(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', block)
    if found is None:
        return None
    radios = re.findall(r'<input type="radio"[^>]*>', block)
    assert radios and all(
        f"{field}-error" in re.search(r'aria-describedby="([^"]*)"', radio).group(1)
        for radio in radios
    )
    return unescape(found.group(1))


# Getting to the page ---------------------------------------------------------------------


def test_an_empty_cart_goes_back_to_the_cart(client, english):
    response = client.get("/checkout")
    assert response.status_code == 302 and response.location == "/keranjang"
    assert flashes(client) == ["Your cart is empty. Add something before you check out."]


def test_a_cart_with_a_problem_goes_back_to_the_cart_and_nothing_is_placed(client, tani):
    variant = a_variant(tani, stock=5)
    add(client, variant, 3)
    db.session.execute(
        update(ProductVariant).where(ProductVariant.id == variant.id).values(stock=2)
    )
    db.session.commit()

    assert client.get("/checkout").location == "/keranjang"
    assert checkout(client, tani).location == "/keranjang"
    assert (
        order_count() == 0 and stock_of(variant.id) == 2 and guest_lines(client) == {variant.id: 3}
    )


def test_the_cart_page_offers_checkout_only_without_problems(client, tani):
    variant = a_variant(tani, stock=5)
    assert 'href="/checkout"' not in client.get("/keranjang").get_data(as_text=True)
    add(client, variant, 3)
    assert 'href="/checkout"' in client.get("/keranjang").get_data(as_text=True)
    db.session.execute(
        update(ProductVariant).where(ProductVariant.id == variant.id).values(stock=2)
    )
    db.session.commit()
    assert 'href="/checkout"' not in client.get("/keranjang").get_data(as_text=True)


def test_the_page_is_kept_out_of_shared_caches(client, tani):
    add(client, a_variant(tani))
    response = client.get("/checkout")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_signed_in_shopper_finds_name_and_email_filled_in(client, login, tani):
    user = make_user(name="Budi Santoso", email="budi@example.test")
    login(user)
    add(client, a_variant(tani))
    html = client.get("/checkout").get_data(as_text=True)
    assert 'value="Budi Santoso"' in html and 'value="budi@example.test"' in html


# Shipping per cooperative and the summary ------------------------------------------------


def test_each_cooperative_lists_its_options_with_fees_and_why_one_is_unavailable(
    client, english, tani
):
    batik = make_coop(name="Batik Sejahtera", city="Kota Surakarta", province="Jawa Tengah")
    make_shipping_settings(batik, offers_pickup=False, **CENTRAL_JAVA_ONLY)
    add(client, a_variant(tani, name="Keripik"), 2)
    add(client, a_variant(batik, name="Batik Cap"), 1)

    nothing_chosen = {tani.id: "", batik.id: ""}
    response = checkout(client, tani, batik, button="update", methods=nothing_chosen, **JAKARTA)
    html = response.get_data(as_text=True)

    tani_radios = re.findall(rf'<input type="radio" id="shipping-{tani.id}-([\w-]+)"[^>]*>', html)
    assert tani_radios[:2] == ["pickup", "local"] and re.fullmatch(r"courier-\d+", tani_radios[2])
    assert re.search(r"JNE REG:\s+Rp\s18\.000", html)
    assert "Seluruh Indonesia, 0,5 kg (billed as 1 kg)" in html  # two items of 250 g
    assert "Estimated 2–4 days" in html
    # Local delivery does not reach Jakarta: the courier is chosen; Batik's courier does
    # not go to Jakarta, so nothing is chosen there.
    assert re.search(r"Local delivery:\s+not available", html)
    assert checked_methods(html, tani) == ["courier"]
    batik_courier = re.search(rf'<input type="radio" id="shipping-{batik.id}-courier"[^>]*>', html)
    assert "disabled" in batik_courier.group(0) and "checked" not in batik_courier.group(0)
    assert "Batik Sejahtera has no courier service to DKI Jakarta." in html
    assert "No shipping option of this cooperative fits this order and address." in html


def test_update_summary_recalculates_the_totals_and_writes_nothing(client, english, tani):
    variant = a_variant(tani, price=15_000)
    add(client, variant, 2)

    response = checkout(client, tani, button="update", methods={tani.id: "courier"})

    assert response.status_code == 200
    summary = summary_of(response.get_data(as_text=True))
    assert summary == {
        "Items": "Rp\xa030.000",
        "Shipping from Tani Makmur": "Rp\xa018.000",
        "Total to pay": "Rp\xa048.000",
    }
    html = checkout(client, tani, button="update").get_data(as_text=True)
    assert summary_of(html)["Total to pay"] == "Rp\xa040.000"  # local delivery, Rp 10.000
    assert order_count() == 0 and stock_of(variant.id) == 10
    assert guest_lines(client) == {variant.id: 2}


def test_an_unknown_shipping_value_is_not_a_choice(client, english, tani):
    add(client, a_variant(tani))
    html = checkout(client, tani, methods={tani.id: "teleport"}).get_data(as_text=True)
    assert "Choose how Tani Makmur sends your order." in html
    assert order_count() == 0


# Shipping that cannot reach the address ----------------------------------------------------

JAKARTA = {
    "province": "DKI Jakarta",
    "city": "Kota Jakarta Selatan",
    "district": "Kebayoran Baru",
    "village": "Senayan",
    "postcode": "12190",
    "street": "Jl. Sudirman 1",
}
SUMBA_LOCAL_FEE = 15_000
# A courier that goes only inside Central Java.
CENTRAL_JAVA_ONLY = {
    "zones": (ZoneInput("Jawa Tengah", ZoneKind.SAME_PROVINCE),),
    "services": (CourierServiceInput("JNE REG", (ZoneRateInput(9_000, 9_000, 1, 2),)),),
}


@pytest.fixture
def sumba():
    """A weaving cooperative in Sumba Timur: local delivery there, or pickup in Waingapu."""
    coop = make_coop(
        name="Koperasi Tenun Kambera",
        city="Kabupaten Sumba Timur",
        address="Jl. Ahmad Yani 12, Waingapu",
        opening_hours="Senin-Sabtu 08.00-16.00",
    )
    make_shipping_settings(coop, offers_local=True, local_fee=SUMBA_LOCAL_FEE)
    return coop


@pytest.mark.parametrize("button", ["update", "place"])
def test_local_delivery_to_another_city_is_refused_beside_its_cooperative_not_made_pickup(
    client, english, tani, sumba, button
):
    keripik, kain = a_variant(tani), a_variant(sumba, price=350_000, stock=2)
    add(client, keripik)
    add(client, kain)

    response = checkout(client, tani, sumba, button=button, methods={tani.id: "courier"}, **JAKARTA)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shipping_error(html, sumba) == (
        "Koperasi Tenun Kambera delivers locally only inside Kabupaten Sumba Timur."
    )
    assert shipping_error(html, tani) is None
    # The choice stays as the shopper made it: not switched to pickup in Waingapu.
    assert checked_methods(html, sumba) == ["local"]
    assert checked_methods(html, tani) == ["courier"]
    assert summary_of(html)["Shipping from Koperasi Tenun Kambera"] == "not available"
    assert "Please correct the fields marked below." in html
    assert 'value="Kebayoran Baru"' in html and "Jl. Sudirman 1</textarea>" in html
    assert order_count() == 0
    assert (stock_of(keripik.id), stock_of(kain.id)) == (10, 2)
    assert guest_lines(client) == {keripik.id: 1, kain.id: 1}


def test_pickup_chosen_for_a_far_address_is_placed_and_names_where_and_when(client, english, sumba):
    kain = a_variant(sumba, price=350_000, stock=2)
    add(client, kain)
    html = unescape(
        checkout(client, sumba, button="update", methods={sumba.id: "pickup"}, **JAKARTA).get_data(
            as_text=True
        )
    )
    assert shipping_error(html, sumba) is None
    assert checked_methods(html, sumba) == ["pickup"]
    assert (
        "Pick up at Jl. Ahmad Yani 12, Waingapu, Kabupaten Sumba Timur"
        " (Senin-Sabtu 08.00-16.00)" in html
    )

    response = checkout(client, sumba, methods={sumba.id: "pickup"}, **JAKARTA)

    order = the_order()
    assert response.location == f"/pesanan/{order.number}"
    assert [(s.method, s.fee) for s in order.shipments] == [(ShippingMethod.PICKUP, 0)]
    assert order.city == "Kota Jakarta Selatan" and stock_of(kain.id) == 1


def test_a_courier_that_does_not_go_to_the_province_is_refused_beside_its_cooperative(
    client, english
):
    batik = make_coop(name="Batik Sejahtera", city="Kota Surakarta", province="Jawa Tengah")
    make_shipping_settings(batik, **CENTRAL_JAVA_ONLY)
    kain = a_variant(batik)
    add(client, kain)

    for button in ("update", "place"):
        html = checkout(
            client, batik, button=button, methods={batik.id: "courier"}, **JAKARTA
        ).get_data(as_text=True)
        assert shipping_error(html, batik) == (
            "Batik Sejahtera has no courier service to DKI Jakarta."
        )
    assert order_count() == 0 and stock_of(kain.id) == 10


def test_a_method_the_cooperative_does_not_offer_is_refused_beside_it(client, english, sumba):
    kain = a_variant(sumba, stock=2)
    add(client, kain)
    for button in ("update", "place"):
        html = checkout(
            client, sumba, button=button, methods={sumba.id: "courier"}, **JAKARTA
        ).get_data(as_text=True)
        assert shipping_error(html, sumba) == (
            "Koperasi Tenun Kambera does not offer this shipping method. Please choose another."
        )
        assert checked_methods(html, sumba) == []  # no courier here to tick
    assert order_count() == 0 and stock_of(kain.id) == 2


def test_what_the_page_lets_through_place_order_still_refuses_beside_the_cooperative(
    client, english, sumba, monkeypatch
):
    """A page that, by a bug, accepted local delivery to Jakarta: the order is still refused
    by place_order's own quote, and its message lands on the cooperative's block."""
    anything = ShippingOption(ShippingMethod.LOCAL, 0, True, "")
    monkeypatch.setattr(views, "quote_shipping", lambda *args: anything)
    kain = a_variant(sumba, stock=2)
    add(client, kain)

    html = checkout(client, sumba, **JAKARTA).get_data(as_text=True)

    assert shipping_error(html, sumba) == (
        "Koperasi Tenun Kambera delivers locally only inside Kabupaten Sumba Timur."
    )
    assert order_count() == 0 and stock_of(kain.id) == 2


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (JAKARTA, {"tani": "courier", "sumba": "pickup"}),
        ({}, {"tani": "local", "sumba": "pickup"}),  # ADDRESS: Kota Yogyakarta
        ({"city": "Kabupaten Sumba Timur"}, {"tani": "courier", "sumba": "local"}),
    ],
)
def test_the_default_is_the_cheapest_delivery_that_reaches_the_address(
    client, english, tani, sumba, address, expected
):
    add(client, a_variant(tani))
    add(client, a_variant(sumba))
    html = checkout(
        client, tani, sumba, button="update", methods={tani.id: "", sumba.id: ""}, **address
    ).get_data(as_text=True)
    assert checked_methods(html, tani) == [expected["tani"]]
    assert checked_methods(html, sumba) == [expected["sumba"]]
    assert shipping_error(html, tani) is None and shipping_error(html, sumba) is None


def test_a_courier_cheaper_than_local_delivery_is_the_default_in_the_same_city(client, english):
    coop = make_coop(name="Mlijo", city="Kota Yogyakarta")
    make_shipping_settings(coop, courier=(9_000, 9_000), offers_local=True, local_fee=12_000)
    add(client, a_variant(coop))
    html = checkout(client, coop, button="update", methods={coop.id: ""}).get_data(as_text=True)
    assert checked_methods(html, coop) == ["courier"]
    assert summary_of(html)["Shipping from Mlijo"] == "Rp\xa09.000"


def test_pickup_is_the_default_only_when_no_delivery_reaches(client, english):
    batik = make_coop(name="Batik Sejahtera", city="Kota Surakarta", province="Jawa Tengah")
    make_shipping_settings(batik, offers_local=True, local_fee=20_000, **CENTRAL_JAVA_ONLY)
    add(client, a_variant(batik))
    html = checkout(client, batik, button="update", methods={batik.id: ""}, **JAKARTA).get_data(
        as_text=True
    )
    assert checked_methods(html, batik) == ["pickup"]
    surakarta = {"province": "Jawa Tengah", "city": "Kota Surakarta"}
    html = checkout(client, batik, button="update", methods={batik.id: ""}, **surakarta)
    assert checked_methods(html.get_data(as_text=True), batik) == ["courier"]  # cheaper


def test_before_an_address_the_default_is_a_delivery_not_pickup(client, english, tani, sumba):
    add(client, a_variant(tani))
    add(client, a_variant(sumba))
    html = client.get("/checkout").get_data(as_text=True)
    # The courier reaches any address; local delivery is all Sumba sends, if it is its city.
    assert checked_methods(html, tani) == ["courier"]
    assert checked_methods(html, sumba) == ["local"]
    assert shipping_error(html, tani) is None and shipping_error(html, sumba) is None


def test_a_saved_address_sets_the_default_from_its_city(client, login, english, tani, sumba):
    user = make_user()
    saved = save_address(
        user, AddressDetails(recipient_name="Siti", phone="+6281234567890", notes="", **JAKARTA)
    )
    login(user)
    add(client, a_variant(tani))
    add(client, a_variant(sumba))
    html = client.get(f"/checkout?alamat={saved.id}").get_data(as_text=True)
    assert checked_methods(html, tani) == ["courier"]
    assert checked_methods(html, sumba) == ["pickup"]


# The form's checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"contact_name": ""}, "contact_name", "Enter your name."),
        ({"contact_name": "x" * 121}, "contact_name", "Use at most 120 characters."),
        ({"contact_email": "siti@"}, "contact_email", "Enter a valid e-mail address."),
        ({"contact_phone": ""}, "contact_phone", "Enter your WhatsApp number."),
        ({"contact_phone": "12345"}, "contact_phone", "Enter an Indonesian number"),
        ({"contact_phone": "0812"}, "contact_phone", "Enter an Indonesian number"),
        ({"province": ""}, "province", "Choose your province."),
        ({"province": "Atlantis"}, "province", "Choose one of the options in the list."),
        ({"city": "  "}, "city", "Enter your city or regency."),
        ({"city": "x" * 81}, "city", "Use at most 80 characters."),
        ({"district": ""}, "district", "Enter your district."),
        ({"village": ""}, "village", "Enter your village."),
        ({"postcode": ""}, "postcode", "Enter your postcode."),
        ({"postcode": "5522"}, "postcode", "A postcode has 5 digits, for example 55225."),
        ({"postcode": "5522a"}, "postcode", "A postcode has 5 digits, for example 55225."),
        ({"street": ""}, "street", "Enter your street and house number."),
        ({"address_notes": "x" * 501}, "address_notes", "Use at most 500 characters."),
    ],
)
@pytest.mark.parametrize("button", ["place", "update"])
def test_a_bad_field_is_marked_beside_it_and_nothing_is_written(
    client, english, tani, fields, field, message, button
):
    variant = a_variant(tani)
    add(client, variant, 2)

    response = checkout(client, tani, button=button, **fields)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in unescape(error.group(1))
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', html) or re.search(
        rf'aria-invalid="true"[^>]*id="{field}"', html
    )
    assert 'value="Gondokusuman"' in html or field == "district"  # what was typed is kept
    assert order_count() == 0 and stock_of(variant.id) == 10
    assert guest_lines(client) == {variant.id: 2}


@pytest.mark.parametrize("typed", ["0812-3456-7890", "62 812 3456 7890", "+62 (812) 3456-7890"])
def test_the_phone_is_stored_normalised(client, tani, typed):
    add(client, a_variant(tani))
    checkout(client, tani, contact_phone=typed)
    assert the_order().contact_phone == "+6281234567890"


# Placing the order -------------------------------------------------------------------------


def test_stock_taken_meanwhile_shows_what_is_left_keeps_the_form_and_writes_nothing(
    client, english, tani, monkeypatch
):
    keripik = a_variant(tani, name="Keripik", stock=10)
    madu = a_variant(tani, name="Madu", stock=10)
    add(client, keripik, 3)
    add(client, madu, 1)

    def another_buyer_first(*args, **kwargs):
        db.session.execute(
            update(ProductVariant).where(ProductVariant.id == keripik.id).values(stock=2)
        )
        db.session.commit()
        return place_order(*args, **kwargs)

    monkeypatch.setattr(views, "place_order", another_buyer_first)
    response = checkout(client, tani, street="Jl. Mawar 7")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Only 2 left of Keripik." in html  # the summary at the top
    assert re.search(
        r"3 × Keripik</span>\s*<span>Rp\xa045.000</span>\s*<p class=\"error\">Only 2 left.", html
    )
    assert "Jl. Mawar 7</textarea>" in html and 'value="siti@example.test"' in html
    assert order_count() == 0
    assert (stock_of(keripik.id), stock_of(madu.id)) == (2, 10)
    assert guest_lines(client) == {keripik.id: 3, madu.id: 1}


def test_a_guest_order_is_placed_with_server_fees_the_cart_emptied_and_the_mail_sent(
    client, english, tani, outbox
):
    batik = make_coop(name="Batik Sejahtera", city="Kota Surakarta")
    make_shipping_settings(batik, courier=(COURIER_FEE, 5_000))
    keripik = a_variant(tani, price=15_000)
    batik_cap = a_variant(batik, price=125_000, stock=3)
    add(client, keripik, 2)
    add(client, batik_cap, 1)

    response = client.post(
        "/checkout",
        data=ADDRESS
        | {
            f"shipping-{tani.id}": "local",
            f"shipping-{batik.id}": "courier",
            # Whatever a tampered form says about money is not even read.
            "shipping_fee": "0",
            "grand_total": "1",
            "place": "1",
        },
    )

    order = the_order()
    assert response.status_code == 302
    assert response.location == f"/pesanan/{order.number}"
    assert order.status == OrderStatus.PENDING and order.user_id is None
    assert (order.contact_name, order.contact_email, order.contact_phone) == (
        "Siti Aminah",
        "siti@example.test",
        "+6281234567890",
    )
    assert (order.city, order.postcode, order.address_notes) == (
        "Kota Yogyakarta",
        "55225",
        "Pagar hijau",
    )
    shipments = {s.cooperative_id: (s.method, s.fee) for s in order.shipments}
    assert shipments == {
        tani.id: (ShippingMethod.LOCAL, LOCAL_FEE),
        batik.id: (ShippingMethod.COURIER, COURIER_FEE),
    }
    assert (order.items_total, order.shipping_total) == (155_000, LOCAL_FEE + COURIER_FEE)
    assert order.grand_total == 155_000 + LOCAL_FEE + COURIER_FEE
    # Stock is held for the pending order; the cart is empty.
    assert (stock_of(keripik.id), stock_of(batik_cap.id)) == (8, 2)
    assert guest_lines(client) == {}
    with client.session_transaction() as session:
        assert order.number in session[ORDER_SESSION_KEY]
    # The mail carries the guest's way back.
    assert [mail.to for mail in outbox] == ["siti@example.test"]
    assert f"/pesanan/{order.number}?kunci=" in outbox[0].body
    # Midtrans is unreachable: the order page says so and how to go on.
    message = flashes(client)[-1]
    assert message.startswith(f"Your order {order.number} is placed and its items are held")
    assert "Please try again in a few minutes." in message


def test_a_signed_in_order_belongs_to_the_user_and_empties_the_database_cart(
    client, login, tani, outbox
):
    user = make_user()
    other = make_user()
    variant = a_variant(tani)
    add_to_cart(other, variant.id, 1)
    login(user)
    add(client, variant, 2)

    response = checkout(client, tani)

    order = the_order()
    assert response.location == f"/pesanan/{order.number}"
    assert order.user_id == user.id and order.grand_total == 30_000 + LOCAL_FEE
    assert lines_in_db(user) == {} and lines_in_db(other) == {variant.id: 1}
    assert stock_of(variant.id) == 8
    assert len(outbox) == 1


def test_a_reachable_gateway_sends_the_shopper_to_the_payment_page(
    app,
    client,
    tani,
    simulator_app,  # noqa: F811
):
    app.config["MIDTRANS_SIMULATOR_URL"] = simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    add(client, a_variant(tani))

    response = checkout(client, tani)

    order = the_order()
    assert response.status_code == 303
    assert response.location == payment_page(order)
    assert response.location.startswith(simulator_app.config["MIDTRANS_SIMULATOR_URL"])
    assert order.payment_attempts == 1 and order.status == OrderStatus.PENDING
    assert guest_lines(client) == {}


def test_a_post_without_its_csrf_token_is_refused(client, tani, csrf_on):
    variant = a_variant(tani)
    token = csrf_token_from(client.get("/akun/masuk").get_data(as_text=True))
    client.post(
        "/keranjang/tambah", data={"variant_id": variant.id, "quantity": "1", "csrf_token": token}
    )
    assert guest_lines(client) == {variant.id: 1}

    assert checkout(client, tani).status_code == 400
    assert order_count() == 0 and stock_of(variant.id) == 10
    assert checkout(client, tani, button="update", csrf_token=token).status_code == 200


def test_the_page_runs_as_many_queries_for_six_lines_as_for_one(client, login, tani, count_queries):
    login(make_user())
    add(client, a_variant(tani))
    with count_queries() as one_line:
        assert client.get("/checkout").status_code == 200
    for _ in range(5):
        add(client, a_variant(tani))
    with count_queries() as six_lines:
        assert client.get("/checkout").status_code == 200
    assert len(six_lines) == len(one_line)


def test_placing_reads_the_cart_once_and_never_the_order(client, tani, count_queries):
    """place_order takes the variants the view read for the cart, and writes the order's
    first payment attempt with it: nothing reads the new order back."""
    add(client, a_variant(tani))
    add(client, a_variant(tani), 2)

    with count_queries() as statements:
        assert checkout(client, tani).status_code == 302  # to the order page: Midtrans is down

    def selects(table: str) -> list[str]:
        pattern = rf"^\s*SELECT\s.*?\sFROM {table}\b"
        return [s for s in statements if re.search(pattern, s, re.S) and "memberships" not in s]

    assert order_count() == 1
    assert len(selects("product_variants")) == 1  # stock_fell's own join aside
    by_id = [s for s in selects("orders") if "WHERE orders.id =" in s]  # not the mail's read
    assert by_id == []


# The cart service used after placing --------------------------------------------------------


def test_empty_cart_deletes_only_the_owners_lines():
    coop = make_coop()
    variant = a_variant(coop)
    user, other = make_user(), make_user()
    add_to_cart(user, variant.id, 2)
    add_to_cart(other, variant.id, 1)

    assert empty_cart(user) is user
    assert lines_in_db(user) == {} and lines_in_db(other) == {variant.id: 1}
    assert empty_cart(GuestCart(((variant.id, 2),))) == GuestCart()
