"""Refunds the admin made by bank transfer (Midtrans cannot refund a virtual account, or
refused): recorded with the transfer's reference, posted exactly as a refund through Midtrans
is, only where Midtrans cannot do it, and never beyond what was bought.

The order (conftest.py): Tani's 3 x keripik (Rp 15.000, Siti) and 1 x madu (Rp 40.000,
Budi), fee 2,5 %; Batik's kain. One keripik back: Rp 15.000, fee 375, Siti gives 14.625.
"""

import re

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.coops.models import Role
from shop.extensions import db
from shop.fulfilment import manual_refunds
from shop.fulfilment.manual_refunds import can_refund_by_hand, record_manual_refund
from shop.fulfilment.refunds import RefundRefused, refund_lines
from shop.ledger.checks import check_ledger
from shop.ledger.models import EntryKind, JournalEntry, Refund, RefundMethod
from shop.payments.gateway import GatewayRejected, GatewayUnavailable
from tests.factories import make_membership, pay
from tests.fulfilment.conftest import balances, make_shop
from tests.fulfilment.test_refunds import (
    SITI,
    FakeGateway,
    approve_payout,
    complete_now,
    refund_postings,
    written,
)
from tests.fulfilment.test_views import admin_url, text_of
from tests.orders.test_refunds import text as text_of_html

REFERENCE = "BCA 0312-7781"
REFUSED = GatewayRejected("refused", "Refund window has passed", 200, "412")


@pytest.fixture
def by_transfer(shop):
    """The order paid by virtual account, which Midtrans cannot refund."""
    pay(shop.order, "bank_transfer")
    shop.reload()
    return shop


def by_hand(shop, quantities: dict, reference: str = REFERENCE, note: str = ""):
    return record_manual_refund(
        shop.order,
        shop.tani,
        quantities,
        "Kemasan rusak",
        reference,
        note,
        shop.tani_admin,
    )


def shape(postings: list[tuple], shop) -> list[tuple]:
    """Postings with the member named by role, so two shops' entries can be compared."""
    names = {shop.siti.id: "siti", shop.budi.id: "budi"}
    return sorted((account, names.get(member), amount) for account, member, amount in postings)


# The service.


def test_a_virtual_account_refund_is_recorded_and_posted_like_a_refund_through_midtrans(
    by_transfer, outbox
):
    twin = make_shop("Twin ")
    pay(twin.order, "qris")
    api = refund_lines(
        twin.order, twin.tani, {twin.line(twin.siti).id: 1}, "Rusak", twin.tani_admin, FakeGateway()
    )

    refund = by_hand(by_transfer, {by_transfer.line(by_transfer.siti).id: 1}, note="ke BRI Siti")

    number = by_transfer.order.number
    assert refund.method == RefundMethod.BANK_TRANSFER and api.method == RefundMethod.GATEWAY
    assert (refund.refund_key, refund.amount, refund.bank_reference) == (
        f"{number}-M1",
        15_000,
        REFERENCE,
    )
    assert refund.reason == "Kemasan rusak" and refund.note == "ke BRI Siti"
    assert [(rl.quantity, rl.amount, rl.fee, rl.member_amount) for rl in refund.lines] == [
        (1, 15_000, 375, 14_625)
    ]
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.refund_id == refund.id))
    assert entry.kind == EntryKind.REFUND and entry.actor_id == by_transfer.tani_admin.id
    assert shape(refund_postings(refund), by_transfer) == shape(refund_postings(api), twin)
    assert balances(by_transfer.tani, by_transfer.siti) == (SITI - 14_625, 0)
    audit = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "order.refunded", AuditEntry.target_id == refund.id
        )
    )
    assert audit.actor_id == by_transfer.tani_admin.id
    assert audit.details["method"] == "bank_transfer" and audit.details["reference"] == REFERENCE
    [mail] = [m for m in outbox if m.to == by_transfer.order.contact_email and number in m.subject
              and "dikembalikan" in m.subject]  # fmt: skip
    assert "- Keripik Tempe x 1" in mail.body and REFERENCE in mail.body
    assert check_ledger() == []


def test_an_order_midtrans_can_refund_is_not_refunded_by_hand(paid, in_english):
    assert not can_refund_by_hand(paid.order, paid.tani)

    with pytest.raises(RefundRefused) as refused:
        by_hand(paid, {paid.line(paid.siti).id: 1})

    assert "payment service" in refused.value.message
    assert written() == (0, 0, 0, 0)


def test_after_midtrans_refused_a_refund_it_can_be_made_by_hand(paid):
    line = paid.line(paid.siti)
    with pytest.raises(GatewayRejected):
        refund_lines(
            paid.order, paid.tani, {line.id: 1}, "Rusak", paid.tani_admin, FakeGateway(REFUSED)
        )

    assert can_refund_by_hand(paid.order, paid.tani)
    assert not can_refund_by_hand(paid.order, paid.batik)  # Batik's part was never refused
    refund = by_hand(paid, {line.id: 1})

    assert refund.refund_key == f"{paid.order.number}-M1"
    assert check_ledger() == []


