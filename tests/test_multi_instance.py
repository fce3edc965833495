"""Two app instances (two hosts, say) on one database and one Redis behave as one site: a page
cached by one is invalidated when the other changes the product, a rate limit counted on one
applies on the other, and a session begun on one is accepted, and ended, on the other.

Each instance is an app object of its own (its own engine, cache client and limiter); they
share only the database and Redis (tests/redis_fixtures.py), with keys of this run's own (the
site address in the page-cache prefix, a client address in the rate-limit keys), removed
afterwards.
"""

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade

from config import TestConfig
from shop import create_app
from shop.catalog.models import ProductVariant
from shop.extensions import db
from shop.pagecache import PLACEHOLDER_BYTES, VERSION_KEY
from shop.pagecache import cache as page_cache
from tests.databases import database_of_its_own
from tests.factories import DEFAULT_PASSWORD, make_product, make_user
from tests.redis_fixtures import REDIS_TEST_URL as REDIS_URL
from tests.redis_fixtures import RUN

SITE_URL = f"http://multi-{RUN}.test"  # the page cache's key prefix names it
ADDRESSES: list[str] = []  # client addresses this run counted rate limits for


@pytest.fixture(scope="module")
def shared_database_url(tmp_path_factory) -> Iterator[str]:
    """A database of the instances' own (the session's is inside each test's transaction)."""
    with database_of_its_own(tmp_path_factory.mktemp("multi"), "multi") as url:
        yield url


def instance(database_url: str, media_dir: str, **settings) -> Flask:
    return create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        MEDIA_DIR=media_dir,
        SITE_URL=SITE_URL,
        REDIS_URL=REDIS_URL,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_ENABLED=True,
        PAGE_CACHE_SECONDS=60,
        **settings,
    )


@pytest.fixture(scope="module")
def two_instances(redis_py, shared_database_url, tmp_path_factory):
    media = str(tmp_path_factory.mktemp("media"))
    first = instance(shared_database_url, media)
    with first.app_context():
        upgrade()
    second = instance(shared_database_url, media)
    yield first, second
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()
    for pattern in [f"*/{address}/*" for address in ADDRESSES]:  # RUN's: by redis_py
        for key in redis_py.scan_iter(pattern):
            redis_py.delete(key)


def client_of(app: Flask, address: str):
    """A test client that comes from `address` (the rate limits count per address)."""
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=f"multi-{RUN}")
    client.get("/bahasa/en")
    return client


def fresh_address() -> str:
    # An address of this test run's own: another run on the same Redis counts apart.
    digits = uuid.uuid4().int
    ADDRESSES.append(f"10.{digits % 250}.{digits // 250 % 250}.{digits // 62500 % 250 + 1}")
    return ADDRESSES[-1]


def test_a_page_cached_by_one_instance_is_invalidated_when_the_other_changes_the_product(
    two_instances,
):
    first, second = two_instances
    with first.app_context():
        product = make_product(name=f"Keripik {RUN}", variants=((15_000, 5),))
        db.session.commit()
        slug, variant_id = product.slug, product.variants[0].id
    shopper = first.test_client()  # anonymous, no language chosen: the cacheable page
    assert shopper.get(f"/produk/{slug}").headers["X-Page-Cache"] == "miss"
    assert shopper.get(f"/produk/{slug}").headers["X-Page-Cache"] == "hit"

    with second.app_context():
        db.session.get(ProductVariant, variant_id).price = 17_500
        db.session.commit()

    response = shopper.get(f"/produk/{slug}")
    assert response.headers["X-Page-Cache"] == "miss"
    assert "Rp\xa017.500" in response.get_data(as_text=True)


