"""Redis for the tests that need one (the page cache's own client, two app instances sharing
one): REDIS_TEST_URL, database 15 unless told. Without Redis they skip, unless
REQUIRE_REDIS=1 (CI), where they fail instead. tests/conftest.py registers this module as a
plugin, so the client exists once a session."""

import os
import uuid

import pytest

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
# In every key the tests write (a key prefix, a site address), so that this run's keys are
# its own beside another run's on the same Redis, and removed after it.
RUN = uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def redis_py():
    """redis-py on REDIS_TEST_URL, to read back what the code under test wrote; the keys
    naming RUN are removed at the end of the session."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but no Redis answers at {REDIS_TEST_URL}")
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    yield client
    for key in client.scan_iter(f"*{RUN}*"):
        client.delete(key)
    client.close()
