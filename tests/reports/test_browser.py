"""The report pages and the statement in a real browser on a 360 px phone: accessible, and
wide tables scroll inside their region, never the page. Fixtures: tests/browser/fixtures.py."""

import pytest

from shop.checkout.models import ShippingMethod
from shop.checkout.services import place_order
from shop.coops.models import Role
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.checkout.test_orders import checkout_request
from tests.factories import (
    make_coop,
    make_membership,
    make_product,
    make_shipping_settings,
    pay,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def paid_coop(live_data):
    """A cooperative with an admin and a member whose order is paid: (slug, admin, member)."""
    with live_data():
        coop = make_coop(fee_bp=250)
        make_shipping_settings(coop, offers_local=True, local_fee=12000)
        admin = make_membership(coop=coop, role=Role.ADMIN)
        member = make_membership(coop=coop, business_name="Keripik Bu Siti")
        product = make_product(member, variants=((15000, 10),))
        request = checkout_request(coop, methods={coop.id: ShippingMethod.LOCAL})
        order = place_order([(product.variants[0].id, 3)], request, None).order
        pay(order, "qris")
        return coop.slug, admin.user.email, member.user.email


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/members",
        "/categories",
        "/fees",
        "/reconciliation",
        "/members?date_from=2026-11-30&date_to=kemarin",
    ],
)
def test_report_pages_are_accessible_on_a_phone(page, live_server, paid_coop, axe_violations, path):
    slug, admin_email, _member_email = paid_coop
    sign_in(page, live_server, admin_email)

    response = page.goto(f"{live_server}/koperasi/{slug}/kelola/laporan{path}")

    assert response.status in (200, 400)
    assert_fits_and_is_accessible(page, axe_violations)


def test_the_statement_is_accessible_on_a_phone(page, live_server, paid_coop, axe_violations):
    slug, _admin_email, member_email = paid_coop
    sign_in(page, live_server, member_email)

    assert page.goto(f"{live_server}/koperasi/{slug}/anggota/mutasi").status == 200
    assert page.get_by_role("region").count() == 1
    assert_fits_and_is_accessible(page, axe_violations)
