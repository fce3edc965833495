"""The cart through HTTP: plain forms, POST-redirect-GET, a guest's cart in the session, a
signed-in shopper's in the database, and the two meeting at sign-in."""

import re

import pytest
from sqlalchemy import event, select

from shop.cart import services
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.coops.models import Cooperative
from shop.extensions import db
from tests.factories import make_coop, make_membership, make_product, make_user


@pytest.fixture
def english(client):
    client.get("/bahasa/en")


def guest_lines(client) -> dict[int, int]:
    with client.session_transaction() as session:
        return {variant_id: quantity for variant_id, quantity in session.get("cart", [])}


def lines_in_db(user) -> dict[int, int]:
    rows = db.session.execute(
        select(CartLine.variant_id, CartLine.quantity).join(Cart).where(Cart.user_id == user.id)
    )
    return dict(rows.all())


def a_variant(price: int = 15_000, stock: int = 10, **over):
    return make_product(variants=((price, stock),), **over).variants[0]


def add(client, variant, quantity="1", **extra):
    data = {"variant_id": str(variant.id), "quantity": str(quantity)} | extra
    return client.post("/keranjang/tambah", data=data)


def flashes(client) -> list[str]:
    html = client.get("/akun/masuk").get_data(as_text=True)  # a page that shows flashes
    return re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', html)


# A guest's cart ----------------------------------------------------------------------------


def test_a_guest_adds_and_goes_back_to_the_page_named_by_next(client, english):
    variant = a_variant(name="Keripik Tempe")
    response = add(client, variant, 2, next="/produk/keripik-tempe")
    assert response.status_code == 302 and response.location == "/produk/keripik-tempe"
    assert guest_lines(client) == {variant.id: 2}
    assert flashes(client) == ["Keripik Tempe added to your cart. You now have 2."]


@pytest.mark.parametrize("next_url", ["", "https://evil.example/", "//evil.example/x"])
def test_an_add_without_a_safe_next_goes_to_the_cart(client, next_url):
    response = add(client, a_variant(), next=next_url)
    assert response.location == "/keranjang"


def test_a_guest_changes_a_quantity_and_removes_a_line(client):
    kept, dropped = a_variant(), a_variant()
    add(client, kept)
    add(client, dropped, 2)

    assert (
        client.post("/keranjang/ubah", data={"variant_id": kept.id, "quantity": "4"}).location
        == "/keranjang"
    )
    assert guest_lines(client) == {kept.id: 4, dropped.id: 2}

    assert client.post("/keranjang/hapus", data={"variant_id": dropped.id}).location == "/keranjang"
    assert guest_lines(client) == {kept.id: 4}


def test_an_emptied_guest_cart_leaves_nothing_in_the_session(client):
    """The page cache serves shared pages only to sessions without a "cart"."""
    variant = a_variant()
    add(client, variant)
    client.post("/keranjang/hapus", data={"variant_id": variant.id})
    with client.session_transaction() as session:
        assert "cart" not in session


def test_a_guest_cart_outlives_closing_the_browser(client):
    response = add(client, a_variant())
    cookie = response.headers["Set-Cookie"]
    assert "session=" in cookie and "Expires=" in cookie


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("0", "The quantity must be at least 1."),
     ("-1", "The quantity must be at least 1."),
     ("1000", "You can put at most 999 of one item in the cart."),
     ("1e9", "Enter the quantity as a whole number, for example 2."),
     ("1000000000", "Enter the quantity as a whole number, for example 2."),
     ("2.5", "Enter the quantity as a whole number, for example 2."),
     ("abc", "Enter the quantity as a whole number, for example 2."),
     ("", "Enter the quantity as a whole number, for example 2.")],
)  # fmt: skip
def test_a_bad_quantity_gets_a_message_and_leaves_the_cart_unchanged(
    client, english, quantity, message
):
    variant = a_variant(stock=5000)
    add(client, variant, 2)
    response = add(client, variant, quantity, next="/produk/x")
    assert response.status_code == 302 and response.location == "/produk/x"
    assert guest_lines(client) == {variant.id: 2}
    assert flashes(client)[-1] == message

    client.post("/keranjang/ubah", data={"variant_id": variant.id, "quantity": quantity})
    assert guest_lines(client) == {variant.id: 2}
    assert flashes(client) == [message]


def test_more_than_the_stock_is_refused_with_what_is_left(client, english):
    variant = a_variant(stock=3, name="Keripik Tempe")
    variant.option_label = "250 g"
    db.session.commit()
    add(client, variant, 4, next="/produk/keripik-tempe")
    assert guest_lines(client) == {}
    assert flashes(client) == ["Only 3 left of Keripik Tempe 250 g."]


@pytest.mark.parametrize("variant_id", ["", "abc", "987654"])
def test_an_unknown_variant_is_refused(client, variant_id):
    response = client.post("/keranjang/tambah", data={"variant_id": variant_id, "quantity": "1"})
    assert response.status_code == 302
    assert guest_lines(client) == {}
    assert len(flashes(client)) == 1


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.ARCHIVED])
def test_a_variant_of_a_product_not_on_sale_is_refused(client, english, status):
    variant = a_variant(status=status, name="Batik Tulis")
    add(client, variant)
    assert guest_lines(client) == {}
    assert flashes(client) == ["Batik Tulis is no longer on sale."]


def test_a_variant_of_an_inactive_cooperative_is_refused(client):
    variant = a_variant(membership=make_membership(coop=make_coop(is_active=False)))
    add(client, variant)
    assert guest_lines(client) == {}


# A signed-in shopper's cart ----------------------------------------------------------------


def test_a_signed_in_add_is_stored_in_the_database(client, login):
    user = make_user()
    login(user)
    variant = a_variant()
    add(client, variant, 3)
    assert lines_in_db(user) == {variant.id: 3}
    assert guest_lines(client) == {}


def test_a_signed_in_shopper_changes_and_removes_lines(client, login):
    user = make_user()
    login(user)
    kept, dropped = a_variant(), a_variant()
    add(client, kept)
    add(client, dropped)
    client.post("/keranjang/ubah", data={"variant_id": kept.id, "quantity": "6"})
    client.post("/keranjang/hapus", data={"variant_id": dropped.id})
    assert lines_in_db(user) == {kept.id: 6}


def test_sign_in_merges_the_guest_cart_keeping_every_line_and_summing(client, login):
    user = make_user()
    both, only_saved, only_guest = a_variant(), a_variant(), a_variant()
    services.add_to_cart(user, both.id, 2)
    services.add_to_cart(user, only_saved.id, 1)
    add(client, both, 3)
    add(client, only_guest, 4)

    login(user)

    assert lines_in_db(user) == {both.id: 5, only_saved.id: 1, only_guest.id: 4}
    assert guest_lines(client) == {}


def test_a_merge_capped_at_the_stock_tells_the_shopper(client, login, english):
    user = make_user()
    variant = a_variant(stock=4, name="Sambal Roa")
    services.add_to_cart(user, variant.id, 3)
    add(client, variant, 3)
    client.get("/keranjang")  # the "added" message is read

    login(user)

    assert lines_in_db(user) == {variant.id: 4}
    assert "Only 4 left of Sambal Roa, so your cart now holds 4." in flashes(client)


def test_the_cart_survives_signing_out_and_in_again(client, login):
    user = make_user()
    variant = a_variant()
    login(user)
    add(client, variant, 2)

    client.post("/akun/keluar")
    assert "Keranjang (" not in client.get("/keranjang").get_data(as_text=True)  # a guest now

    login(user)
    assert lines_in_db(user) == {variant.id: 2}
    assert variant.product.name in client.get("/keranjang").get_data(as_text=True)


# The cart page -----------------------------------------------------------------------------


def test_the_cart_page_groups_lines_by_cooperative_with_subtotals(client, english):
    batik = make_membership(coop=make_coop(name="Koperasi Batik Laweyan"))
    anyaman = make_membership(coop=make_coop(name="Koperasi Anyaman Lontar"))
    add(client, make_product(batik, name="Kemeja Batik", variants=((150_000, 5),)).variants[0])
    add(client, make_product(anyaman, name="Tas Lontar", variants=((45_000, 5),)).variants[0], 2)
    add(client, make_product(batik, name="Selendang", variants=((80_000, 5),)).variants[0], 3)

    page = client.get("/keranjang").get_data(as_text=True)
    html = page[page.index("<h1>") :]  # past the "added" messages

    order = [html.index(text) for text in (
        "Koperasi Anyaman Lontar", "Tas Lontar",
        "Subtotal at Koperasi Anyaman Lontar: Rp\xa090.000",
        "Koperasi Batik Laweyan", "Kemeja Batik", "Selendang",
        "Subtotal at Koperasi Batik Laweyan: Rp\xa0390.000", "Total for your cart: Rp\xa0480.000",
    )]  # fmt: skip
    assert order == sorted(order)
    assert "Rp\xa080.000 each" in html and "Total: Rp\xa0240.000" in html


