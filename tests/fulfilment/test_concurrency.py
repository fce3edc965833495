"""Races on PostgreSQL: requests that would each be right alone must not both take effect.

Real commits on separate connections (`committed_database`), threads released together by a
barrier; the gateway answers slowly, so both requests are surely inside their transaction
at once.
"""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.checkout.models import Order, OrderShipment, ShipmentStatus
from shop.checkout.services import place_order
from shop.coops.models import Cooperative
from shop.errors import ShopError
from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from shop.fulfilment.services import (
    complete_due_shipments,
    confirm_receipt,
    mark_delivered,
    mark_packed,
    mark_shipped,
)
from shop.ledger.checks import check_ledger
from shop.ledger.journal import balance
from shop.ledger.models import Account, EntryKind, JournalEntry, RefundLine
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, pay
from tests.fulfilment.test_refunds import FakeGateway

pytestmark = pytest.mark.pg


class SlowGateway(FakeGateway):
    def refund(self, *args):
        time.sleep(0.3)
        return super().refund(*args)


def a_paid_order(quantity: int = 3) -> dict:
    coop = make_coop(fee_bp=250)
    admin = make_membership(coop=coop, role="admin")
    member = make_membership(coop=coop)
    product = make_product(member, variants=((15_000, 10),))
    order = place_order([(product.variants[0].id, quantity)], checkout_request(coop), None).order
    pay(order)
    ids = {
        "order": order.id,
        "coop": coop.id,
        "member": member.id,
        "admin": admin.user_id,
        "line": order.lines[0].id,
    }
    db.session.remove()
    return ids


def race(app, *actions) -> list[str]:
    """Run each action in its own thread and app context, all at once; their outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action) -> None:
        with app.app_context():
            barrier.wait()
            try:
                outcome = str(action())
            except ShopError as error:
                outcome = f"refused: {error.message}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def refund_of(ids: dict, quantity: int, gateway: FakeGateway):
    def action():
        order = db.session.get(Order, ids["order"])
        coop = db.session.get(Cooperative, ids["coop"])
        admin = db.session.get(User, ids["admin"])
        return refund_lines(order, coop, {ids["line"]: quantity}, "Rusak", admin, gateway).amount

    return action


def test_two_refunds_racing_for_one_line_never_refund_more_than_it_had(app, committed_database):
    ids = a_paid_order(quantity=3)
    gateway = SlowGateway()

    outcomes = race(app, refund_of(ids, 2, gateway), refund_of(ids, 2, gateway))

    assert sorted(outcomes)[0] == "30000"
    assert sorted(outcomes)[1].startswith(
        "refused: Pengembalian dana melebihi yang dibayar"
    )  # "Refund above what was paid"
    assert len(gateway.calls) == 1
    with app.app_context():
        refunded = db.session.scalar(
            select(func.sum(RefundLine.quantity)).where(RefundLine.order_line_id == ids["line"])
        )
        assert refunded == 2
        assert balance(ids["coop"], Account.MEMBER_PENDING, ids["member"]) == 43_875 - 29_250
        assert check_ledger() == []
        db.session.remove()


def delivered(ids: dict) -> None:
    with_shipment = db.session.scalar(
        select(OrderShipment).where(OrderShipment.order_id == ids["order"])
    )
    admin = db.session.get(User, ids["admin"])
    mark_packed(with_shipment, admin)
    mark_shipped(with_shipment, admin)
    mark_delivered(with_shipment, admin)
    db.session.remove()


def test_the_shopper_confirming_while_cron_runs_completes_once(app, committed_database):
    ids = a_paid_order()
    delivered(ids)

    def confirm():
        return confirm_receipt(db.session.get(Order, ids["order"]), ids["coop"], None)

    def cron():
        return complete_due_shipments(utcnow() + timedelta(days=10))

    outcomes = race(app, confirm, cron, confirm)

    assert outcomes.count("True") + outcomes.count("1") == 1  # one of them completed it
    with app.app_context():
        completions = db.session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.kind == EntryKind.COMPLETION)
        )
        assert completions == 1
        assert balance(ids["coop"], Account.MEMBER_AVAILABLE, ids["member"]) == 43_875
        assert check_ledger() == []
        db.session.remove()


def test_a_refund_racing_the_completion_takes_from_the_right_balance(app, committed_database):
    ids = a_paid_order()
    delivered(ids)
    gateway = SlowGateway()

    outcomes = race(
        app,
        refund_of(ids, 1, gateway),
        lambda: complete_due_shipments(utcnow() + timedelta(days=10)),
    )

    assert sorted(outcomes) == ["1", "15000"]
    with app.app_context():
        pending = balance(ids["coop"], Account.MEMBER_PENDING, ids["member"])
        available = balance(ids["coop"], Account.MEMBER_AVAILABLE, ids["member"])
        assert (pending, available) == (0, 43_875 - 14_625)
        status = db.session.scalar(
            select(OrderShipment.status).where(OrderShipment.order_id == ids["order"])
        )
        assert status == ShipmentStatus.COMPLETED
        assert check_ledger() == []
        db.session.remove()
