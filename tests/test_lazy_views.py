"""The back office's views are imported on first use (shop/lazy_views.py), and nothing else
shows it: the same routes, access rules, CSRF exemptions, filters and globals as when every
blueprint is imported at start."""

import threading
import time
from types import SimpleNamespace

import pytest

from config import TestConfig
from shop import create_app, lazy_views
from shop.lazy_routes import BLUEPRINTS
from shop.lazy_views import table_of


@pytest.fixture(scope="module")
def eager_app(app):
    return create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], LAZY_VIEWS=False
    )


def _rules(app) -> list[tuple]:
    return sorted(
        (rule.rule, rule.endpoint, sorted(rule.methods), rule.defaults, rule.strict_slashes)
        for rule in app.url_map.iter_rules()
    )


def test_the_table_of_lazy_blueprints_is_what_their_views_declare(eager_app):
    assert table_of(eager_app) == BLUEPRINTS, "routes changed: run python -m shop.lazy_views"


def test_the_app_has_every_rule_and_view_rule_of_the_eager_app(app, eager_app):
    assert _rules(app) == _rules(eager_app)
    lazy_endpoints = {rule[1] for entry in BLUEPRINTS.values() for rule in entry["rules"]}
    assert "coops.members" in lazy_endpoints and "iris.iris_notification" in lazy_endpoints
    for endpoint, view in eager_app.view_functions.items():
        stub = app.view_functions[endpoint]
        assert getattr(stub, "access_rule", None) == getattr(view, "access_rule", None), endpoint
        assert (stub.__module__, stub.__name__) == (view.__module__, view.__name__), endpoint


def test_the_app_has_every_filter_and_global_of_the_eager_app(app, eager_app):
    assert set(app.jinja_env.filters) == set(eager_app.jinja_env.filters)
    # Label tables (values, not functions): there from the start, their module loaded when
    # first read (a member's home page reads the SHU's before any SHU page loaded it).
    values = {name for entry in BLUEPRINTS.values() for name in entry["global_values"]}
    assert values == {"shu_part_labels", "shu_destination_labels", "savings_kind_labels",
                      "payment_method_labels"}  # fmt: skip
    assert set(app.jinja_env.globals) == set(eager_app.jinja_env.globals)
    # Read from another module's page before their own module loaded, they load it.
    fresh = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    for name in values:
        assert dict(fresh.jinja_env.globals[name]) == eager_app.jinja_env.globals[name], name
    template = "{{ shu_destination_labels['sukarela'] }}"
    with fresh.test_request_context():
        assert fresh.jinja_env.from_string(template).render() != ""


def test_a_lazy_filter_gives_what_the_real_one_gives(app, eager_app):
    from shop.coops.models import Role

    with app.test_request_context():
        for role in Role:
            invitation = SimpleNamespace(role=role)
            assert app.jinja_env.filters["role_label"](invitation) == (
                eager_app.jinja_env.filters["role_label"](invitation)
            )


def test_two_first_requests_at_once_import_the_blueprint_once_and_both_are_served(app, monkeypatch):
    fresh = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    real_record = lazy_views.record
    recorded = []

    def slow_record(bp):
        recorded.append(bp.name)
        time.sleep(0.3)  # the other thread arrives while this one is loading
        return real_record(bp)

    monkeypatch.setattr(lazy_views, "record", slow_record)
    start = threading.Barrier(2)
    responses = []

    def open_page():
        start.wait()
        responses.append(fresh.test_client().get("/koperasi/some-coop/kelola/audit"))

    threads = [threading.Thread(target=open_page) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert recorded == ["audit"]
    assert [response.status_code for response in responses] == [302, 302]
    assert all("/akun/masuk" in response.location for response in responses)


def test_a_lazy_webhook_takes_a_post_without_a_csrf_token(app, client, csrf_on):
    """(tests/test_worker_imports.py checks the exemption is there before the module loads.)"""
    response = client.post("/payouts/iris/notification", data=b"{}")
    assert response.get_json() == {"status": "bad_signature"}  # refused by it, not by CSRF
