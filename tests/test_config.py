"""Production refuses unsafe settings; secrets and URLs come from the environment."""

import pytest

from config import INSECURE_DEV_SECRET, ProductionConfig, database_url
from shop import create_app

STRONG_SECRET = "x" * 48
POSTGRES = "postgresql+psycopg://nobody@127.0.0.1:1/none"
MIDTRANS_KEY = "SB-Mid-server-abc123cde456"


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


def test_production_sends_hsts_and_secure_cookies():
    app = create_app(
        ProductionConfig,
        SECRET_KEY=STRONG_SECRET,
        SQLALCHEMY_DATABASE_URI=POSTGRES,
        MIDTRANS_SERVER_KEY=MIDTRANS_KEY,
    )
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
