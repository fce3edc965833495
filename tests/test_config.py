"""Production refuses unsafe settings; secrets and URLs come from the environment."""

import os
import subprocess
import sys

import pytest

from config import INSECURE_DEV_SECRET, ProductionConfig, database_url
from shop import create_app

STRONG_SECRET = "x" * 48
POSTGRES = "postgresql+psycopg://nobody@127.0.0.1:1/none"
MIDTRANS_KEY = "SB-Mid-server-abc123cde456"
REDIS = "redis://127.0.0.1:1/0"  # never reached by these tests


@pytest.mark.parametrize(
    "secret", [INSECURE_DEV_SECRET, "", "short-secret"], ids=["demo-default", "empty", "short"]
)
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            ProductionConfig,
            SECRET_KEY=secret,
            SQLALCHEMY_DATABASE_URI=POSTGRES,
            MIDTRANS_SERVER_KEY=MIDTRANS_KEY,
        )


def test_production_refuses_sqlite():
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(
            ProductionConfig,
            SECRET_KEY=STRONG_SECRET,
            SQLALCHEMY_DATABASE_URI="sqlite://",
            MIDTRANS_SERVER_KEY=MIDTRANS_KEY,
        )


def test_production_refuses_to_start_without_midtrans_keys():
    with pytest.raises(RuntimeError, match="MIDTRANS_SERVER_KEY"):
        create_app(
            ProductionConfig,
            SECRET_KEY=STRONG_SECRET,
            SQLALCHEMY_DATABASE_URI=POSTGRES,
            MIDTRANS_SERVER_KEY="",
        )


def production_app(**overrides):
    """A production app with every required setting, but for the overrides."""
    settings = {
        "SECRET_KEY": STRONG_SECRET,
        "SQLALCHEMY_DATABASE_URI": POSTGRES,
        "MIDTRANS_SERVER_KEY": MIDTRANS_KEY,
        "REDIS_URL": REDIS,
    }
    return create_app(ProductionConfig, **(settings | overrides))


def test_production_refuses_to_start_without_redis():
    with pytest.raises(RuntimeError, match="REDIS_URL must be set"):
        production_app(REDIS_URL="")


@pytest.mark.parametrize("hosts", [2, 5])
def test_production_refuses_local_media_on_several_hosts(hosts):
    with pytest.raises(RuntimeError, match=f"APP_HOSTS is {hosts}.*MEDIA_SHARED"):
        production_app(APP_HOSTS=hosts, MEDIA_SHARED=False)


@pytest.mark.parametrize(
    "settings",
    [
        {"APP_HOSTS": 1},
        {"APP_HOSTS": 3, "MEDIA_SHARED": True},
        {"APP_HOSTS": 3, "MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "pasar-media"},
    ],
    ids=["one-host", "shared-mount", "object-storage"],
)
def test_production_starts_when_media_are_seen_by_every_host(settings):
    assert production_app(**settings).config["APP_HOSTS"] == settings["APP_HOSTS"]


def test_host_count_and_shared_media_come_from_the_environment():
    # In a process of its own: the settings are read when config.py is imported.
    environment = os.environ | {"APP_HOSTS": "4", "MEDIA_SHARED": "1"}
    code = "import config; print(config.Config.APP_HOSTS, config.Config.MEDIA_SHARED)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["4", "True"]


def test_production_sends_hsts_and_secure_cookies():
    app = production_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get(
        "/healthz"
    )  # the database is unreachable: 503, headers still set
    assert response.status_code == 503
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_the_installed_driver(raw, expected):
    assert database_url(raw) == expected
