"""The payout pages in a real browser on a 360 px phone: accessible, no sideways scrolling,
and the admin's decisions work with the keyboard and without JavaScript's help.

The browser fixtures come from tests/browser/fixtures.py.
"""

import pytest

from shop.coops.models import Role
from shop.payouts.services import approve_payout, mark_payout_paid, request_payout
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import make_coop, make_membership, make_user
from tests.payouts.conftest import earn

pytestmark = pytest.mark.slow


@pytest.fixture
def payouts_in_every_state(live_data):
    """A cooperative with one payout waiting, one approved and one paid."""
    with live_data():
        coop = make_coop(name="Koperasi Payout Browser", fee_bp=500)
        member = make_membership(
            coop=coop,
            user=make_user(name="Siti Browser"),
            business_name="Keripik Bu Siti Sangat Panjang Namanya Sekali",
            bank_name="BRI",
            bank_account_number="01234567890123456789",
            bank_account_holder="Siti Aminah binti Abdullah Rahman",
        )
        admin = make_membership(coop=coop, role=Role.ADMIN).user
        earn(member, admin, quantity=4)  # Rp 190.000 available
        request_payout(member, 60_000, member.user)
        approved = request_payout(member, 50_000, member.user)
        approve_payout(approved, admin)
        paid = request_payout(member, 50_000, member.user)
        approve_payout(paid, admin)
        mark_payout_paid(paid, "BRI-2024-000123456", admin)
        return coop.slug, member.user.email, admin.email


def test_the_members_balance_page_is_accessible_on_a_phone(
    page, live_server, payouts_in_every_state, axe_violations
):
    slug, member_email, _admin_email = payouts_in_every_state
    sign_in(page, live_server, member_email)

    assert page.goto(f"{live_server}/koperasi/{slug}/anggota/saldo").status == 200
    assert_fits_and_is_accessible(page, axe_violations)

    page.locator("#amount").fill("0")
    page.locator("#amount").press("Enter")
    page.wait_for_selector("#amount-error")
    assert_fits_and_is_accessible(page, axe_violations)


def test_the_admins_payout_page_is_accessible_on_a_phone(
    page, live_server, payouts_in_every_state, axe_violations
):
    slug, _member_email, admin_email = payouts_in_every_state
    sign_in(page, live_server, admin_email)

    assert page.goto(f"{live_server}/koperasi/{slug}/kelola/pencairan").status == 200
    assert_fits_and_is_accessible(page, axe_violations)

    # A reference too short: the error comes back next to the field, what was typed kept.
    reference = page.locator("input[id^='pay-'][id$='-transfer_reference']")
    reference.fill("AB")
    reference.press("Enter")
    page.wait_for_selector("p.error[id$='-transfer_reference-error']")
    assert page.locator("input[id^='pay-'][id$='-transfer_reference']").input_value() == "AB"
    assert_fits_and_is_accessible(page, axe_violations)
