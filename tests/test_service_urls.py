"""A task queue, Redis or rate-limit storage that cannot work stops the app at start, not at
the first task queued or the first rate-limited POST (their libraries load only then)."""

import pytest

from config import RATELIMIT_SCHEMES, TestConfig, check_service_urls, rate_limit_storage
from shop import create_app


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"TASK_QUEUE": "rediss"}, "TASK_QUEUE"),
        ({"TASK_QUEUE": "redis", "REDIS_URL": ""}, "TASK_QUEUE"),
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379/0"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:63790x/0"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/cache"}, "REDIS_URL"),
        ({"RATELIMIT_STORAGE_URI": "redis//127.0.0.1:6379"}, "RATELIMIT_STORAGE_URI"),
        ({"RATELIMIT_STORAGE_URI": "memcache://127.0.0.1"}, "RATELIMIT_STORAGE_URI"),
        ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:port"}, "RATELIMIT_STORAGE_URI"),
    ],
)
def test_the_app_refuses_to_start_with_a_setting_that_cannot_work(settings, named):
    with pytest.raises(RuntimeError, match=named):
        create_app(TestConfig, **settings)


@pytest.mark.parametrize(
    "settings",
    [
        {"TASK_QUEUE": "sqlite", "REDIS_URL": "", "RATELIMIT_STORAGE_URI": "memory://"},
        {"TASK_QUEUE": "immediate"},
        {"TASK_QUEUE": "redis", "REDIS_URL": "redis://127.0.0.1:6379/3"},
        {"REDIS_URL": "rediss://:secret@cache.internal:6380", "TASK_QUEUE": "redis"},
        {"REDIS_URL": "redis://user:secret@cache.internal/0"},
        {"REDIS_URL": "unix:///run/redis/redis.sock?db=2"},
        {"RATELIMIT_STORAGE_URI": "redis+sentinel://127.0.0.1:26379/mymaster"},
        {"RATELIMIT_STORAGE_URI": "redis+unix:///run/redis/redis.sock"},
        {"RATELIMIT_STORAGE_URI": "memcached://127.0.0.1:11211"},
    ],
)
def test_settings_that_can_work_pass(settings):
    check_service_urls(settings)


def test_every_rate_limit_storage_we_accept_is_one_the_limits_library_has():
    from limits.storage import SCHEMES

    assert set(RATELIMIT_SCHEMES) <= set(SCHEMES)


@pytest.mark.parametrize(
    ("redis_url", "storage"),
    [
        ("", "memory://"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("unix:///run/redis/redis.sock?db=2", "redis+unix:///run/redis/redis.sock?db=2"),
    ],
)
def test_the_rate_limits_storage_follows_redis_url_in_the_limits_librarys_words(redis_url, storage):
    assert rate_limit_storage(redis_url) == storage
    check_service_urls({"REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": storage})