@pytest.mark.parametrize(
    "error",
    [
        GatewayUnavailable("not answering", "ReadTimeout"),
        GatewayRejected("duplicate", "Duplicate refund key", 200, "406"),
    ],
    ids=["no-answer", "duplicate-key"],
)
def test_a_refund_that_may_have_gone_through_is_not_made_by_hand(paid, error):
    """Asking Midtrans again (the same key) settles it; a transfer might pay twice."""
    line = paid.line(paid.siti)
    with pytest.raises(type(error)):
        refund_lines(
            paid.order, paid.tani, {line.id: 1}, "Rusak", paid.tani_admin, FakeGateway(error)
        )

    assert not can_refund_by_hand(paid.order, paid.tani)


def test_a_line_is_never_refunded_beyond_its_quantity_across_both_ways(paid):
    line = paid.line(paid.siti)
    gateway = FakeGateway()
    refund_lines(paid.order, paid.tani, {line.id: 2}, "Rusak", paid.tani_admin, gateway)
    with pytest.raises(GatewayRejected):
        refund_lines(
            paid.order, paid.tani, {line.id: 1}, "Basi", paid.tani_admin, FakeGateway(REFUSED)
        )

    with pytest.raises(RefundRefused) as too_many:
        by_hand(paid, {line.id: 2})
    by_hand(paid, {line.id: 1})
    with pytest.raises(RefundRefused) as refunded:
        refund_lines(paid.order, paid.tani, {line.id: 1}, "Lagi", paid.tani_admin, gateway)

    assert too_many.value.line_id == line.id and "1 Keripik Tempe" in too_many.value.message
    assert refunded.value.line_id == line.id
    assert len(gateway.calls) == 1  # the last request never reached Midtrans
    assert written()[0] == 2
    # The API's next key is R2: a refund by hand does not move Midtrans's numbering.
    assert sorted(db.session.scalars(select(Refund.refund_key))) == [
        f"{paid.order.number}-M1",
        f"{paid.order.number}-R1",
    ]
    assert balances(paid.tani, paid.siti) == (0, 0)
    assert check_ledger() == []


def test_the_same_transfer_is_not_recorded_twice(by_transfer):
    by_hand(by_transfer, {by_transfer.line(by_transfer.siti).id: 1})
    before = written()

    with pytest.raises(RefundRefused) as refused:
        by_hand(
            by_transfer, {by_transfer.line(by_transfer.budi).id: 1}, reference=" bca 0312-7781 "
        )

    assert refused.value.field == "bank_reference"
    assert written() == before
    assert check_ledger() == []


def test_the_database_refuses_the_same_transfer_recorded_at_the_same_moment(
    by_transfer, monkeypatch
):
    """Two requests that both passed the check (SQLite takes no row lock): the unique
    (order, reference) pair refuses the second."""
    by_hand(by_transfer, {by_transfer.line(by_transfer.siti).id: 1})
    before = written()
    monkeypatch.setattr(manual_refunds, "_check_new_reference", lambda order, reference: None)

    with pytest.raises(RefundRefused) as refused:
        by_hand(by_transfer, {by_transfer.line(by_transfer.budi).id: 1})

    assert refused.value.field == "bank_reference" and REFERENCE in refused.value.message
    assert written() == before
    assert check_ledger() == []


@pytest.mark.parametrize("reference", ["", "   "])
def test_a_refund_by_hand_needs_the_transfers_reference(by_transfer, reference):
    with pytest.raises(RefundRefused) as refused:
        by_hand(by_transfer, {by_transfer.line(by_transfer.siti).id: 1}, reference=reference)

    assert refused.value.field == "bank_reference"
    assert written() == (0, 0, 0, 0)


def test_a_refund_by_hand_of_a_paid_out_member_is_refused_like_any_refund(by_transfer):
    complete_now(by_transfer, by_transfer.tani, by_transfer.tani_admin)
    approve_payout(by_transfer.tani, by_transfer.siti, SITI)

    with pytest.raises(RefundRefused) as refused:
        by_hand(by_transfer, {by_transfer.line(by_transfer.siti).id: 1})

    assert "Keripik Bu Siti" in refused.value.message
    assert written() == (0, 0, 0, 0)
    assert check_ledger() == []


def test_after_completion_a_refund_by_hand_comes_out_of_available(by_transfer):
    complete_now(by_transfer, by_transfer.tani, by_transfer.tani_admin)

    by_hand(by_transfer, {by_transfer.line(by_transfer.siti).id: 1})

    assert balances(by_transfer.tani, by_transfer.siti) == (0, SITI - 14_625)
    assert check_ledger() == []


# The pages.


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


MANUAL = "/pengembalian-manual"


def manual_form(html: str) -> str | None:
    match = re.search(r'<form[^>]*action="[^"]*pengembalian-manual".*?</form>', html, re.S)
    return match[0] if match else None