def test_the_cart_page_labels_each_quantity_and_button_with_the_product(client, english):
    variant = a_variant(name="Keripik Tempe")
    add(client, variant, 2)
    html = client.get("/keranjang").get_data(as_text=True)
    assert f'<label for="line-{variant.id}-quantity">' in html
    assert '<span class="visually-hidden">Quantity of Keripik Tempe</span>' in html
    assert 'aria-label="Update the quantity of Keripik Tempe"' in html
    assert 'aria-label="Remove Keripik Tempe"' in html
    assert 'value="2"' in html
    assert html.count('name="csrf_token"') == 2  # each line's update and remove forms


def test_an_empty_cart_says_so(client, english):
    html = client.get("/keranjang").get_data(as_text=True)
    assert "Your cart is empty." in html
    assert "Checkout" not in html


def test_a_product_selling_out_after_it_was_added_shows_a_note_and_keeps_the_line(
    client, login, english
):
    user = make_user()
    login(user)
    variant = a_variant(stock=5)
    add(client, variant, 4)
    variant.stock = 1
    db.session.commit()

    html = client.get("/keranjang").get_data(as_text=True)

    problem = "Only 1 left. Please lower the quantity."
    assert f'<p class="error" id="line-{variant.id}-problem">{problem}</p>' in html
    assert f'aria-describedby="line-{variant.id}-problem"' in html
    assert lines_in_db(user) == {variant.id: 4}


def test_a_guests_line_whose_variant_was_deleted_is_dropped(client):
    gone, kept = a_variant(), a_variant()
    add(client, gone)
    add(client, kept)
    db.session.delete(gone.product)
    db.session.commit()
    client.get("/keranjang")
    assert guest_lines(client) == {kept.id: 1}


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "user"])
def test_the_cart_page_takes_the_same_queries_for_1_line_as_for_10(
    client, login, count_queries, signed_in
):
    if signed_in:
        login(make_user())
    coops = [make_membership(coop=make_coop()) for _ in range(3)]
    variants = [make_product(coops[n % 3]).variants[0] for n in range(10)]
    add(client, variants[0])
    client.get("/keranjang")
    with count_queries() as one_line:
        client.get("/keranjang")
    for variant in variants[1:]:
        add(client, variant)
    with count_queries() as ten_lines:
        html = client.get("/keranjang").get_data(as_text=True)
    assert html.count('class="card cart-line"') == 10
    assert len(ten_lines) == len(one_line) <= (2 if signed_in else 1)


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "user"])
def test_the_cart_page_reads_its_lines_as_plain_rows(client, login, english, signed_in):
    """No variant, product or cooperative is loaded as an ORM object: the page's one
    statement reads only the columns it shows."""
    if signed_in:
        login(make_user())
    variant = a_variant(name="Keripik Tempe", stock=3)
    add(client, variant, 2)
    loaded = []

    def on_load(target, _context):
        loaded.append(target)

    models = (ProductVariant, Product, Cooperative)
    for model in models:
        event.listen(model, "load", on_load)
    try:
        db.session.expunge_all()
        html = client.get("/keranjang").get_data(as_text=True)
    finally:
        for model in models:
            event.remove(model, "load", on_load)

    assert "Keripik Tempe" in html and "Total for your cart: Rp\xa030.000" in html
    assert loaded == []


# The header --------------------------------------------------------------------------------


def test_the_header_counts_a_guests_items_from_the_session_alone(client, count_queries):
    add(client, a_variant(), 2)
    add(client, a_variant(), 1)
    with count_queries() as statements:
        html = client.get("/akun/masuk").get_data(as_text=True)
    assert statements == []
    assert '<a href="/keranjang">Keranjang (3)</a>' in html


def test_the_header_counts_a_signed_in_shoppers_items_in_one_query(client, login, count_queries):
    user = make_user()
    login(user)
    add(client, a_variant(), 4)
    with count_queries() as statements:
        html = client.get("/akun/").get_data(as_text=True)
    assert '<a href="/keranjang">Keranjang (4)</a>' in html
    assert len([sql for sql in statements if "cart_lines" in sql]) == 1


def test_the_header_shows_no_count_for_an_empty_cart(client, english):
    html = client.get("/akun/masuk").get_data(as_text=True)
    assert '<a href="/keranjang">Cart</a>' in html


# CSRF --------------------------------------------------------------------------------------


def test_cart_forms_are_refused_without_their_csrf_token(client, csrf_on):
    variant = a_variant()
    response = add(client, variant)
    assert response.status_code == 400
    assert guest_lines(client) == {}

    product_page = client.get(f"/produk/{variant.product.slug}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', product_page)
    response = add(client, variant, csrf_token=token.group(1))
    assert response.status_code == 302
    assert guest_lines(client) == {variant.id: 1}
