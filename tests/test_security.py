"""Security headers, CSRF, cookies, sign-in redirects and the authorization map."""

import re

import pytest
from flask import Flask

from config import TestConfig
from shop import create_app
from shop.accounts.models import User
from shop.auth.policy import public, unguarded_endpoints
from shop.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD, make_user

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/akun/masuk"), ("GET", "/tidak-ada"), ("GET", "/healthz"),
     ("POST", "/akun/masuk"), ("GET", "/static/css/site.css"), ("DELETE", "/")],
)  # fmt: skip
def test_every_response_carries_the_security_headers(client, method, path):
    response = client.open(path, method=method)
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "Strict-Transport-Security" not in response.headers  # only in production (HTTPS)


def test_pages_contain_no_inline_script(client):
    """Scripts come from our own files (the search suggestions on every page), never inline."""
    for path in ("/", "/akun/masuk", "/akun/daftar", "/tidak-ada"):
        html = client.get(path).get_data(as_text=True)
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        assert all(' src="/assets/' in attributes and not body.strip()
                   for attributes, body in scripts), scripts  # fmt: skip
        assert html.count("<script") == len(scripts)


def test_form_post_without_csrf_token_is_refused(client, csrf_on):
    response = client.post(
        "/akun/daftar",
        data={
            "name": "Sari",
            "email": "sari@example.com",
            "password": "rahasia-123",
            "confirm": "rahasia-123",
        },
    )
    assert response.status_code == 400
    assert db.session.query(User).filter_by(email="sari@example.com").count() == 0


def test_form_post_with_its_csrf_token_is_accepted(client, csrf_on):
    token = csrf_token_from(client.get("/akun/daftar").get_data(as_text=True))
    response = client.post(
        "/akun/daftar",
        data={"csrf_token": token, "name": "Sari", "email": "sari@example.com",
              "password": "rahasia-123", "confirm": "rahasia-123"},
    )  # fmt: skip
    assert response.status_code == 302
    assert db.session.query(User).filter_by(email="sari@example.com").count() == 1


def test_session_cookie_is_httponly_and_samesite_lax(client):
    user = make_user()
    response = client.post("/akun/masuk", data={"email": user.email, "password": DEFAULT_PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_renews_the_session(client):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    client.post("/akun/masuk", data={"email": user.email, "password": DEFAULT_PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.login_id


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [("https://evil.example", "/"), ("//evil.example/x", "/"), ("/akun/", "/akun/")],
)
def test_next_after_sign_in_only_goes_to_this_site(client, next_url, landing):
    user = make_user()
    response = client.post(
        f"/akun/masuk?next={next_url}",
        data={"email": user.email, "password": DEFAULT_PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_every_endpoint_declares_who_may_use_it(app):
    assert unguarded_endpoints(app) == []


def test_a_new_route_without_a_rule_is_caught():
    throwaway = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")

    @throwaway.route("/forgotten")
    def forgotten():
        return "open to everyone by accident"

    @throwaway.route("/declared")
    @public
    def declared():
        return "public on purpose"

    assert unguarded_endpoints(throwaway) == ["forgotten"]


def test_policy_ignores_only_flasks_own_static_endpoint():
    bare = Flask(__name__)
    assert unguarded_endpoints(bare) == []  # only "static"


def test_repeated_sign_in_attempts_are_slowed_down():
    limited = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", RATELIMIT_ENABLED=True)
    client = limited.test_client()
    # An empty form keeps this throwaway app (it has no tables) away from the database.
    codes = [client.post("/akun/masuk", data={"email": ""}).status_code for _ in range(11)]
    assert codes[:10] == [200] * 10  # the form again, with its messages
    assert codes[10] == 429
    refused = client.post("/akun/masuk", data={"email": ""})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/akun/masuk").status_code == 200  # reading the page is never limited