def test_a_virtual_account_orders_page_offers_the_refund_by_hand_only(client, login, by_transfer):
    login(by_transfer.tani_admin)

    html = client.get(admin_url(by_transfer, by_transfer.tani)).get_data(as_text=True)

    form = manual_form(html)
    assert form is not None
    assert 'name="manual-quantity_0"' in form and 'name="manual-bank_reference"' in form
    assert 'action="' + admin_url(by_transfer, by_transfer.tani, "/pengembalian") + '"' not in html


def test_a_qris_orders_page_does_not_offer_it(client, login, paid):
    login(paid.tani_admin)

    html = client.get(admin_url(paid, paid.tani)).get_data(as_text=True)

    assert manual_form(html) is None
    assert 'action="' + admin_url(paid, paid.tani, "/pengembalian") + '"' in html


def test_a_qris_orders_page_offers_it_after_midtrans_refused(client, login, paid):
    with pytest.raises(GatewayRejected):
        refund_lines(
            paid.order, paid.tani, {paid.line(paid.siti).id: 1}, "Rusak", paid.tani_admin,
            FakeGateway(REFUSED),
        )  # fmt: skip
    login(paid.tani_admin)

    html = client.get(admin_url(paid, paid.tani)).get_data(as_text=True)

    assert manual_form(html) is not None
    assert "The payment service refused a refund of this order." in text_of_html(html)
    assert 'action="' + admin_url(paid, paid.tani, "/pengembalian") + '"' in html  # still there


def test_a_refund_by_hand_from_the_page_shows_on_both_order_pages(client, login, by_transfer):
    login(by_transfer.tani_admin)

    response = client.post(
        admin_url(by_transfer, by_transfer.tani, MANUAL),
        data={
            "manual-quantity_0": "1",
            "manual-quantity_1": "0",
            "manual-reason": "Kemasan rusak",
            "manual-bank_reference": REFERENCE,
            "manual-note": "ke rekening BRI pembeli",
        },
        follow_redirects=True,
    )

    admin_page = text_of(response)
    assert "Refund of Rp 15.000 by bank transfer recorded." in admin_page
    assert f"Refunded by bank transfer, reference {REFERENCE}" in admin_page
    refund = db.session.scalar(select(Refund))
    assert refund.method == RefundMethod.BANK_TRANSFER and refund.note == "ke rekening BRI pembeli"
    shopper = client.get(f"/pesanan/{by_transfer.order.number}?kunci={by_transfer.access_token}")
    assert f"Refunded by bank transfer, reference {REFERENCE}" in text_of(shopper)


def posted(quantity: str = "1", reason: str = "Rusak", reference: str = REFERENCE) -> dict:
    return {
        "manual-quantity_0": quantity,
        "manual-reason": reason,
        "manual-bank_reference": reference,
    }


@pytest.mark.parametrize(
    "data, field",
    [
        (posted(reference=""), "bank_reference"),
        (posted(reference="B" * 81), "bank_reference"),
        (posted(reason=""), "reason"),
        (posted(quantity="dua"), "quantity_0"),
        (posted(quantity="9"), "quantity_0"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_changes_nothing(
    client, login, by_transfer, data, field
):
    login(by_transfer.tani_admin)

    response = client.post(admin_url(by_transfer, by_transfer.tani, MANUAL), data=data)

    assert response.status_code == 200
    assert f'id="manual-{field}-error"' in response.get_data(as_text=True)
    assert written() == (0, 0, 0, 0)


def test_a_qris_order_cannot_be_refunded_by_hand_from_a_forged_post(client, login, paid):
    login(paid.tani_admin)

    response = client.post(
        admin_url(paid, paid.tani, MANUAL),
        data=posted(),
    )

    assert response.status_code == 200 and "payment service" in text_of(response)
    assert written() == (0, 0, 0, 0)


def test_others_cannot_record_a_refund_by_hand(client, login, by_transfer):
    data = posted()
    outsider = make_membership(role=Role.ADMIN)  # another cooperative's admin

    login(outsider.user)
    foreign = client.post(
        f"/koperasi/{outsider.cooperative.slug}/kelola/pesanan/{by_transfer.order.number}{MANUAL}",
        data=data,
    )
    login(by_transfer.siti.user)
    member = client.post(admin_url(by_transfer, by_transfer.tani, MANUAL), data=data)

    assert foreign.status_code == 404 and member.status_code == 403
    assert written() == (0, 0, 0, 0)


def test_the_form_carries_its_csrf_token(client, login, by_transfer, csrf_on):
    login_page = client.get("/akun/masuk").get_data(as_text=True)
    client.post(
        "/akun/masuk",
        data={
            "email": by_transfer.tani_admin.email,
            "password": "rahasia-123",
            "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[
                1
            ],
        },
    )
    page = client.get(admin_url(by_transfer, by_transfer.tani)).get_data(as_text=True)
    token = re.search(r'name="manual-csrf_token" type="hidden" value="([^"]+)"', page)[1]
    data = posted()

    refused = client.post(admin_url(by_transfer, by_transfer.tani, MANUAL), data=data)
    client.post(
        admin_url(by_transfer, by_transfer.tani, MANUAL), data=data | {"manual-csrf_token": token}
    )

    assert refused.status_code == 400
    assert written()[0] == 1
