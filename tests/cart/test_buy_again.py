"""Buying an order again (issue 13, bug 7): the order's lines still on sale back in the cart,
capped at the stock left, each line left out named, for the order's owner or guest only."""

import pytest
from sqlalchemy import select

from shop.cart.buy_again import buy_again
from shop.cart.guest import GuestCart
from shop.cart.models import Cart, CartLine
from shop.catalog.models import ProductStatus
from shop.checkout.models import OrderStatus
from shop.checkout.services import release_stock
from shop.extensions import db
from shop.orders.access import remember_order_access
from tests.factories import make_coop, make_membership, make_product, make_user
from tests.orders.conftest import place


@pytest.fixture
def products():
    coop = make_coop()
    return {
        name: make_product(make_membership(coop=coop), variants=((price, 10),), name=name)
        for name, price in (("Keripik", 15000), ("Madu", 40000), ("Batik", 125000))
    }


@pytest.fixture
def order(products):
    """2 Keripik, 1 Madu, 3 Batik: stock is now 8, 9 and 7."""
    items = [(products["Keripik"], 2), (products["Madu"], 1), (products["Batik"], 3)]
    return place(items).order


def guest_lines(client) -> dict[int, int]:
    with client.session_transaction() as session:
        return {variant_id: quantity for variant_id, quantity in session.get("cart", [])}


def lines_in_db(user) -> dict[int, int]:
    rows = db.session.execute(
        select(CartLine.variant_id, CartLine.quantity).join(Cart).where(Cart.user_id == user.id)
    )
    return dict(rows.all())


def variant_of(product):
    return product.variants[0]


def test_every_line_on_sale_goes_back_with_its_quantity(order, products):
    result = buy_again(GuestCart(), order)

    assert dict(result.cart.lines) == {
        variant_of(products["Keripik"]).id: 2,
        variant_of(products["Madu"]).id: 1,
        variant_of(products["Batik"]).id: 3,
    }
    assert (result.added, result.notes) == (3, [])


def test_lines_off_sale_or_sold_out_are_left_out_and_named(order, products, in_english):
    products["Madu"].status = ProductStatus.ARCHIVED
    variant_of(products["Batik"]).stock = 0
    db.session.commit()

    result = buy_again(GuestCart(), order)

    assert dict(result.cart.lines) == {variant_of(products["Keripik"]).id: 2}
    assert result.notes == ["Madu is no longer on sale.", "Batik is out of stock."]


def test_quantity_is_capped_at_the_stock_left(order, products, in_english):
    variant_of(products["Batik"]).stock = 1
    db.session.commit()

    result = buy_again(GuestCart(), order)

    assert dict(result.cart.lines)[variant_of(products["Batik"]).id] == 1
    assert result.notes == ["Only 1 left of Batik, so your cart now holds 1."]


def test_a_signed_in_shoppers_cart_is_written_and_pressing_twice_adds_nothing(products):
    user = make_user()
    order = place([(products["Keripik"], 2)], user=user).order
    keripik = variant_of(products["Keripik"]).id

    buy_again(user, order)
    buy_again(user, order)

    assert lines_in_db(user) == {keripik: 2}


def test_guest_through_the_order_page_gets_the_cart_and_the_messages(english, order, products):
    products["Madu"].status = ProductStatus.ARCHIVED
    db.session.commit()
    with english.session_transaction() as session:
        remember_order_access(session, order.number)

    response = english.post(f"/pesanan/{order.number}/beli-lagi")

    assert response.status_code == 303 and response.location.endswith("/keranjang")
    assert set(guest_lines(english)) == {
        variant_of(products["Keripik"]).id,
        variant_of(products["Batik"]).id,
    }
    page = english.get("/keranjang").get_data(as_text=True)
    assert f"The items of order {order.number} are in your cart." in page
    assert "Madu is no longer on sale." in page


def test_signed_in_owner_buys_again_from_their_order(client, login, products):
    user = make_user()
    order = place([(products["Madu"], 1)], user=user).order
    login(user)

    assert client.post(f"/pesanan/{order.number}/beli-lagi").status_code == 303
    assert lines_in_db(user) == {variant_of(products["Madu"]).id: 1}


def test_someone_elses_order_is_not_found_and_changes_nothing(client, login, order):
    stranger = make_user()
    login(stranger)

    assert client.post(f"/pesanan/{order.number}/beli-lagi").status_code == 404
    assert client.post("/pesanan/PK-20260101-AAAAAA/beli-lagi").status_code == 404
    assert lines_in_db(stranger) == {}


def test_the_closed_orders_page_has_the_button(english, order):
    release_stock(order, OrderStatus.EXPIRED)
    with english.session_transaction() as session:
        remember_order_access(session, order.number)

    page = english.get(f"/pesanan/{order.number}").get_data(as_text=True)

    assert f'action="/pesanan/{order.number}/beli-lagi"' in page
    assert "Buy again" in page
