"""shop/visitor_session.py: a visitor without a session cookie gets an empty session without
Flask's signing set-up, and the answer is the one Flask's own session interface gives; an
unchanged lasting session is signed again only once its signature is an hour old."""

import time
import uuid
from datetime import UTC, datetime

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner
from markupsafe import Markup

from shop.visitor_session import REFRESH_AFTER, VisitorSessionInterface
from tests.factories import make_product


@pytest.fixture
def no_signing(app, monkeypatch):
    """Building the cookie's signer fails the request: only a visitor with a cookie (or a
    session to save) needs it."""

    def refuse(self, app):
        raise AssertionError("the session's signer was built")

    monkeypatch.setattr(VisitorSessionInterface, "get_signing_serializer", refuse)


def test_a_visitor_without_a_cookie_costs_no_signer_and_gets_no_cookie(client, no_signing):
    product = make_product()
    response = client.get(f"/produk/{product.slug}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Vary"] == "Cookie"  # the page read the (empty) session


def test_a_session_the_request_fills_is_saved_and_read_back(client):
    product = make_product()
    response = client.get("/bahasa/en")
    assert any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    html = client.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert '<html lang="en">' in html


def test_an_emptied_session_deletes_the_cookie(client):
    client.get("/bahasa/en")
    with client.session_transaction() as session:
        session.clear()  # saved on leaving the block: an empty session, modified
    assert client.get_cookie("session") is None
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def session_cookies(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_an_unchanged_lasting_session_is_not_signed_again_within_the_hour(client):
    """A guest's cart makes the session lasting: a page that changes nothing in it sends no
    new cookie (Flask signed and sent it again on every request)."""
    product = make_product()
    add = {"variant_id": product.variants[0].id, "quantity": "1"}
    assert session_cookies(client.post("/keranjang/tambah", data=add))
    client.get("/keranjang")  # reads the flash: a change, saved

    response = client.get(f"/produk/{product.slug}")

    assert response.status_code == 200 and session_cookies(response) == []
    assert "Cookie" in response.headers["Vary"]
    assert client.get_cookie("session") is not None


def test_a_lasting_session_signed_an_hour_ago_is_sent_again_to_last_from_now(
    app, client, monkeypatch
):
    product = make_product()
    add = {"variant_id": product.variants[0].id, "quantity": "1"}
    hour_and_a_bit = REFRESH_AFTER.total_seconds() + 60
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: int(time.time() - hour_and_a_bit)
    )
    client.post("/keranjang/tambah", data=add)
    client.get("/keranjang")
    monkeypatch.undo()

    response = client.get(f"/produk/{product.slug}")

    (cookie,) = session_cookies(response)
    assert "Expires=" in cookie
    assert session_cookies(client.get(f"/produk/{product.slug}")) == []  # now fresh again


SESSION_OF_EVERY_KIND = {
    "_flashes": [("success", "Kopi masuk ke keranjang."), ("error", Markup("<b>x</b>"))],
    "_permanent": True,
    "cart": [[1, 2], [3, 4]],
    "csrf_token": "3295dac5802d97b6ec37894e38cd93795c68eeff",
    "lang": "en",
    "nested": {"a": {"b": [1.5, None, False, b"\x00bytes"]}, " t": "not a tag alone"},
    "single": {" t": "a dict whose one key is a tag's"},
    "when": datetime(2026, 12, 5, 4, 0, tzinfo=UTC),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
}


def test_cookies_are_flasks_byte_for_byte_and_read_back_by_it(app, monkeypatch):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1796442245)
    ours = app.session_interface.get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    cookie = ours.dumps(SESSION_OF_EVERY_KIND)
    assert cookie == flasks.dumps(SESSION_OF_EVERY_KIND)
    assert flasks.loads(cookie) == ours.loads(cookie) == SESSION_OF_EVERY_KIND


def test_the_signing_serializer_is_made_once_per_set_of_keys(app, monkeypatch):
    interface = app.session_interface
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["an-older-secret"])
    with_fallback = interface.get_signing_serializer(app)
    assert with_fallback is interface.get_signing_serializer(app)
    assert with_fallback.secret_keys == [b"an-older-secret", app.secret_key.encode()]


def test_a_cookie_signed_with_a_fallback_key_is_still_read(app, monkeypatch):
    old = SecureCookieSessionInterface()
    monkeypatch.setattr(app, "secret_key", "an-older-secret")
    cookie = old.get_signing_serializer(app).dumps({"lang": "en"})
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["an-older-secret"])
    assert app.session_interface.get_signing_serializer(app).loads(cookie) == {"lang": "en"}
