"""The nightly reconciliation tells each cooperative's admins of yesterday's flagged orders."""

from datetime import timedelta

from sqlalchemy import select

from shop.checkout.models import Order
from shop.coops.models import Role
from shop.extensions import db
from shop.ledger.models import JournalEntry
from shop.notifications.models import Notification
from shop.reports import nightly
from shop.reports.period import Period, today_in_jakarta
from tests.factories import make_coop, make_membership, make_product, pay, reseal_hash_chains
from tests.orders.conftest import place


def test_an_order_paid_yesterday_without_a_settlement_notice_is_flagged_to_its_admins():
    coop = make_coop()
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    make_membership(coop=make_coop(), role=Role.ADMIN)  # a cooperative with nothing flagged
    placed = place([(make_product(make_membership(coop=coop)), 1)])
    pay(placed.order)  # by the rules, with no Midtrans notification stored: a discrepancy
    yesterday = today_in_jakarta() - timedelta(days=1)
    three_am = Period(yesterday, yesterday).starts_at + timedelta(hours=3)
    db.session.get(Order, placed.order.id).paid_at = three_am
    for entry in db.session.scalars(select(JournalEntry)):
        entry.created_at = three_am
    db.session.commit()
    reseal_hash_chains()  # posted then: chained with that time

    assert nightly.reconcile_yesterday() == {coop.id: 1}

    flagged = select(Notification).where(Notification.kind == "reconciliation_flagged")
    [note] = db.session.scalars(flagged).all()  # the quiet cooperative's admin hears nothing
    assert note.recipient_id == admin.id
    assert note.params["day"] == yesterday.isoformat()
