"""A NUL byte anywhere in a request is refused with a 400 page before anything else runs.

PostgreSQL refuses NUL in text (a 500), SQLite stores it; either way no view should see one.
The walk below sends one to every route of the app, signed in as someone who may open
nearly all of them, and checks the answer and that nothing was written.
"""

import io
import json
import re

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms.fields.core import UnboundField

from config import TestConfig
from shop import create_app
from shop.catalog.models import ProductVariant
from shop.checkout.models import Order
from shop.coops.models import Membership, Role
from shop.extensions import db
from shop.products.catalog_file import write_csv
from shop.products.models import ProductImport
from tests.factories import make_membership, make_product, make_shipping_settings, make_user
from tests.products.test_import import catalog_rows

REFUSED = "Your request contains a character we cannot accept (a NUL byte)"
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
WRITES = ("INSERT", "UPDATE", "DELETE")


def _routes() -> list[tuple[str, str]]:
    app = create_app(TestConfig)
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
    return [
        (method, rule.rule) for rule in rules for method in sorted(rule.methods & {"GET", "POST"})
    ]


def _form_field_names() -> list[str]:
    """Every field name of every form of the app, so each POST fills the fields its view reads."""
    names, forms = set(), [FlaskForm]
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        for klass in form.__mro__:
            names.update(
                name for name, value in vars(klass).items() if isinstance(value, UnboundField)
            )
    return sorted(names)


ROUTES = _routes()  # the app built, so every form class is imported
FORM_WITH_NUL = {name: "x\x00" for name in _form_field_names()}
CASES = (
    [("GET", rule, "path") for method, rule in ROUTES if method == "GET" and "<" in rule]
    + [("GET", rule, "query") for method, rule in ROUTES if method == "GET"]
    + [("POST", rule, "form") for method, rule in ROUTES if method == "POST"]
)


@pytest.fixture
def insider(login, client):
    """An operator who is also an admin of a cooperative with a product, signed in, reading
    the site in English: the routes' own checks let them through nearly everywhere."""
    user = make_user(is_operator=True)
    membership = make_membership(user=user, role=Role.ADMIN)
    product = make_product(membership)
    login(user)
    with client.session_transaction() as session:
        session["lang"] = "en"
    return {
        "coop_slug": membership.cooperative.slug,
        "slug": product.slug,
        "product_id": str(product.id),
        "variant_id": str(product.variants[0].id),
        "membership_id": str(membership.id),
    }


def url_of(rule: str, values: dict[str, str], suffix: str = "") -> str:
    def value(match: re.Match) -> str:
        fallback = "1" if match["converter"] == "int" else "x"
        return values.get(match["name"], fallback) + suffix

    return VARIABLE.sub(value, rule)


def writes_in(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.lstrip().upper().startswith(WRITES)]


@pytest.mark.parametrize(("method", "rule", "where"), CASES, ids=[" ".join(c) for c in CASES])
def test_a_nul_byte_anywhere_is_refused_before_anything_is_written(
    client, insider, count_queries, method, rule, where
):
    if where == "path":
        response_of = lambda: client.get(url_of(rule, insider, "%00"))  # noqa: E731
    elif where == "query":
        response_of = lambda: client.get(url_of(rule, insider) + "?q=x%00&order_id=%00")  # noqa: E731
    else:
        response_of = lambda: client.post(url_of(rule, insider), data=FORM_WITH_NUL)  # noqa: E731

    with count_queries() as statements:
        response = response_of()

    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)
    assert writes_in(statements) == []


def test_an_anonymous_refused_request_runs_no_sql_at_all(client, count_queries):
    with count_queries() as statements:
        client.get("/produk/keripik%00")
        client.get("/pembayaran/selesai?order_id=%00")
        client.post("/akun/masuk", data={"email": "a\x00@example.test", "password": "x"})
    assert statements == []


def test_a_guest_checkout_with_a_nul_in_the_address_places_no_order(client):
    product = make_product(variants=((15000, 5),))
    variant, coop_id = product.variants[0], product.cooperative_id
    make_shipping_settings(product.cooperative)
    client.post("/keranjang/tambah", data={"variant_id": str(variant.id), "quantity": "2"})
    address = {
        "contact_name": "Siti Aminah",
        "contact_email": "siti@example.test",
        "contact_phone": "0812-3456-7890",
        "province": "DI Yogyakarta",
        "city": "Kota Yogyakarta",
        "district": "Gondokusuman",
        "village": "Baciro",
        "postcode": "55225",
        "street": "Jl. Melati 5\x00",
        f"shipping-{coop_id}": "pickup",
        "place": "1",
    }

    response = client.post("/checkout", data=address)

    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert db.session.get(ProductVariant, variant.id).stock == 5


def test_a_member_profile_with_a_nul_is_not_saved(client, login):
    membership = make_membership(business_name="Keripik Siti")
    login(membership.user)

    response = client.post(
        f"/koperasi/{membership.cooperative.slug}/anggota/profil",
        data={
            "business_name": "Keripik\x00Siti",
            "bank_name": "BCA",
            "bank_account_number": "1234567890",
            "bank_account_holder": "Siti",
        },
    )

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).business_name == "Keripik Siti"


def test_an_uploaded_file_name_with_a_nul_is_refused(client, login):
    member = make_membership()
    login(member.user)
    catalog = (io.BytesIO(write_csv(catalog_rows(1))), "produk\x00.csv")

    response = client.post(
        f"/koperasi/{member.cooperative.slug}/anggota/produk/impor",
        data={"catalog_file": catalog},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ProductImport)) == 0


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ({"order_id": "PK\x00"}, True),  # json.dumps writes it \u0000
        ({"items": [{"name\x00": 1}]}, True),
        ({"order_id": "PK\\u0000"}, False),  # the six characters \u0000, no NUL
    ],
)
def test_json_strings_are_guarded_too(english, body, refused):
    response = english.post(
        "/simulator/midtrans/snap/v1/transactions",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert (REFUSED in response.get_data(as_text=True)) is refused
    assert response.status_code < 500


@pytest.mark.usefixtures("csrf_on")
def test_the_guard_answers_before_the_csrf_check(client):
    client.get("/bahasa/en")
    response = client.post("/akun/masuk", data={"email": "a\x00@example.test", "password": "x"})
    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/cari?q=%2500", "/cari?q=keripik", "/produk/%2500"])
def test_text_that_only_looks_like_a_nul_passes(client, url):
    assert client.get(url).status_code in (200, 404)
