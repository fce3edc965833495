"""The operator on a 360 px phone: the dashboard's tables become cards (no sideways scroll),
and closing a cooperative works through its folded confirmation."""

from datetime import timedelta
from uuid import uuid4

import pytest
from playwright.sync_api import expect

from shop.coops.models import Cooperative
from shop.extensions import db
from shop.payments.models import NotificationOutcome as Outcome
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import make_coop, make_membership, make_product, make_user
from tests.operator.test_gateway_watch import iris, midtrans

pytestmark = pytest.mark.slow


@pytest.fixture
def operator_email(live_data) -> str:
    """A new operator for each test: the live database is not rolled back."""
    with live_data():
        operator = make_user(email=f"operator.{uuid4().hex[:8]}@example.test", is_operator=True)
        return operator.email


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_the_dashboard_fits_a_phone_and_closes_a_cooperative(
    page, live_server, live_data, operator_email
):
    with live_data():
        coop = make_coop(name="Koperasi Produsen Kerajinan Anyaman Bambu Sejahtera Bersama")
        make_product(make_membership(coop=coop))
        coop_id = coop.id

    sign_in(page, live_server, operator_email)
    page.goto(f"{live_server}/operator/")
    row = page.locator(f"#coop-{coop_id}")
    expect(row).to_be_visible()
    assert overflow(page) <= 0, "the dashboard scrolls sideways on a 360 px screen"

    row.locator("summary").click()
    row.locator(f"form[action='/operator/koperasi/{coop_id}/nonaktifkan'] button").click()

    page.wait_for_url(f"{live_server}/operator/")
    expect(page.locator(f"form[action='/operator/koperasi/{coop_id}/aktifkan']")).to_be_attached()
    with live_data():
        assert db.session.get(Cooperative, coop_id).is_active is False


def test_the_operators_pages_are_accessible(
    page, live_server, live_data, operator_email, axe_violations
):
    with live_data():  # the gateway notifications' table has rows to fold into cards
        midtrans("PK-20261204-UNKNOWN1", Outcome.UNKNOWN_ORDER, timedelta(hours=2))
        iris("iris-reference-that-is-rather-long-0001", "amount_mismatch", timedelta(hours=3))
        db.session.commit()
    sign_in(page, live_server, operator_email)
    for path in ("/operator/", "/operator/koperasi/baru"):
        page.goto(f"{live_server}{path}")
        assert_fits_and_is_accessible(page, axe_violations)
