"""My orders' tabs (to pay, to pack, shipped, completed, cancelled, returns and refunds) and
each order's first product with its photo."""

import re

import pytest
from sqlalchemy import update

from shop.catalog.models import ProductImage
from shop.checkout.models import Order, OrderStatus
from shop.extensions import db
from shop.orders.queries import ORDER_TABS
from tests.factories import make_user
from tests.fulfilment.conftest import paid, shop  # noqa: F401  (fixtures)
from tests.orders.conftest import mark_paid, place, products_in
from tests.orders.test_refunds import refund_two_keripik


def set_status(order: Order, status: OrderStatus) -> None:
    db.session.execute(update(Order).where(Order.id == order.id).values(status=status))
    db.session.commit()


@pytest.fixture
def orders_by_state(paid):  # noqa: F811
    """One order of the shopper in each state; the fixture's paid order has a refund."""
    shopper = make_user()
    paid.order.user_id = shopper.id
    db.session.commit()
    refund_two_keripik(paid)
    product = products_in(1)[0]
    orders = {"refunded": paid.order}
    orders["pending"] = place([(product, 1)], user=shopper).order
    for state, status in [("shipped", OrderStatus.SHIPPED), ("delivered", OrderStatus.DELIVERED),
                          ("completed", OrderStatus.COMPLETED)]:  # fmt: skip
        orders[state] = place([(product, 1)], user=shopper).order
        mark_paid(orders[state])
        set_status(orders[state], status)
    for state, status in [("expired", OrderStatus.EXPIRED), ("cancelled", OrderStatus.CANCELLED)]:
        orders[state] = place([(product, 1)], user=shopper).order
        set_status(orders[state], status)
    return shopper, orders


def numbers_on(html: str) -> set[str]:
    return set(re.findall(r'href="/pesanan/(PK-[^"]+)"', html))


@pytest.mark.parametrize(
    ("tab", "expected"),
    [(None, {"refunded", "pending", "shipped", "delivered", "completed", "expired", "cancelled"}),
     ("belum-bayar", {"pending"}),
     ("dikemas", {"refunded"}),  # paid, not packed yet
     ("dikirim", {"shipped"}),
     ("selesai", {"delivered", "completed"}),
     ("dibatalkan", {"expired", "cancelled"}),
     ("pengembalian", {"refunded"}),
     ("no-such-tab", {"refunded", "pending", "shipped", "delivered", "completed", "expired",
                      "cancelled"})],
)  # fmt: skip
def test_each_tab_lists_the_orders_in_its_states(english, login, orders_by_state, tab, expected):
    shopper, orders = orders_by_state
    login(shopper)
    html = english.get("/akun/pesanan", query_string={"tab": tab} if tab else {}).get_data(
        as_text=True
    )
    assert numbers_on(html) == {orders[state].number for state in expected}
    current = re.search(r'<a href="([^"]+)" aria-current="page">', html).group(1)
    assert current == (f"/akun/pesanan?tab={tab}" if tab in ORDER_TABS else "/akun/pesanan")


def test_the_tabs_are_named_as_shoppers_know_them(english, login):
    login(make_user())
    html = english.get("/akun/pesanan?tab=dikirim").get_data(as_text=True)
    for label in ["All", "To pay", "To pack", "On the way", "Completed", "Cancelled",
                  "Returns and refunds"]:  # fmt: skip
        assert f">{label}</a>" in html
    assert "No orders here." in html


def test_each_order_shows_its_first_product_and_that_products_first_photo(english, login, shop):  # noqa: F811
    shopper = make_user()
    shop.order.user_id = shopper.id
    first_product_id = shop.order.lines[0].product_id
    db.session.add_all([
        ProductImage(product_id=first_product_id, file_path="p/2.jpg", width=800, height=800,
                     position=1),
        ProductImage(product_id=first_product_id, file_path="p/1.jpg", width=800, height=800,
                     position=0),
    ])  # fmt: skip
    db.session.commit()
    login(shopper)
    html = english.get("/akun/pesanan").get_data(as_text=True)
    item = html.split('class="card order-item"', 1)[1]
    assert f'class="order-first-product">{shop.order.lines[0].product_name}</p>' in item
    assert "p/1.jpg" in item and "p/2.jpg" not in item


def test_my_orders_runs_the_same_few_queries_for_one_order_or_many(english, login, count_queries):
    shopper = make_user()
    product = products_in(1)[0]
    place([(product, 1)], user=shopper)
    login(shopper)
    with count_queries() as one:
        english.get("/akun/pesanan")
    for _ in range(5):
        place([(product, 1)], user=shopper)
    with count_queries() as six:
        assert len(numbers_on(english.get("/akun/pesanan").get_data(as_text=True))) == 6
    assert len(one) == len(six)


def test_every_order_but_one_to_pay_offers_buy_again_which_refills_the_cart(
    english, client, login, orders_by_state
):
    shopper, orders = orders_by_state
    login(shopper)
    html = client.get("/akun/pesanan").get_data(as_text=True)

    offered = set(re.findall(r'action="/pesanan/(PK-[^"]+)/beli-lagi"', html))
    assert offered == {order.number for state, order in orders.items() if state != "pending"}
    response = client.post(f"/pesanan/{orders['completed'].number}/beli-lagi")
    assert response.status_code == 303
    cart = client.get("/keranjang").get_data(as_text=True)
    assert orders["completed"].lines[0].product_name in cart
