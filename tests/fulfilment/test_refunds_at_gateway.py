# ruff: noqa: F811  (fixtures imported from other test modules are used by name)
"""A refund made at Midtrans without us (its dashboard; here the simulator's refund API
called directly) reaches us as a notification (issue 13, bug 6). It is recorded once, the
admins are told, the reconciliation flags it and the order's members are held from payouts
until an admin allocates it to lines; allocated, it is a refund like any other, in the
ledger and the member's statement."""

import json
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.fulfilment.allocation import held_member_ids, open_refunds_of_cooperative
from shop.fulfilment.refunds import refund_lines
from shop.ledger.models import ExternalRefund, Refund, RefundMethod
from shop.notifications.models import Notification
from shop.payments.models import NotificationOutcome
from shop.payments.services import handle_notification
from shop.payouts.services import PayoutRefused, request_payout
from shop.reports.period import Period
from shop.reports.reconciliation import Discrepancy, reconciliation_report
from tests.fulfilment.conftest import balances, pay_through_simulator
from tests.fulfilment.test_refunds import gateway  # noqa: F401  (fixture)
from tests.payments.conftest import _receiver, receiver, simulator_app  # noqa: F401  (fixtures)

KERIPIK = 15_000


def refund_at_midtrans(order, gateway, key: str, amount: int) -> None:
    """What an admin does in Midtrans's dashboard: a refund nobody asked for here."""
    gateway.refund(order.current_payment_id, key, amount, "Refund dari dashboard")


