"""Every page behind a sign-in rule is `Cache-Control: private, no-store` by default, so a new
page cannot forget it; storefront pages stay cacheable."""

import pytest
from flask import Response

from shop.accounts.models import User
from shop.coops.models import Role
from shop.security import PRIVATE_CACHE_CONTROL
from tests.factories import DEFAULT_PASSWORD, make_membership, make_product, make_user, pay
from tests.fulfilment.conftest import Shop, make_shop
from tests.test_pagecache import page_cache_on  # noqa: F401  (fixture)


@pytest.fixture
def paid() -> Shop:
    shop = make_shop()
    pay(shop.order)
    shop.reload()
    return shop


def non_public_rules(app):
    for rule in app.url_map.iter_rules():
        access_rule = getattr(app.view_functions[rule.endpoint], "access_rule", "public")
        if access_rule != "public":
            yield rule, access_rule


def path_of(rule, values: dict | None = None) -> str:
    """The rule's path with these values, and "1" (a fine int or string) for the rest."""
    arguments = {name: (values or {}).get(name, "1") for name in rule.arguments}
    return rule.build(arguments, append_unknown=False)[1]


def signed_in_client(app, user: User):
    client = app.test_client()
    response = client.post("/akun/masuk", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    return client


def test_representative_private_pages_are_not_stored(app, paid):
    member = signed_in_client(app, paid.siti.user)
    admin = signed_in_client(app, paid.tani_admin)
    operator = signed_in_client(app, make_user(is_operator=True))
    pages = [
        (member, "/akun/"),
        (member, "/akun/alamat"),
        (member, f"/koperasi/{paid.tani.slug}/anggota/profil"),
        (admin, f"/koperasi/{paid.tani.slug}/kelola/pesanan/{paid.order.number}"),
        (operator, "/operator/"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL, path
        assert response.headers["X-Robots-Tag"] == "noindex", path


def test_every_non_public_get_page_opened_by_its_user_is_not_stored(app, paid):
    """Each GET route with a rule other than "public", opened by someone it admits."""
    product = make_product(paid.siti)
    pengawas = make_membership(coop=paid.tani, role=Role.PENGAWAS)
    clients = {
        "signed_in": signed_in_client(app, paid.siti.user),
        "coop_member": signed_in_client(app, paid.siti.user),
        "coop_admin": signed_in_client(app, paid.tani_admin),
        "coop_books": signed_in_client(app, pengawas.user),
        "coop_pengawas": signed_in_client(app, pengawas.user),
        "operator": signed_in_client(app, make_user(is_operator=True)),
    }
    values = {
        "coop_slug": paid.tani.slug,
        "number": paid.order.number,
        "membership_id": paid.siti.id,
        "product_id": product.id,
        "report": "members",
        "kind": "ekspor",
        "fmt": "csv",
        "year": "2025",  # a year from 2000 to this one: others are refused (400)
    }
    statuses = {}
    for rule, access_rule in non_public_rules(app):
        if "GET" not in rule.methods:
            continue
        path = path_of(rule, values)
        response = clients[access_rule].get(path)
        assert response.headers.get("Cache-Control") == PRIVATE_CACHE_CONTROL, path
        statuses[path] = response.status_code
    # Each admitted (no sign-in redirect, no 403); only made-up ids (a job) may be missing.
    assert set(statuses.values()) <= {200, 404}
    assert list(statuses.values()).count(200) > 40


def test_no_non_public_endpoint_can_answer_without_it(app):
    """Every method of every non-public route, through the app's own after_request chain, with
    a view that set no Cache-Control of its own."""
    checked = 0
    for rule, _access_rule in non_public_rules(app):
        path = rule.build({name: "1" for name in rule.arguments}, append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            with app.test_request_context(path, method=method):
                response = app.process_response(Response("page"))
            assert response.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL, (method, path)
            checked += 1
    assert checked > 50


def test_a_cache_control_the_view_chose_is_kept(app):
    with app.test_request_context("/akun/"):
        response = Response("page")
        response.headers["Cache-Control"] = "private, max-age=60"
        assert app.process_response(response).headers["Cache-Control"] == "private, max-age=60"


@pytest.mark.usefixtures("page_cache_on")
@pytest.mark.parametrize("signed_in", [False, True])
def test_storefront_pages_are_not_made_private(app, signed_in):
    product = make_product()
    client = signed_in_client(app, make_user()) if signed_in else app.test_client()
    for path in ["/", f"/kategori/{product.category.slug}", f"/produk/{product.slug}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Cache-Control" not in response.headers, path
        if not signed_in:
            assert response.headers["X-Page-Cache"] == "miss"
            assert client.get(path).headers["X-Page-Cache"] == "hit"  # still cached


def test_an_order_opened_by_its_link_stays_private(client, paid):
    response = client.get(f"/pesanan/{paid.order.number}?kunci={paid.access_token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL
