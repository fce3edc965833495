"""The member's balance page and the admin's payout queue, through HTTP.

Who may open them is in tests/coops/test_access.py's route table.
"""

import re

import pytest

from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from shop.ledger.checks import check_ledger
from shop.ledger.models import Payout, PayoutStatus
from shop.payouts.services import approve_payout, request_payout
from tests.factories import make_coop, make_membership
from tests.payouts.conftest import available, earn, entry_count, in_transit, payout_count, reloaded


def balance_page(client, tani) -> str:
    return client.get(f"/koperasi/{tani.coop.slug}/anggota/saldo").get_data(as_text=True)


def ask(client, tani, amount: str):
    return client.post(f"/koperasi/{tani.coop.slug}/anggota/saldo", data={"amount": amount})


def decide(client, tani, payout, action: str, **fields):
    data = {"payout": str(payout.id), "action": action}
    data |= {f"{action}-{payout.id}-{name}": value for name, value in fields.items()}
    return client.post(f"/koperasi/{tani.coop.slug}/kelola/pencairan", data=data)


def queue_page(client, tani) -> str:
    return client.get(f"/koperasi/{tani.coop.slug}/kelola/pencairan").get_data(as_text=True)


def test_the_member_sees_balances_minimum_and_bank_account(english, login, earned):
    earn(earned.siti, earned.admin, received=False)  # another 95.000, still pending
    login(earned.siti_user)

    html = balance_page(english, earned)

    assert re.search(r"Pending</dt>\s*<dd>Rp\xa095.000", html)
    assert re.search(r"Available</dt>\s*<dd><strong>Rp\xa095.000", html)
    assert "At least Rp\xa050.000. You can ask for up to Rp\xa095.000 now." in html
    assert "BRI 0123456789 · Siti Aminah" in html
    assert "You have not asked for a payout yet." in html


def test_asking_for_a_payout_records_it_and_shows_it(english, login, earned):
    login(earned.siti_user)

    response = ask(english, earned, "Rp 60.000")

    assert response.status_code == 302
    payout = db.session.query(Payout).one()
    assert (payout.amount, payout.status, payout.member_id) == (
        60_000,
        PayoutStatus.REQUESTED,
        earned.siti.id,
    )
    html = balance_page(english, earned)
    assert "You asked for Rp 60.000." in html  # a flash: text
    assert re.search(r"Rp\xa060.000</td>\s*<td[^>]*>Waiting for approval", html)
    assert "You can ask for up to Rp\xa035.000 now." in html
    assert check_ledger() == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Enter an amount above Rp 0."),
        ("-50000", "Enter an amount in Rupiah, for example 50.000."),
        ("lima puluh ribu", "Enter an amount in Rupiah, for example 50.000."),
        ("50.000,50", "Enter an amount in Rupiah, for example 50.000."),
        ("", "Enter the amount you want paid out."),
        ("95.001", "That is more than you can ask for now: at most Rp 95.000."),
        ("49.999", "The minimum payout is Rp 50.000."),
    ],
)
def test_a_bad_amount_is_shown_next_to_the_field_and_nothing_is_written(
    english, login, earned, typed, message
):
    login(earned.siti_user)
    entries = entry_count()

    response = ask(english, earned, typed)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="error" id="amount-error">{message}</p>' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="amount-hint amount-error"' in html
    assert f'value="{typed}"' in html or typed == ""
    assert (payout_count(), entry_count()) == (0, entries)


def test_a_second_request_beyond_the_balance_is_refused_on_the_page(english, login, earned):
    login(earned.siti_user)
    assert ask(english, earned, "60000").status_code == 302

    html = ask(english, earned, "50000").get_data(as_text=True)

    assert "at most Rp 35.000" in html
    assert payout_count() == 1


def test_a_member_without_a_bank_account_is_told_where_to_add_it(english, login, tani):
    budi = make_membership(coop=tani.coop)
    earn(budi, tani.admin)
    login(budi.user)

    html = balance_page(english, tani)
    posted = ask(english, tani, "50000").get_data(as_text=True)

    assert "You have no bank account saved yet." in html
    assert f'href="/koperasi/{tani.coop.slug}/anggota/profil"' in html
    assert "Add your bank account to your member profile first." in posted
    assert payout_count() == 0


def test_the_member_sees_why_a_payout_was_rejected(english, login, earned):
    payout = request_payout(earned.siti, 50_000, earned.siti_user)
    login(earned.admin)
    decide(english, earned, payout, "reject", reason="Nama rekening berbeda")
    login(earned.siti_user)

    html = balance_page(english, earned)

    assert re.search(r"Rejected</td>\s*<td[^>]*>\s*Nama rekening berbeda", html)


def test_the_admin_sees_open_payouts_with_member_bank_account_and_balance(english, login, earned):
    request_payout(earned.siti, 60_000, earned.siti_user)
    login(earned.admin)

    html = queue_page(english, earned)

    assert "Waiting for approval (1)" in html
    assert "Keripik Bu Siti" in html
    assert re.search(r"Amount</dt>\s*<dd><strong>Rp\xa060.000", html)
    assert re.search(r"Available now</dt>\s*<dd>Rp\xa095.000", html)
    assert re.search(r"Account number</dt>\s*<dd>0123456789", html)
    assert "Approved, to transfer (0)" in html


def test_approve_pay_through_the_pages(english, login, earned):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    login(earned.admin)

    approved = decide(english, earned, payout, "approve")

    assert approved.status_code == 302
    assert reloaded(payout).status == PayoutStatus.APPROVED
    assert (available(earned.siti), in_transit(earned.coop)) == (35_000, 60_000)
    html = queue_page(english, earned)
    assert "Payout of Rp 60.000 approved. Transfer it from the cooperative" in html
    assert "Approved, to transfer (1)" in html
    assert f'id="pay-{payout.id}-transfer_reference"' in html

    paid = decide(english, earned, payout, "pay", transfer_reference="BRI-778899")

    assert paid.status_code == 302
    assert reloaded(payout).status == PayoutStatus.PAID
    assert reloaded(payout).transfer_reference == "BRI-778899"
    assert in_transit(earned.coop) == 0
    html = queue_page(english, earned)
    assert "Payout of Rp 60.000 recorded as paid." in html
    assert re.search(r"Paid</td>\s*<td[^>]*>BRI 0123456789</td>\s*<td[^>]*>BRI-778899", html)
    assert check_ledger() == []


def test_rejecting_an_approved_payout_through_the_page_returns_the_money(english, login, earned):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    approve_payout(payout, earned.admin)
    login(earned.admin)

    response = decide(english, earned, payout, "reject", reason="Bank menolak transfer")

    assert response.status_code == 302
    assert reloaded(payout).status == PayoutStatus.REJECTED
    assert available(earned.siti) == 95_000
    assert "Payout of Rp 60.000 rejected." in queue_page(english, earned)
    assert check_ledger() == []


@pytest.mark.parametrize(
    ("action", "fields", "field", "message"),
    [
        ("pay", {"transfer_reference": ""}, "transfer_reference", "Enter the reference the bank"),
        ("pay", {"transfer_reference": "AB"}, "transfer_reference", "3 to 80 characters"),
        ("reject", {"reason": "  "}, "reason", "Say why: the member reads it."),
    ],
)
def test_a_missing_reference_or_reason_is_shown_next_to_its_field(
    english, login, earned, action, fields, field, message
):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    approve_payout(payout, earned.admin)
    login(earned.admin)
    entries = entry_count()

    response = decide(english, earned, payout, action, **fields)

    html = response.get_data(as_text=True)
    field_id = f"{action}-{payout.id}-{field}"
    assert response.status_code == 200
    assert re.search(rf'<p class="error" id="{field_id}-error">[^<]*{message}', html)
    assert re.search(
        rf'id="{field_id}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field_id}"', html
    )
    if fields.get(field, "").strip():
        assert f'value="{fields[field]}"' in html  # what was typed is kept
    assert reloaded(payout).status == PayoutStatus.APPROVED
    assert entry_count() == entries


def test_approval_refused_for_the_balance_is_flashed_and_the_payout_stays_requested(
    english, login, tani, gateway
):
    order = earn(tani.siti, tani.admin, gateway=gateway)
    payout = request_payout(tani.siti, 60_000, tani.siti_user)
    refund_lines(order, tani.coop, {order.lines[0].id: 1}, "Rusak", tani.admin, gateway)
    login(tani.admin)
    entries = entry_count()

    response = decide(english, tani, payout, "approve")

    assert response.status_code == 302
    html = queue_page(english, tani)
    assert "available balance (Rp 47.500) no longer covers this payout" in html
    assert reloaded(payout).status == PayoutStatus.REQUESTED
    assert entry_count() == entries
    assert check_ledger() == []


def test_a_wrong_state_move_is_flashed_and_changes_nothing(english, login, earned):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    login(earned.admin)
    entries = entry_count()

    response = decide(english, earned, payout, "pay", transfer_reference="BRI-1")

    assert response.status_code == 302
    assert "Approve this payout before recording its transfer." in queue_page(english, earned)
    assert reloaded(payout).status == PayoutStatus.REQUESTED
    assert entry_count() == entries


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"payout": "{id}", "action": "pay-twice"}, 400),
        ({"payout": "{id}"}, 400),
        ({"payout": "abc", "action": "approve"}, 404),
        ({"payout": "999999", "action": "approve"}, 404),
        ({"payout": "99999999999999999999", "action": "approve"}, 404),
        ({"payout": "-3", "action": "approve"}, 404),
        ({"action": "approve"}, 404),
        ({"payout": "{other}", "action": "approve"}, 404),
    ],
)
def test_a_post_naming_no_payout_of_this_cooperative_changes_nothing(
    login, earned, client, data, status
):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    other_coop = make_coop()
    other_member = make_membership(
        coop=other_coop, bank_name="BCA", bank_account_number="12345", bank_account_holder="Rina"
    )
    other = Payout(
        cooperative_id=other_coop.id,
        member_id=other_member.id,
        amount=50_000,
        bank_name="BCA",
        bank_account_number="12345",
        bank_account_holder="Rina",
        requested_by_id=other_member.user_id,
    )
    db.session.add(other)
    db.session.commit()
    login(earned.admin)
    data = {key: value.format(id=payout.id, other=other.id) for key, value in data.items()}

    response = client.post(f"/koperasi/{earned.coop.slug}/kelola/pencairan", data=data)

    assert response.status_code == status
    assert reloaded(payout).status == PayoutStatus.REQUESTED
    assert reloaded(other).status == PayoutStatus.REQUESTED


def test_csrf_is_enforced_on_the_decisions(app, client, login, earned, csrf_on):
    payout = request_payout(earned.siti, 60_000, earned.siti_user)
    login_page = client.get("/akun/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post(
        "/akun/masuk",
        data={"email": earned.admin.email, "password": "rahasia-123", "csrf_token": token},
    )

    forged = client.post(
        f"/koperasi/{earned.coop.slug}/kelola/pencairan",
        data={"payout": str(payout.id), "action": "approve"},
    )

    assert forged.status_code == 400
    assert reloaded(payout).status == PayoutStatus.REQUESTED
    html = client.get(f"/koperasi/{earned.coop.slug}/kelola/pencairan").get_data(as_text=True)
    name = f"approve-{payout.id}-csrf_token"
    token = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html).group(1)

    allowed = client.post(
        f"/koperasi/{earned.coop.slug}/kelola/pencairan",
        data={"payout": str(payout.id), "action": "approve", name: token},
    )

    assert allowed.status_code == 302
    assert reloaded(payout).status == PayoutStatus.APPROVED


def test_the_console_and_the_account_page_link_to_the_payout_pages(english, login, earned):
    login(earned.admin)
    console = english.get(f"/koperasi/{earned.coop.slug}/kelola/").get_data(as_text=True)
    login(earned.siti_user)
    account = english.get("/akun/").get_data(as_text=True)

    assert f'href="/koperasi/{earned.coop.slug}/kelola/pencairan"' in console
    assert f'href="/koperasi/{earned.coop.slug}/anggota/saldo"' in account


def test_the_pages_are_never_cached(login, earned, client):
    login(earned.siti_user)

    response = client.get(f"/koperasi/{earned.coop.slug}/anggota/saldo")

    assert response.headers["Cache-Control"] == "private, no-store"
