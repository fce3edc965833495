"""Who may open which cooperative page, and that a refused request changes nothing."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.checkout.models import CourierRate, ShippingSettings
from shop.coops.models import Cooperative, Invitation, Membership, Role
from shop.extensions import db
from tests.coops import count
from tests.factories import make_coop, make_membership, make_user

# Every page under /koperasi/<slug>/: who may use it, and what a POST to it sends. The
# POST data is valid, so a request that got through would change the cooperative.
COOP_PAGES = {
    "kelola/": ("admin", None),
    "kelola/undang": ("admin", {"email": "penyusup@example.com", "role": "admin"}),
    "kelola/profil": (
        "admin",
        {"name": "Diambil Alih", "city": "Sleman", "province": "DI Yogyakarta", "fee_percent": "0"},
    ),
    "kelola/pengiriman": (
        "admin",
        {
            "offers_pickup": "y",
            "offers_courier": "y",
            "courier_name": "Kurir Penyusup",
            "rates-0-max_weight_kg": "1",
            "rates-0-fee": "1",
        },
    ),
    "anggota/profil": (
        "member",
        {
            "business_name": "Diambil Alih",
            "bank_name": "BCA",
            "bank_account_number": "9999999999",
            "bank_account_holder": "Penyusup",
        },
    ),
}
REQUESTS = [("GET", page) for page in COOP_PAGES] + [
    ("POST", page) for page, (_, data) in COOP_PAGES.items() if data is not None
]
ADMIN_REQUESTS = [(method, page) for method, page in REQUESTS if COOP_PAGES[page][0] == "admin"]
MEMBER_REQUESTS = [(method, page) for method, page in REQUESTS if COOP_PAGES[page][0] == "member"]


def send(client, method: str, coop_slug: str, page: str):
    data = COOP_PAGES[page][1] if method == "POST" else None
    return client.open(f"/koperasi/{coop_slug}/{page}", method=method, data=data)


def coop_state(coop: Cooperative) -> tuple:
    """Everything a cooperative page could write, read back from the database."""
    return (
        db.session.execute(select(*Cooperative.__table__.c).where(Cooperative.id == coop.id)).one(),
        db.session.execute(
            select(*Membership.__table__.c)
            .where(Membership.cooperative_id == coop.id)
            .order_by(Membership.id)
        ).all(),
        count(Invitation, Invitation.cooperative_id == coop.id),
        count(AuditEntry, AuditEntry.cooperative_id == coop.id),
        db.session.execute(
            select(*ShippingSettings.__table__.c).where(ShippingSettings.cooperative_id == coop.id)
        ).all(),
        db.session.execute(
            select(CourierRate.max_weight_grams, CourierRate.fee)
            .where(CourierRate.cooperative_id == coop.id)
            .order_by(CourierRate.max_weight_grams)
        ).all(),
    )


@pytest.fixture
def coop_a():
    return make_coop(name="Koperasi Mlijo Sejahtera", fee_bp=500)


@pytest.fixture
def coop_b():
    """The other cooperative, with an admin and a member who has filled in a profile."""
    coop = make_coop(name="Koperasi Batik Lestari", fee_bp=750)
    make_membership(coop=coop, role=Role.ADMIN)
    make_membership(
        coop=coop,
        business_name="Batik Bu Sri",
        whatsapp="+6281234567890",
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="Sri Rahayu",
    )
    return coop


def test_access_table_covers_every_coop_page(app):
    """Every page guarded by a cooperative rule is in the table (public storefront pages of a
    cooperative share the /koperasi/ prefix but are not the console's)."""
    prefix = "/koperasi/<coop_slug>/"
    routes = {
        rule.rule.removeprefix(prefix): rule.methods
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix)
        and getattr(app.view_functions[rule.endpoint], "access_rule", None) != "public"
    }
    assert set(routes) == set(COOP_PAGES)
    for page, methods in routes.items():
        assert ("POST" in methods) == (COOP_PAGES[page][1] is not None), page


@pytest.mark.parametrize(("method", "page"), REQUESTS)
def test_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(client, coop_b, method, page):
    before = coop_state(coop_b)

    response = send(client, method, coop_b.slug, page)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/akun/masuk"
    assert parse_qs(location.query)["next"] == [f"/koperasi/{coop_b.slug}/{page}"]
    assert coop_state(coop_b) == before


