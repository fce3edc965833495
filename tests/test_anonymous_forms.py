"""A product page viewed without a session starts none: its add-to-cart form carries a
stateless token (shop/anonymous_forms.py), which that form, and only that form, accepts from a
visitor who is not signed in, posting from this site. Every forged POST is still refused."""

import re
import time

import pytest

from shop.anonymous_forms import ANONYMOUS_TOKEN_SECONDS, is_valid_token, issue_token
from shop.pagecache import cache, configure_backend
from tests.factories import make_product, make_user

SECRET = "a-test-secret"


@pytest.fixture(params=[0, 60], ids=["cache off", "cache on"])
def page_cache(app, request):
    app.config["PAGE_CACHE_SECONDS"] = request.param
    configure_backend(app)
    cache.clear()
    yield
    app.config["PAGE_CACHE_SECONDS"] = 0
    configure_backend(app)


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def cart_lines(client) -> list:
    with client.session_transaction() as session:
        return session.get("cart", [])


def add_to_cart(client, product, token, **headers):
    data = {"variant_id": product.variants[0].id, "quantity": 1, "next": "/"}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/keranjang/tambah", data=data, headers=headers)


def test_viewing_a_product_sets_no_cookie(client, page_cache):
    product = make_product()
    for _ in range(2):
        response = client.get(f"/produk/{product.slug}")
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert form_token(response.get_data(as_text=True)).startswith("anon.")


def test_the_anonymous_token_adds_to_the_cart_and_starts_the_session(client, csrf_on, page_cache):
    product = make_product()
    token = form_token(client.get(f"/produk/{product.slug}").get_data(as_text=True))
    response = add_to_cart(client, product, token)
    assert response.status_code == 302
    assert any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    assert cart_lines(client) == [[product.variants[0].id, 1]]
    # From then on the visitor has a session, and the page's form carries Flask-WTF's token.
    html = client.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert not form_token(html).startswith("anon.")
    assert add_to_cart(client, product, form_token(html)).status_code == 302


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        (None, {}),
        ("anon.1.2.3", {}),
        ("made-up", {}),
        ("valid", {"Origin": "https://elsewhere.example"}),
        ("valid", {"Sec-Fetch-Site": "cross-site"}),
        ("expired", {}),
    ],
    ids=["no token", "bad signature", "garbage", "other origin", "cross-site", "expired"],
)
def test_a_forged_add_to_cart_is_refused(app, client, csrf_on, token, headers):
    product = make_product()
    secret = app.config["SECRET_KEY"]
    if token == "valid":
        token = issue_token(secret)
    elif token == "expired":
        token = issue_token(secret, now=time.time() - ANONYMOUS_TOKEN_SECONDS - 1)
    assert add_to_cart(client, product, token, **headers).status_code == 400
    assert cart_lines(client) == []


def test_the_same_site_origin_is_accepted(app, client, csrf_on):
    product = make_product()
    token = issue_token(app.config["SECRET_KEY"])
    headers = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert add_to_cart(client, product, token, **headers).status_code == 302


def test_no_other_form_takes_an_anonymous_token(app, client, csrf_on):
    token = issue_token(app.config["SECRET_KEY"])
    response = client.post(
        "/akun/daftar",
        data={"csrf_token": token, "name": "Sari", "email": "sari@example.com",
              "password": "rahasia-123", "confirm": "rahasia-123"},
    )  # fmt: skip
    assert response.status_code == 400


def test_a_signed_in_shopper_needs_their_session_token(app, client, csrf_on, login):
    product = make_product()
    app.config["WTF_CSRF_ENABLED"] = False
    login(make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    token = issue_token(app.config["SECRET_KEY"])
    assert add_to_cart(client, product, token).status_code == 400


def test_tokens_are_signed_with_the_secret_and_expire():
    now = 1_800_000_000
    token = issue_token(SECRET, now=now)
    assert is_valid_token(SECRET, token, now=now + 60)
    assert not is_valid_token("another-secret", token, now=now + 60)
    assert not is_valid_token(SECRET, token, now=now + ANONYMOUS_TOKEN_SECONDS + 1)
    assert not is_valid_token(SECRET, token.replace("anon.1", "anon.2"), now=now)
    assert issue_token(SECRET, now=now) != token  # a nonce each time
