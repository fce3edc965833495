"""The operator closes a cooperative and opens it again: audited, and the storefront (cached
pages included) stops and starts showing its products at once."""

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.coops.models import Cooperative, Role
from shop.extensions import db
from shop.pagecache import cache, configure_backend
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD, make_coop, make_membership, make_product
from tests.operator.conftest import platform_state


@pytest.fixture
def page_cache_on(app):
    app.config["PAGE_CACHE_SECONDS"] = 60
    configure_backend(app)
    cache.clear()
    yield
    app.config["PAGE_CACHE_SECONDS"] = 0
    configure_backend(app)


def is_active(coop: Cooperative) -> bool:
    return db.session.scalar(select(Cooperative.is_active).where(Cooperative.id == coop.id))


def audit_actions(coop: Cooperative) -> list[tuple[str, int]]:
    return db.session.execute(
        select(AuditEntry.action, AuditEntry.actor_id)
        .where(AuditEntry.cooperative_id == coop.id)
        .order_by(AuditEntry.id)
    ).all()


def test_deactivating_then_reactivating_is_audited(client, login, operator):
    coop = make_coop()
    login(operator)

    assert client.post(f"/operator/koperasi/{coop.id}/nonaktifkan").status_code == 302
    assert is_active(coop) is False
    assert client.post(f"/operator/koperasi/{coop.id}/aktifkan").status_code == 302
    assert is_active(coop) is True
    assert audit_actions(coop) == [
        ("coop.deactivated", operator.id),
        ("coop.reactivated", operator.id),
    ]


def test_deactivating_twice_changes_nothing_the_second_time(client, login, operator):
    coop = make_coop()
    login(operator)
    client.post(f"/operator/koperasi/{coop.id}/nonaktifkan")
    before = platform_state()

    response = client.post(f"/operator/koperasi/{coop.id}/nonaktifkan")

    assert response.status_code == 302
    assert platform_state() == before


def test_the_dashboard_offers_the_opposite_button(client, login, operator):
    open_coop, closed = make_coop(), make_coop(is_active=False)
    login(operator)

    page = client.get("/operator/").get_data(as_text=True)

    assert f"/operator/koperasi/{open_coop.id}/nonaktifkan" in page
    assert f"/operator/koperasi/{open_coop.id}/aktifkan" not in page
    assert f"/operator/koperasi/{closed.id}/aktifkan" in page
    assert f"/operator/koperasi/{closed.id}/nonaktifkan" not in page


@pytest.mark.parametrize("path", ["/", "/kategori/camilan", "/kategori/kuliner"])
def test_a_deactivated_cooperative_leaves_cached_storefront_pages_at_once(
    client, login, operator, page_cache_on, path
):
    product = make_product(name="Keripik Tempe Sagu")
    coop = db.session.get(Cooperative, product.cooperative_id)
    visitor = client.application.test_client()
    assert "Keripik Tempe Sagu" in visitor.get(path).get_data(as_text=True)
    assert visitor.get(path).headers["X-Page-Cache"] == "hit"

    login(operator)
    client.post(f"/operator/koperasi/{coop.id}/nonaktifkan")

    assert "Keripik Tempe Sagu" not in visitor.get(path).get_data(as_text=True)
    assert visitor.get(f"/koperasi/{coop.slug}").status_code == 404

    client.post(f"/operator/koperasi/{coop.id}/aktifkan")

    assert "Keripik Tempe Sagu" in visitor.get(path).get_data(as_text=True)


def test_a_deactivated_cooperative_closes_its_console_to_its_admins(client, login, operator):
    coop = make_coop()
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    login(operator)
    client.post(f"/operator/koperasi/{coop.id}/nonaktifkan")

    login(admin)

    assert client.get(f"/koperasi/{coop.slug}/kelola/").status_code == 404


def test_a_button_needs_its_csrf_token(app, client, login, operator, csrf_on):
    coop = make_coop()
    login_page = client.get("/akun/masuk").get_data(as_text=True)
    client.post("/akun/masuk", data={"email": operator.email, "password": DEFAULT_PASSWORD,
                                     "csrf_token": csrf_token_from(login_page)})  # fmt: skip
    before = platform_state()

    refused = client.post(f"/operator/koperasi/{coop.id}/nonaktifkan")

    assert refused.status_code == 400
    assert platform_state() == before
    token = csrf_token_from(client.get("/operator/").get_data(as_text=True))
    accepted = client.post(f"/operator/koperasi/{coop.id}/nonaktifkan", data={"csrf_token": token})
    assert accepted.status_code == 302
    assert is_active(coop) is False