def deliver_refund_notification(order, gateway, receiver):
    """The simulator's notification of the refund, as Midtrans POSTs it to us."""
    deadline = time.monotonic() + 5
    while not (refunds := _refund_bodies(receiver, order)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert refunds, "the simulator sent no refund notification"
    return handle_notification(json.dumps(refunds[-1]).encode(), gateway)


def _refund_bodies(receiver, order) -> list[dict]:
    bodies = receiver.for_order(order.current_payment_id)
    return [body for body in bodies if body["transaction_status"] in ("refund", "partial_refund")]


def flagged(coop) -> dict[str, tuple]:
    """Order number -> what the reconciliation of today flags (orders paid here at the
    simulator without a stored notification are flagged for that too)."""
    today = date.today()
    report = reconciliation_report(coop.id, Period(today, today))
    return {row.order_number: row.discrepancies for row in report.rows if row.is_flagged}


def allocations() -> int:
    return db.session.scalar(select(func.count()).select_from(ExternalRefund))


def admin_kinds(user) -> list[str]:
    query = select(Notification.kind).where(Notification.recipient_id == user.id)
    return list(db.session.scalars(query))


def give_bank_account(member) -> None:
    member.bank_name, member.bank_account_number = "BRI", "0123456789"
    member.bank_account_holder = member.user.name
    db.session.commit()


def test_a_refund_made_at_midtrans_is_recorded_once_and_flagged(shop, gateway, receiver):
    pay_through_simulator(shop.order, gateway, "qris")
    refund_at_midtrans(shop.order, gateway, "dashboard-1", 3 * KERIPIK)

    result = deliver_refund_notification(shop.order, gateway, receiver)

    assert result.outcome == NotificationOutcome.APPLIED
    [external] = db.session.scalars(select(ExternalRefund)).all()
    assert (external.order_id, external.amount, external.remaining) == (
        shop.order.id,
        3 * KERIPIK,
        3 * KERIPIK,
    )
    # Midtrans retries; the same refund is not recorded twice.
    again = deliver_refund_notification(shop.order, gateway, receiver)
    assert again.outcome == NotificationOutcome.IGNORED and allocations() == 1
    # Both cooperatives of the order hear of it, and their reconciliation flags it.
    assert "admin_refund_to_allocate" in admin_kinds(shop.tani_admin)
    assert "admin_refund_to_allocate" in admin_kinds(shop.batik_admin)
    assert Discrepancy.REFUND_TO_ALLOCATE in flagged(shop.tani)[shop.order.number]
    assert Discrepancy.REFUND_TO_ALLOCATE in flagged(shop.batik)[shop.order.number]
    assert [number for _refund, number in open_refunds_of_cooperative(shop.tani.id)] == [
        shop.order.number
    ]
    # Nothing moved in the ledger yet: which members' money it was is not known.
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


def test_the_orders_members_are_held_from_payouts_until_it_is_allocated(
    shop, gateway, receiver, in_english
):
    pay_through_simulator(shop.order, gateway, "qris")
    give_bank_account(shop.siti)
    refund_at_midtrans(shop.order, gateway, "dashboard-2", KERIPIK)
    deliver_refund_notification(shop.order, gateway, receiver)

    assert held_member_ids(shop.tani.id) == {shop.siti.id, shop.budi.id}
    with pytest.raises(PayoutRefused, match="not allocated"):
        request_payout(shop.siti, 50_000, shop.siti.user)


def test_an_admin_allocates_it_to_lines_and_it_posts_as_a_refund(
    shop,
    gateway,
    receiver,
    client,
    login,
    english,
):
    pay_through_simulator(shop.order, gateway, "qris")
    refund_at_midtrans(shop.order, gateway, "dashboard-3", 2 * KERIPIK)
    deliver_refund_notification(shop.order, gateway, receiver)
    pending_before, _available = balances(shop.tani, shop.siti)
    login(shop.tani_admin)
    page_url = f"/koperasi/{shop.tani.slug}/kelola/pesanan/{shop.order.number}"
    page = client.get(page_url).get_data(as_text=True)
    assert "A refund made at Midtrans to allocate" in page
    external = db.session.scalars(select(ExternalRefund)).one()
    action = f"{page_url}/alokasi-pengembalian/{external.id}"
    assert f'action="{action}"' in page
    index = [line.id for line in shop.order.lines if line.cooperative_id == shop.tani.id].index(
        shop.line(shop.siti).id
    )

    # More than the refund is refused and changes nothing.
    too_much = client.post(action, data={f"allocate-quantity_{index}": "3"})
    assert too_much.status_code == 200
    assert "more than the Rp 30.000 left to allocate" in too_much.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0

    done = client.post(action, data={f"allocate-quantity_{index}": "2"})

    assert done.status_code == 302
    refund = db.session.scalars(select(Refund)).one()
    assert (refund.method, refund.amount, refund.external_refund_id) == (
        RefundMethod.GATEWAY_DIRECT,
        2 * KERIPIK,
        external.id,
    )
    db.session.refresh(external)
    assert external.remaining == 0 and external.allocated_at is not None
    fee = 2 * KERIPIK - refund.lines[0].member_amount
    assert fee > 0
    assert balances(shop.tani, shop.siti)[0] == pending_before - (2 * KERIPIK - fee)
    assert Discrepancy.REFUND_TO_ALLOCATE not in flagged(shop.tani).get(shop.order.number, ())
    assert held_member_ids(shop.tani.id) == set()
    assert client.post(action, data={f"allocate-quantity_{index}": "1"}).status_code == 404
    # The member sees it on their statement.
    client.post("/akun/keluar")
    login(shop.siti.user)
    client.get("/bahasa/en")  # signing out forgot the language with the session
    statement = client.get(f"/koperasi/{shop.tani.slug}/anggota/mutasi").get_data(as_text=True)
    assert f"Refund, order {shop.order.number}" in statement


def test_a_refund_asked_from_here_is_not_taken_for_one_made_at_midtrans(
    shop,
    gateway,
    receiver,
):
    pay_through_simulator(shop.order, gateway, "qris")
    line = shop.line(shop.siti)
    refund_lines(shop.order, shop.tani, {line.id: 1}, "Rusak", shop.tani_admin, gateway)

    result = deliver_refund_notification(shop.order, gateway, receiver)

    assert result.outcome == NotificationOutcome.IGNORED
    assert allocations() == 0
    assert Discrepancy.REFUND_TO_ALLOCATE not in flagged(shop.tani).get(shop.order.number, ())
