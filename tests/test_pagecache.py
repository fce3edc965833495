"""The page cache: anonymous shoppers get cached pages, never stale after a catalog change,
never someone else's CSRF token, and nobody personal is ever served from it."""

import re

import pytest

from shop.extensions import db
from shop.pagecache import TOKEN_PLACEHOLDER, cache, configure_backend
from tests.factories import make_product, make_user


@pytest.fixture
def page_cache_on(app):
    app.config["PAGE_CACHE_SECONDS"] = 60
    configure_backend(app)
    cache.clear()
    yield
    app.config["PAGE_CACHE_SECONDS"] = 0
    configure_backend(app)


def test_second_anonymous_visit_is_served_from_the_cache_without_queries(
    client, page_cache_on, count_queries
):
    make_product(name="Keripik Tempe Sagu")
    assert client.get("/").headers["X-Page-Cache"] == "miss"
    with count_queries() as statements:
        response = client.get("/")
    assert response.headers["X-Page-Cache"] == "hit"
    assert "Keripik Tempe Sagu" in response.get_data(as_text=True)
    assert statements == []


def test_a_price_change_is_visible_on_the_next_request(client, page_cache_on):
    product = make_product(name="Keripik Tempe Sagu", variants=((15_000, 5),))
    assert "Rp\xa015.000" in client.get("/").get_data(as_text=True)
    product.variants[0].price = 17_500
    db.session.commit()
    response = client.get("/")
    assert response.headers["X-Page-Cache"] == "miss"
    assert "Rp\xa017.500" in response.get_data(as_text=True)


def test_languages_are_cached_apart(client, page_cache_on):
    make_product()
    assert "Produk terbaru" in client.get("/").get_data(as_text=True)
    english = client.application.test_client()
    english.get("/bahasa/en")
    assert "New products" in english.get("/").get_data(as_text=True)


def test_each_visitor_gets_their_own_csrf_token_from_a_cached_page(app, client, page_cache_on):
    product = make_product()
    first = client.get(f"/produk/{product.slug}").get_data(as_text=True)
    other = app.test_client()
    second = other.get(f"/produk/{product.slug}")
    assert second.headers["X-Page-Cache"] == "hit"
    html = second.get_data(as_text=True)
    assert TOKEN_PLACEHOLDER not in html and TOKEN_PLACEHOLDER not in first
    assert csrf_token_from_page(html) != csrf_token_from_page(first)


def csrf_token_from_page(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_signed_in_shoppers_are_never_served_from_the_cache(client, page_cache_on, login):
    make_product()
    client.get("/")
    login(make_user(name="Siti Aminah"))
    response = client.get("/")
    assert "X-Page-Cache" not in response.headers


def test_a_page_with_a_flash_message_is_not_cached(client, page_cache_on):
    client.get("/bahasa/id")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Pesan untuk Anda")]
    response = client.get("/")
    assert "X-Page-Cache" not in response.headers
    assert "Pesan untuk Anda" in response.get_data(as_text=True)
    assert "Pesan untuk Anda" not in client.get("/").get_data(as_text=True)


def test_not_found_pages_are_not_cached(client, page_cache_on):
    assert client.get("/produk/tidak-ada").status_code == 404
    make_product(slug="tidak-ada")
    assert client.get("/produk/tidak-ada").status_code == 200


def test_a_remembered_visitor_is_not_served_from_the_cache(client, page_cache_on):
    make_product()
    client.get("/")
    client.set_cookie("remember_token", "someone")
    assert "X-Page-Cache" not in client.get("/").headers


def test_browsing_pages_without_forms_sets_no_cookie(client, page_cache_on):
    """No session for a visitor who only browses: cheaper, and nothing to track them by."""
    make_product()
    for _ in range(2):
        response = client.get("/kategori/kuliner")
        assert response.headers.get("X-Page-Cache") in {"miss", "hit"}
        assert "Set-Cookie" not in response.headers


def test_two_sites_sharing_one_redis_keep_their_pages_apart(app):
    """The cache keys carry the site's address, so staging never serves production's pages."""
    from flask import Flask

    from shop.pagecache import cache as page_cache

    def prefix_for(site_url: str) -> str:
        other = Flask("other")
        # Nothing is sent to this address: the Redis client connects on first use.
        other.config.update(
            PAGE_CACHE_SECONDS=60, REDIS_URL="redis://127.0.0.1:1/0", SITE_URL=site_url
        )
        configure_backend(other)
        return other.extensions["cache"][page_cache].key_prefix

    assert prefix_for("https://pasar.example") != prefix_for("https://staging.pasar.example")


def test_a_hit_without_cookies_is_served_before_flask_as_flask_serves_it(
    app, client, page_cache_on, monkeypatch
):
    product = make_product()
    path = f"/produk/{product.slug}"
    assert client.get(path).headers["X-Page-Cache"] == "miss"
    through_flask = app.test_client()
    through_flask.set_cookie("session", "not-a-valid-session")  # Flask's path: an empty session
    flask_hit = through_flask.get(path)
    assert flask_hit.headers["X-Page-Cache"] == "hit"

    def flask_is_not_reached(environ, start_response):
        raise AssertionError("a hit without cookies went through Flask")

    monkeypatch.setattr(app.wsgi_app, "wsgi_app", flask_is_not_reached)
    early_hit = app.test_client().get(path)
    assert early_hit.headers["X-Page-Cache"] == "hit"
    assert sorted(early_hit.headers.items()) == sorted(flask_hit.headers.items())
    token = csrf_token_from_page(early_hit.get_data(as_text=True))
    assert token.startswith("anon.") and token != csrf_token_from_page(
        flask_hit.get_data(as_text=True)
    )
    without_token = early_hit.get_data(as_text=True).replace(token, "")
    assert without_token == flask_hit.get_data(as_text=True).replace(
        csrf_token_from_page(flask_hit.get_data(as_text=True)), ""
    )


def test_a_hit_reads_the_cache_once(app, client, page_cache_on, monkeypatch):
    """The page and the catalog version in one read: one round trip when the cache is Redis."""
    make_product()
    client.get("/")
    backend = app.extensions["cache"][cache]
    reads = []  # the calls made to the cache (not those a get_many makes inside)
    original_get, original_get_many = backend.get, backend.get_many

    def get(key):
        if not reads or reads[-1] != "get_many (running)":
            reads.append("get")
        return original_get(key)

    def get_many(*keys):
        reads.append("get_many (running)")
        try:
            return original_get_many(*keys)
        finally:
            reads[-1] = "get_many"

    monkeypatch.setattr(backend, "get", get)
    monkeypatch.setattr(backend, "get_many", get_many)
    for visitor in (app.test_client(), client):  # before Flask, then through it (a cookie)
        if visitor is client:
            client.set_cookie("session", "not-a-valid-session")
        reads.clear()
        assert visitor.get("/").headers["X-Page-Cache"] == "hit"
        assert reads == ["get_many"]
