"""The payout pages in a real browser on a 360 px phone: accessible, no sideways scrolling,
and the admin's decisions work with the keyboard and without JavaScript's help.

The browser fixtures come from tests/browser/fixtures.py.
"""

import re

import pytest
from playwright.sync_api import expect

from shop.coops.models import Role
from shop.extensions import db
from shop.ledger.models import Payout
from shop.payouts.services import approve_payout, mark_payout_paid, request_payout
from tests.browser.fixtures import assert_fits_and_is_accessible, sign_in
from tests.factories import make_coop, make_membership, make_user
from tests.payouts.conftest import earn

pytestmark = pytest.mark.slow


def member_with_earnings(coop_name: str, name: str, business_name: str, **bank_account: str):
    """A cooperative (fee 5 %), its admin, and a member with Rp 190.000 available whose long
    names and bank account are what a phone's layout must fit."""
    coop = make_coop(name=coop_name, fee_bp=500)
    member = make_membership(
        coop=coop,
        user=make_user(name=name),
        business_name=business_name,
        **bank_account,
    )
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    earn(member, admin, quantity=4)
    return member, admin


@pytest.fixture
def payouts_in_every_state(live_data):
    """A cooperative with one payout waiting, one approved and one paid."""
    with live_data():
        member, admin = member_with_earnings(
            "Koperasi Payout Browser", "Siti Browser",
            "Keripik Bu Siti Sangat Panjang Namanya Sekali",
            bank_name="BRI", bank_account_number="01234567890123456789",
            bank_account_holder="Siti Aminah binti Abdullah Rahman",
        )  # fmt: skip
        request_payout(member, 60_000, member.user)
        approved = request_payout(member, 50_000, member.user)
        approve_payout(approved, admin)
        paid = request_payout(member, 50_000, member.user)
        approve_payout(paid, admin)
        mark_payout_paid(paid, "BRI-2024-000123456", admin)
        return member.cooperative.slug, member.user.email, admin.email


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


@pytest.fixture
def left_for_hand(live_app, live_data, monkeypatch):
    """Payouts through Midtrans Iris (the live app's built-in simulator); one approved while
    Iris was out of reach, so it waits for a hand transfer."""
    monkeypatch.setitem(live_app.config, "PAYOUT_ADAPTER", "iris")
    with live_data():
        member, admin = member_with_earnings(
            "Koperasi Iris Browser", "Wayan Browser",
            "Anyaman Bambu Pak Wayan Sangat Panjang Namanya",
            bank_name="BNI", bank_account_number="0987654321098765",
            bank_account_holder="I Wayan Sudarsana Putra Mahendra",
        )  # fmt: skip
        payout = request_payout(member, 60_000, member.user)
        with monkeypatch.context() as iris_down:
            iris_down.setitem(live_app.config, "IRIS_BASE_URL", "http://127.0.0.1:9/iris/api/v1")
            iris_down.setitem(live_app.config, "IRIS_TIMEOUT_SECONDS", (0.5, 0.5))
            assert approve_payout(payout, admin).needs_manual_transfer
        return member.cooperative.slug, admin.email, payout.id


def test_the_admin_sends_a_payout_through_iris_again_on_a_phone(
    page, live_server, live_data, left_for_hand, axe_violations
):
    slug, admin_email, payout_id = left_for_hand
    sign_in(page, live_server, admin_email)
    assert page.goto(f"{live_server}/koperasi/{slug}/kelola/pencairan").status == 200
    card = page.locator("li.card", has_text="Anyaman Bambu Pak Wayan")
    resend = card.get_by_role("button", name=re.compile("Midtrans Iris"))
    expect(resend).to_be_visible()
    expect(resend).to_have_accessible_description(re.compile("Midtrans Iris"))  # why again
    # On a phone the facts stack: the account number on one line, not broken beside its label.
    number = card.locator("dd", has_text="0987654321098765").bounding_box()
    bank = card.locator("dd", has_text=re.compile(r"^BNI$")).bounding_box()
    assert number["height"] == bank["height"]
    assert_fits_and_is_accessible(page, axe_violations)

    resend.click()

    page.wait_for_url(re.compile(r".*/kelola/pencairan$"))
    expect(page.get_by_role("status")).to_contain_text("Rp 60.000")
    expect(card.get_by_role("button", name=re.compile("Midtrans Iris"))).to_have_count(0)
    with live_data():
        payout = db.session.get(Payout, payout_id)
        assert payout.iris_reference and payout.iris_attempt == 1
        reference = payout.iris_reference
    expect(card).to_contain_text(reference)  # Iris is transferring it
    assert_fits_and_is_accessible(page, axe_violations)
