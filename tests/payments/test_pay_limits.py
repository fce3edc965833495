"""Rate limits on paying and checking out (issue 14, finding 6): "Pay" per order whoever sends
it and per client, checkout per client, each refused with a 429 page saying how long to wait.
An app of its own with limits on (the suite runs with them off), on the test database."""

import pytest

from config import TestConfig
from shop import create_app

ORDER_A, ORDER_B = "PK-20260101-AAAAAA", "PK-20260101-BBBBBB"


@pytest.fixture
def limited(database_uri):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_uri, RATELIMIT_ENABLED=True)
    yield app
    with app.app_context():
        from shop.extensions import db

        db.engine.dispose()


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def test_pay_is_limited_per_order_whoever_sends_it(limited):
    first, second = client_at(limited, "10.0.0.1"), client_at(limited, "10.0.0.2")

    codes = [first.post(f"/pesanan/{ORDER_A}/bayar").status_code for _ in range(5)]
    refused = second.post(f"/pesanan/{ORDER_A}/bayar")  # another address, the same order

    assert codes == [404] * 5  # no such order: the view ran and said so
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Please wait" in refused.get_data(as_text=True)
    assert "no-store" in refused.headers["Cache-Control"]
    assert second.post(f"/pesanan/{ORDER_B}/bayar").status_code == 404  # another order: fine


def test_pay_is_limited_per_client_across_orders(limited):
    client = client_at(limited, "10.0.0.3")

    codes = [client.post(f"/pesanan/PK-20260101-AAAAA{n}/bayar").status_code for n in range(10)]
    refused = client.post(f"/pesanan/{ORDER_B}/bayar")

    assert codes == [404] * 10
    assert refused.status_code == 429
    assert client_at(limited, "10.0.0.4").post(f"/pesanan/{ORDER_B}/bayar").status_code == 404


def test_checkout_posts_are_limited_per_client(limited):
    client = client_at(limited, "10.0.0.5")

    codes = [client.post("/checkout").status_code for _ in range(20)]  # empty cart: to the cart
    refused = client.post("/checkout")

    assert set(codes) == {302}
    assert refused.status_code == 429
    assert client.get("/keranjang").status_code == 200  # reading is never limited