@pytest.mark.parametrize("role_in_a", [Role.MEMBER, Role.ADMIN])
@pytest.mark.parametrize(("method", "page"), REQUESTS)
def test_member_of_one_coop_cannot_use_another_coops_pages(
    client, login, coop_a, coop_b, role_in_a, method, page
):
    outsider = make_membership(coop=coop_a, role=role_in_a).user
    login(outsider)
    before = coop_state(coop_b)

    response = send(client, method, coop_b.slug, page)

    assert response.status_code == 403
    assert coop_b.name not in response.get_data(as_text=True)
    assert coop_state(coop_b) == before


@pytest.mark.parametrize(("method", "page"), ADMIN_REQUESTS)
def test_plain_member_cannot_use_own_coops_admin_pages(client, login, coop_a, method, page):
    member = make_membership(coop=coop_a, role=Role.MEMBER).user
    login(member)
    before = coop_state(coop_a)

    response = send(client, method, coop_a.slug, page)

    assert response.status_code == 403
    assert coop_state(coop_a) == before
    assert db.session.scalar(select(Cooperative.fee_bp).where(Cooperative.id == coop_a.id)) == 500


@pytest.mark.parametrize(("method", "page"), REQUESTS)
def test_admin_can_use_own_coops_pages(client, login, coop_a, method, page):
    admin = make_membership(coop=coop_a, role=Role.ADMIN, business_name="Warung Pak Budi").user
    login(admin)
    before = coop_state(coop_a)

    response = send(client, method, coop_a.slug, page)

    if method == "GET":
        assert response.status_code == 200
        assert coop_state(coop_a) == before
    else:
        assert response.status_code in (200, 302)
        assert coop_state(coop_a) != before


@pytest.mark.parametrize(("method", "page"), MEMBER_REQUESTS)
def test_member_can_use_own_member_pages(client, login, coop_a, method, page):
    membership = make_membership(coop=coop_a, role=Role.MEMBER)
    login(membership.user)

    response = send(client, method, coop_a.slug, page)

    assert response.status_code in (200, 302)
    business_name = db.session.scalar(
        select(Membership.business_name).where(Membership.id == membership.id)
    )
    assert business_name == ("Diambil Alih" if method == "POST" else "")


def test_admin_console_lists_own_members_only(client, login, coop_a, coop_b):
    admin = make_membership(coop=coop_a, role=Role.ADMIN, business_name="Warung Pak Budi").user
    make_membership(coop=coop_a, user=make_user(name="Siti Aminah"))
    login(admin)

    page = client.get(f"/koperasi/{coop_a.slug}/kelola/").get_data(as_text=True)

    assert "Siti Aminah" in page and "Warung Pak Budi" in page
    assert "Batik Bu Sri" not in page
    assert count(Membership, Membership.cooperative_id == coop_a.id) == 2


@pytest.mark.parametrize(("method", "page"), REQUESTS)
def test_unknown_coop_slug_is_not_found(client, login, coop_a, method, page):
    login(make_membership(coop=coop_a, role=Role.ADMIN).user)

    response = send(client, method, "tidak-ada", page)

    assert response.status_code == 404
    assert count(Invitation) == 0
    assert count(AuditEntry) == 0


@pytest.mark.parametrize(("method", "page"), REQUESTS)
def test_inactive_membership_gives_no_access(client, login, coop_a, method, page):
    former_admin = make_membership(coop=coop_a, role=Role.ADMIN, is_active=False).user
    login(former_admin)
    before = coop_state(coop_a)

    response = send(client, method, coop_a.slug, page)

    assert response.status_code == 403
    assert coop_state(coop_a) == before


@pytest.mark.parametrize(("method", "page"), REQUESTS)
def test_inactive_cooperative_is_not_found_even_for_its_admin(client, login, method, page):
    closed = make_coop(is_active=False)
    login(make_membership(coop=closed, role=Role.ADMIN).user)
    before = coop_state(closed)

    response = send(client, method, closed.slug, page)

    assert response.status_code == 404
    assert coop_state(closed) == before


def test_anonymous_visitor_is_sent_to_sign_in_from_operator_dashboard(client):
    response = client.get("/operator/")

    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"] == ["/operator/"]


def test_coop_admin_who_is_not_operator_cannot_open_operator_dashboard(client, login, coop_a):
    admin = make_membership(coop=coop_a, role=Role.ADMIN).user
    login(admin)

    response = client.get("/operator/")

    assert response.status_code == 403
    assert coop_a.name not in response.get_data(as_text=True)
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == admin.id)) == (
        Role.ADMIN
    )


def test_operator_can_open_operator_dashboard(client, login, coop_a):
    operator = make_user(is_operator=True)
    login(operator)

    response = client.get("/operator/")

    assert response.status_code == 200
    assert coop_a.name in response.get_data(as_text=True)
    assert count(Membership, Membership.user_id == operator.id) == 0
