"""Who may open an order's page: the owner, the browser that placed it, the mailed link."""

import pytest

from shop.orders.access import (
    MAX_REMEMBERED_ORDERS,
    SESSION_KEY,
    can_view_order,
    remember_order_access,
)
from tests.factories import make_user
from tests.orders.conftest import place, products_in


@pytest.fixture
def owned():
    """An order placed by a signed-in shopper, with its guest token."""
    owner = make_user()
    placed = place([(products_in(1)[0], 1)], user=owner)
    return owner, placed.order, placed.access_token


@pytest.fixture
def guest_order():
    placed = place([(products_in(1)[0], 1)])
    return placed.order, placed.access_token


def test_can_view_order_rules(owned):
    owner, order, token = owned
    other = make_user()
    placing_browser = {SESSION_KEY: [order.number]}

    assert can_view_order(order, owner, {}, None)
    assert not can_view_order(order, other, {}, None)
    assert not can_view_order(order, None, {}, None)
    assert can_view_order(order, None, {}, token)
    assert can_view_order(order, other, {}, token)  # the link opens the page for anyone
    assert not can_view_order(order, None, {}, token + "x")
    assert not can_view_order(order, None, {}, "")
    assert not can_view_order(order, other, {SESSION_KEY: ["PK-OTHER"]}, None)
    assert can_view_order(order, None, placing_browser, None)


def test_a_guest_order_is_nobody_s_by_account(guest_order):
    order, _token = guest_order
    assert not can_view_order(order, make_user(), {}, None)


def test_remembered_orders_are_capped_and_kept_once():
    session = {}
    for n in range(MAX_REMEMBERED_ORDERS + 5):
        remember_order_access(session, f"PK-{n}")
    remember_order_access(session, "PK-10")

    numbers = session[SESSION_KEY]
    assert len(numbers) == MAX_REMEMBERED_ORDERS
    assert numbers[-1] == "PK-10" and numbers.count("PK-10") == 1
    assert "PK-0" not in numbers  # the oldest went first


def test_the_owner_sees_the_page_and_another_user_gets_404(client, login, owned):
    owner, order, _token = owned
    login(make_user())
    assert client.get(f"/pesanan/{order.number}").status_code == 404

    client.post("/akun/keluar")
    login(owner)
    assert client.get(f"/pesanan/{order.number}").status_code == 200


def test_the_guest_link_opens_the_page_and_then_the_session_remembers(app, guest_order):
    order, token = guest_order
    guest = app.test_client()

    assert guest.get(f"/pesanan/{order.number}?kunci={token}").status_code == 200
    with guest.session_transaction() as session:
        assert session[SESSION_KEY] == [order.number]
    assert guest.get(f"/pesanan/{order.number}").status_code == 200
    # Another browser without the link sees nothing.
    assert app.test_client().get(f"/pesanan/{order.number}").status_code == 404


def test_a_wrong_token_is_refused_and_remembers_nothing(client, guest_order):
    order, token = guest_order
    for wrong in (token[:-1], token + "a", "x" * 500, "%00", ""):
        assert (
            client.get(f"/pesanan/{order.number}", query_string={"kunci": wrong}).status_code == 404
        )
    with client.session_transaction() as session:
        assert SESSION_KEY not in session


def test_a_token_opens_only_its_own_order(client):
    first, second = place([(products_in(1)[0], 1)]), place([(products_in(1)[0], 1)])
    url = f"/pesanan/{second.order.number}?kunci={first.access_token}"
    assert client.get(url).status_code == 404


def test_unknown_and_forbidden_orders_look_the_same(client, guest_order):
    order, _token = guest_order
    forbidden = client.get(f"/pesanan/{order.number}")
    unknown = client.get("/pesanan/PK-20990101-ZZZZZZ")

    assert forbidden.status_code == unknown.status_code == 404
    # The pages differ only by the address they were asked for.
    assert forbidden.get_data(as_text=True).replace(order.number, "N") == unknown.get_data(
        as_text=True
    ).replace("PK-20990101-ZZZZZZ", "N")
