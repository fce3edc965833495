"""shop/visitor_session.py: a visitor without a session cookie gets an empty session without
Flask's signing set-up, and the answer is the one Flask's own session interface gives."""

import pytest
from flask.sessions import SecureCookieSessionInterface

from tests.factories import make_product


@pytest.fixture
def no_signing(app, monkeypatch):
    """Building the cookie's signer fails the request: only a visitor with a cookie (or a
    session to save) needs it."""

    def refuse(self, app):
        raise AssertionError("the session's signer was built")

    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", refuse)


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
