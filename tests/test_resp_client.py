"""The page cache's own Redis client (shop/resp_client.py), against a real Redis and read back
through redis-py: what one writes the other reads, a connection the server closed is replaced,
a forked process opens its own, and a worker caching its pages in Redis never imports
redis-py. Redis and its keys of this run's own: tests/redis_fixtures.py.
"""

import pytest

from shop.resp_client import RedisError, RespClient, _parse_url
from tests.new_worker import in_a_new_worker
from tests.redis_fixtures import REDIS_TEST_URL as REDIS_URL
from tests.redis_fixtures import RUN as REDIS_RUN

RUN = f"resp-{REDIS_RUN}:"


@pytest.fixture
def resp(redis_py) -> RespClient:
    return RespClient(REDIS_URL)


def test_what_one_client_writes_the_other_reads(resp, redis_py):
    page = b"p7\n<!doctype html>" + bytes(range(256)) * 200  # any byte, CR LF included
    assert resp.set(f"{RUN}page", page, ex=60)
    assert redis_py.get(f"{RUN}page") == page
    assert 0 < redis_py.ttl(f"{RUN}page") <= 60

    redis_py.set(f"{RUN}version", 41)
    assert resp.incr(f"{RUN}version") == 42
    assert resp.mget([f"{RUN}version", f"{RUN}missing", f"{RUN}page"]) == [b"42", None, page]
    assert resp.get(f"{RUN}missing") is None
    assert resp.set(f"{RUN}forever", b"") and redis_py.ttl(f"{RUN}forever") == -1


def test_setnx_expire_exists_keys_and_delete(resp, redis_py):
    assert resp.setnx(f"{RUN}once", b"1") is True
    assert resp.setnx(f"{RUN}once", b"2") is False
    assert resp.expire(f"{RUN}once", 30) and 0 < redis_py.ttl(f"{RUN}once") <= 30
    assert resp.exists(f"{RUN}once") == 1
    assert resp.keys(f"{RUN}once*") == [f"{RUN}once".encode()]
    assert resp.delete(f"{RUN}once", f"{RUN}missing") == 1
    assert resp.delete() == 0
    assert redis_py.get(f"{RUN}once") is None


def test_an_error_answer_is_raised_and_the_connection_stays_usable(resp, redis_py):
    redis_py.set(f"{RUN}text", "not a number")
    with pytest.raises(RedisError, match="not an integer"):
        resp.incr(f"{RUN}text")
    assert resp.get(f"{RUN}text") == b"not a number"
    assert len(resp._idle) == 1


def test_a_connection_the_server_closed_is_replaced(resp, redis_py):
    resp.set(f"{RUN}kept", b"value")
    (connection,) = resp._idle
    own_id = connection.call(("CLIENT", "ID"))
    assert redis_py.client_kill_filter(_id=own_id) == 1

    assert resp.get(f"{RUN}kept") == b"value"
    assert resp._idle and resp._idle[0] is not connection


def test_a_forked_process_opens_connections_of_its_own(resp):
    resp.set(f"{RUN}fork", b"1")
    (parents,) = resp._idle
    resp._pid = -1  # as a worker forked from the master sees it

    assert resp.get(f"{RUN}fork") == b"1"
    assert resp._idle and resp._idle[0] is not parents


def test_the_database_and_password_of_the_url_are_sent_on_connecting():
    assert _parse_url("redis://127.0.0.1:6380/4") == (("127.0.0.1", 6380), False, [("SELECT", 4)])
    assert _parse_url("rediss://:s%40cret@cache.internal") == (
        ("cache.internal", 6379),
        True,
        [("AUTH", "s@cret")],
    )
    assert _parse_url("redis://pasar:pw@h/0")[2] == [("AUTH", "pasar", "pw")]
    assert _parse_url("unix:///run/redis.sock?db=3&password=pw") == (
        "/run/redis.sock",
        False,
        [("AUTH", "pw"), ("SELECT", 3)],
    )
    with pytest.raises(ValueError):
        _parse_url("http://127.0.0.1:6379/0")


def test_an_option_of_the_url_the_client_would_ignore_stops_it_at_start():
    """redis-py honours ?ssl_cert_reqs=none; ignored here, every page would fail instead."""
    with pytest.raises(ValueError, match="ssl_cert_reqs"):
        RespClient("rediss://cache.internal:6380/0?ssl_cert_reqs=none")


def test_the_selected_database_is_the_one_written(redis_py):
    import redis

    base, selected = REDIS_URL.rsplit("/", 1)
    elsewhere = f"{base}/{(int(selected or 0) + 1) % 16}"  # a database not the tests' own
    other = RespClient(elsewhere)
    other.set(f"{RUN}elsewhere", b"x", ex=30)
    try:
        assert redis_py.get(f"{RUN}elsewhere") is None
        assert redis.Redis.from_url(elsewhere).get(f"{RUN}elsewhere") == b"x"
    finally:
        other.delete(f"{RUN}elsewhere")


def test_a_worker_caching_its_pages_in_redis_never_imports_redis_py(redis_py, tmp_path):
    """The page cache in Redis, a page missed then hit, and redis-py not loaded."""
    program = (
        "import sys, wsgi\n"
        "from flask_migrate import upgrade\n"
        "with wsgi.app.app_context():\n"
        "    upgrade()\n"
        "client = wsgi.app.test_client()\n"
        "print(*(client.get('/').headers['X-Page-Cache'] for _ in range(2)))\n"
        "print('redis' in sys.modules)\n"
    )
    result = in_a_new_worker(
        program,
        tmp_path,
        REDIS_URL=REDIS_URL,
        PAGE_CACHE_SECONDS="60",
        SITE_URL=f"http://{RUN}test",  # the cache's key prefix: this run's keys
    )
    assert result.stdout.split("\n")[:2] == ["miss hit", "False"]
    assert any(redis_py.scan_iter(f"*{RUN}*page*"))  # the hit came from Redis, not memory