def test_a_page_is_kept_in_redis_as_its_bytes_with_its_version(two_instances, redis_py):
    """No pickle to undo on a hit: the value is "p<catalog version>\n" and the page."""
    first, _ = two_instances
    with first.app_context():
        product = make_product(name=f"Sambal {RUN}")
        db.session.commit()
        slug = product.slug
    shopper = first.test_client()
    page = shopper.get(f"/produk/{slug}").get_data()
    prefix = first.extensions["cache"][page_cache].key_prefix
    version = int(redis_py.get(f"{prefix}{VERSION_KEY}"))
    locale = first.config["BABEL_DEFAULT_LOCALE"]
    stored = redis_py.get(f"{prefix}page:{locale}:/produk/{slug}?")
    assert stored.startswith(b"p%d\n<!doctype html>" % version)
    assert stored.split(b"\n", 1)[1].replace(PLACEHOLDER_BYTES, b"").startswith(page[:500])


def test_with_the_version_trusted_for_a_while_a_hit_asks_redis_nothing(
    two_instances, shared_database_url, tmp_path, monkeypatch
):
    """PAGE_CACHE_VERSION_SECONDS: the process's own copy and version serve the hit; its own
    changes show at once, another instance's once the version is read again."""
    first, other = two_instances
    trusting = instance(shared_database_url, str(tmp_path), PAGE_CACHE_VERSION_SECONDS=3600)
    with trusting.app_context():
        product = make_product(name=f"Rendang {RUN}", variants=((15_000, 5),))
        db.session.commit()
        slug, variant_id = product.slug, product.variants[0].id
    shopper = trusting.test_client()
    assert shopper.get(f"/produk/{slug}").headers["X-Page-Cache"] == "miss"
    backend = trusting.extensions["cache"][page_cache]

    def no_redis(*args, **kwargs):
        raise AssertionError("a hit asked Redis")

    with monkeypatch.context() as patched:
        for method in ("get", "get_many"):
            patched.setattr(backend, method, no_redis)
        assert shopper.get(f"/produk/{slug}").headers["X-Page-Cache"] == "hit"

    with trusting.app_context():  # its own change: seen at once
        db.session.get(ProductVariant, variant_id).price = 16_000
        db.session.commit()
    assert "Rp\xa016.000" in shopper.get(f"/produk/{slug}").get_data(as_text=True)
    assert shopper.get(f"/produk/{slug}").headers["X-Page-Cache"] == "hit"

    with other.app_context():  # another instance's: once the trusted version is old
        db.session.get(ProductVariant, variant_id).price = 17_500
        db.session.commit()
    assert "Rp\xa016.000" in shopper.get(f"/produk/{slug}").get_data(as_text=True)
    trusting.extensions["page_store"].version_read_at -= 3600
    response = shopper.get(f"/produk/{slug}")
    assert response.headers["X-Page-Cache"] == "miss"
    assert "Rp\xa017.500" in response.get_data(as_text=True)
    with trusting.app_context():
        db.engine.dispose()


def test_a_rate_limit_counted_on_one_instance_applies_on_the_other(two_instances):
    first, second = two_instances
    address = fresh_address()
    wrong = {"email": f"nobody-{RUN}@example.test", "password": "wrong-password"}
    on_first, on_second = client_of(first, address), client_of(second, address)

    answers = [on_first.post("/akun/masuk", data=wrong).status_code for _ in range(10)]

    assert answers == [200] * 10  # the form again, with its error: ten a minute are allowed
    assert on_second.post("/akun/masuk", data=wrong).status_code == 429
    assert client_of(second, fresh_address()).post("/akun/masuk", data=wrong).status_code == 200


def test_a_session_begun_on_one_instance_is_accepted_and_ended_on_the_other(two_instances):
    first, second = two_instances
    with first.app_context():
        user = make_user(email=f"shopper-{RUN}@example.test")
        db.session.commit()
        email = user.email
    address = fresh_address()
    on_first, on_second = client_of(first, address), client_of(second, address)
    signed_in = on_first.post("/akun/masuk", data={"email": email, "password": DEFAULT_PASSWORD})
    assert signed_in.status_code == 302
    cookie = on_first.get_cookie("session")
    on_second.set_cookie("session", cookie.value, domain=cookie.domain)

    assert on_second.get("/akun/").status_code == 200

    on_second.post("/akun/keluar")
    ended = on_first.get("/akun/")  # the first still holds the cookie of the ended session
    assert ended.status_code == 302 and "/akun/masuk" in ended.headers["Location"]
