"""Midtrans notifications applied to orders: stored raw first, signature checked, the status
asked of the live simulator through the real midtransclient, and every effect exactly once."""

import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config import SIMULATOR_SERVER_KEY
from shop.catalog.models import Product, ProductVariant
from shop.checkout.models import Order, OrderStatus
from shop.checkout.services import place_order
from shop.extensions import db
from shop.ledger.models import ExternalRefund
from shop.payments.gateway import PaymentItem, gateway_from_config
from shop.payments.models import NotificationOutcome as Outcome
from shop.payments.models import PaymentNotification
from shop.payments.services import handle_notification
from shop.payments.signature import notification_signature
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product
from tests.payments.conftest import CUSTOMER, FINISH_URL, choose

STATUS_CODES = {"settlement": "200", "capture": "200", "pending": "201", "expire": "202"}


def start(gateway, order: Order, gross: int | None = None):
    gross = order.grand_total if gross is None else gross
    items = [PaymentItem("ORDER", "Pesanan", gross, 1)]
    return gateway.create_payment(order.number, gross, items, CUSTOMER, FINISH_URL, 60)


def body(
    order_id: str,
    transaction_status: str,
    gross: int,
    status_code: str | None = None,
    fraud_status: str | None = None,
    server_key: str = SIMULATOR_SERVER_KEY,
) -> bytes:
    status_code = status_code or STATUS_CODES.get(transaction_status, "202")
    amount = f"{gross}.00"
    fields = {
        "transaction_status": transaction_status,
        "status_code": status_code,
        "order_id": order_id,
        "gross_amount": amount,
        "signature_key": notification_signature(order_id, status_code, amount, server_key),
        "currency": "IDR",
    }
    if fraud_status:
        fields["fraud_status"] = fraud_status
    return json.dumps(fields).encode()


def reload(order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def sold_counts(order: Order) -> list[int]:
    ids = sorted({line.product_id for line in order.lines})
    return list(
        db.session.scalars(
            select(Product.sold_count).where(Product.id.in_(ids)).order_by(Product.id)
        )
    )


def stocks(order: Order) -> list[int]:
    ids = sorted(line.variant_id for line in order.lines)
    return list(
        db.session.scalars(
            select(ProductVariant.stock)
            .where(ProductVariant.id.in_(ids))
            .order_by(ProductVariant.id)
        )
    )


def notifications() -> list[PaymentNotification]:
    db.session.expire_all()
    return list(db.session.scalars(select(PaymentNotification).order_by(PaymentNotification.id)))


def test_settlement_pays_once_and_counts_sales_once(gateway, order):
    choose(start(gateway, order).redirect_url, "bank_transfer", "pay")
    settlement = body(order.number, "settlement", order.grand_total)

    results = [handle_notification(settlement, gateway) for _ in range(20)]

    assert [r.http_status for r in results] == [200] * 20
    assert [r.outcome for r in results] == [Outcome.APPLIED] + [Outcome.DUPLICATE] * 19
    paid = reload(order)
    assert paid.status == OrderStatus.PAID and paid.paid_at is not None
    assert sold_counts(paid) == [2, 1]
    assert stocks(paid) == [8, 2]  # reserved at checkout, not touched again
    stored = notifications()
    assert len(stored) == 20 and all(n.signature_valid for n in stored)
    assert stored[0].raw_body == settlement.decode()
    assert (stored[0].order_id, stored[0].transaction_status) == (order.number, "settlement")


def test_a_settlement_reads_each_row_once_and_a_duplicate_moves_no_order(
    gateway, order, count_queries
):
    choose(start(gateway, order).redirect_url, "bank_transfer", "pay")
    settlement = body(order.number, "settlement", order.grand_total)

    with count_queries() as paying:
        assert handle_notification(settlement, gateway).outcome == Outcome.APPLIED
    with count_queries() as duplicate:
        assert handle_notification(settlement, gateway).outcome == Outcome.DUPLICATE

    def reads(statements: list[str], table: str) -> int:
        """SELECTs from the table up to the outcome's UPDATE, which ends the notification's
        work: the mails queued after the commit run at once in tests, and read on."""
        end = next(
            index
            for index, statement in enumerate(statements)
            if statement.startswith("UPDATE payment_notifications")
        )
        selecting = re.compile(rf"^\s*SELECT\b.*\bFROM {table}\b", re.DOTALL)
        return sum(1 for statement in statements[: end + 1] if selecting.search(statement))

    # The order found once and locked once, by a statement of the few columns deciding needs
    # (what a duplicate reads of it); once marked paid, its lines and shipments read by one
    # statement, for the sold counts, the postings and the events; the notification row
    # never read back.
    assert (reads(paying, "orders"), reads(paying, "order_lines")) == (2, 1)
    assert reads(paying, "order_shipments") == 1  # the same statement: a UNION ALL

    def count(statements: list[str], start: str) -> int:
        """Statements up to the outcome's UPDATE that begin so."""
        end = next(i for i, s in enumerate(statements) if s.startswith("UPDATE payment_notif"))
        return sum(1 for statement in statements[: end + 1] if statement.startswith(start))

    # The settlement and the gateway fee posted together: one look for their keys, one
    # UPDATE of their hashes and one of the chain head (the head made here: its first entry).
    assert reads(paying, "journal_entries") == 1
    assert count(paying, "UPDATE journal_entries") == count(paying, "UPDATE ledger_chain") == 1
    # The paid order's notifications (shopper, members) recorded by one INSERT that leaves
    # out those recorded already.
    assert reads(paying, "notifications") == 0
    assert count(paying, "INSERT INTO notifications") == 1
    # Midtrans's answer about the attempt kept by one UPDATE, duplicate or not.
    assert count(paying, "UPDATE payment_attempts") == count(duplicate, "UPDATE payment_a") == 1
    if db.engine.dialect.name == "postgresql":  # SQLite inserts them row by row
        assert count(paying, "INSERT INTO journal_entries") == 1
        assert count(paying, "INSERT INTO postings") == 1
        # 32 before the ledger, attempt and events batching; 17 while the lock read the lines
        assert count(paying, "") == 18
    assert count(duplicate, "") == 5  # 6 before
    assert reads(paying, "payment_notifications") == reads(duplicate, "payment_notifications") == 0
    # A duplicate reads the order under its lock, finds it paid and writes no order row; its
    # lines and shipments are read only by the request that pays.
    assert reads(duplicate, "orders") == 2
    assert not [s for s in duplicate if re.search(r"\border_(lines|shipments)\b", s)]
    assert not [s for s in duplicate if s.lstrip().startswith("UPDATE orders")]


def test_pending_after_settlement_changes_nothing(gateway, order):
    choose(start(gateway, order).redirect_url, "bank_transfer", "pay")
    handle_notification(body(order.number, "settlement", order.grand_total), gateway)
    paid_at = reload(order).paid_at

    late = handle_notification(body(order.number, "pending", order.grand_total), gateway)

    assert (late.http_status, late.outcome) == (200, Outcome.DUPLICATE)  # gateway: settlement
    order = reload(order)
    assert (order.status, order.paid_at, sold_counts(order)) == (OrderStatus.PAID, paid_at, [2, 1])


def test_pending_keeps_the_order_pending(gateway, order):
    choose(start(gateway, order).redirect_url, "qris", "pending")
    result = handle_notification(body(order.number, "pending", order.grand_total), gateway)
    assert (result.http_status, result.outcome) == (200, Outcome.APPLIED)
    assert reload(order).status == OrderStatus.PENDING


@pytest.mark.parametrize(
    ("outcome", "transaction_status", "closed_as"),
    [("expire", "expire", OrderStatus.EXPIRED), ("deny", "deny", OrderStatus.DENIED)],
)
def test_failed_payment_past_the_deadline_closes_the_order_and_restores_stock_once(
    gateway, order, outcome, transaction_status, closed_as
):
    choose(start(gateway, order).redirect_url, "gopay", outcome)
    order.expires_at = utcnow() - timedelta(minutes=1)  # the order's hold has run out
    db.session.commit()
    notification = body(order.number, transaction_status, order.grand_total)

    first = handle_notification(notification, gateway)
    again = handle_notification(notification, gateway)

    assert (first.http_status, first.outcome) == (200, Outcome.APPLIED)
    assert (again.http_status, again.outcome) == (200, Outcome.DUPLICATE)
    order = reload(order)
    assert order.status == closed_as and order.stock_released_at is not None
    assert stocks(order) == [10, 3]
    assert sold_counts(order) == [0, 0]


@pytest.mark.parametrize("outcome", ["expire", "deny"])
def test_failed_payment_within_the_deadline_keeps_the_order_and_its_stock(gateway, order, outcome):
    choose(start(gateway, order).redirect_url, "gopay", outcome)

    result = handle_notification(body(order.number, outcome, order.grand_total), gateway)

    assert (result.http_status, result.outcome) == (200, Outcome.APPLIED)
    order = reload(order)
    # Still payable another way until its deadline: the expiry job closes it then.
    assert (order.status, order.stock_released_at) == (OrderStatus.PENDING, None)
    assert stocks(order) == [8, 2]


def test_fraud_challenge_stays_pending_until_approved(gateway, order):
    choose(start(gateway, order).redirect_url, "credit_card", "challenge")
    held = handle_notification(
        body(order.number, "capture", order.grand_total, "201", "challenge"), gateway
    )
    assert (held.http_status, held.outcome) == (200, Outcome.APPLIED)
    assert reload(order).status == OrderStatus.PENDING

    gateway.approve(order.number)
    accepted = handle_notification(
        body(order.number, "capture", order.grand_total, "200", "accept"), gateway
    )
    assert accepted.outcome == Outcome.APPLIED
    assert reload(order).status == OrderStatus.PAID


def test_body_status_is_not_trusted(gateway, order):
    """A validly signed "settlement" while Midtrans says pending pays nothing."""
    choose(start(gateway, order).redirect_url, "qris", "pending")
    result = handle_notification(body(order.number, "settlement", order.grand_total), gateway)
    assert result.outcome == Outcome.APPLIED  # applied what the gateway said: still pending
    assert reload(order).status == OrderStatus.PENDING and sold_counts(order) == [0, 0]


def test_a_partial_refund_made_at_midtrans_is_recorded_to_allocate(gateway, order):
    choose(start(gateway, order).redirect_url, "gopay", "pay")
    handle_notification(body(order.number, "settlement", order.grand_total), gateway)
    gateway.refund(order.number, "r-1", 5000, "goodwill")

    result = handle_notification(
        body(order.number, "partial_refund", order.grand_total, "200"), gateway
    )

    assert (result.http_status, result.outcome) == (200, Outcome.APPLIED)
    assert reload(order).status == OrderStatus.PAID  # still paid: the rest was not refunded
    assert notifications()[-1].transaction_status == "partial_refund"
    [external] = db.session.scalars(select(ExternalRefund)).all()
    assert (external.gateway_refund_key, external.amount) == ("r-1", 5000)


def test_bad_signature_is_refused_stored_and_changes_nothing(gateway, order):
    choose(start(gateway, order).redirect_url, "bank_transfer", "pay")
    forged = body(order.number, "settlement", order.grand_total, server_key="SB-Mid-server-x")

    result = handle_notification(forged, gateway)

    assert (result.http_status, result.outcome) == (400, Outcome.BAD_SIGNATURE)
    assert reload(order).status == OrderStatus.PENDING
    [stored] = notifications()
    assert (stored.signature_valid, stored.outcome) == (False, Outcome.BAD_SIGNATURE)
    assert stored.order_id == order.number


def test_unknown_order_is_404_and_stored(gateway):
    result = handle_notification(body("PK-20991231-ZZZZZZ", "settlement", 10000), gateway)
    assert (result.http_status, result.outcome) == (404, Outcome.UNKNOWN_ORDER)
    [stored] = notifications()
    assert (stored.order_id, stored.signature_valid) == ("PK-20991231-ZZZZZZ", True)


def test_order_the_gateway_does_not_know_is_404(gateway, order):
    result = handle_notification(body(order.number, "settlement", order.grand_total), gateway)
    assert (result.http_status, result.outcome) == (404, Outcome.UNKNOWN_ORDER)
    assert reload(order).status == OrderStatus.PENDING


def test_amount_the_gateway_reports_must_equal_the_order_total(gateway, order):
    tampered = order.grand_total + 1000
    choose(start(gateway, order, gross=tampered).redirect_url, "bank_transfer", "pay")

    result = handle_notification(body(order.number, "settlement", tampered), gateway)

    assert (result.http_status, result.outcome) == (400, Outcome.AMOUNT_MISMATCH)
    order = reload(order)
    assert order.status == OrderStatus.PENDING and order.paid_at is None
    assert sold_counts(order) == [0, 0]
    assert notifications()[0].outcome == Outcome.AMOUNT_MISMATCH


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_malformed_body_is_stored_and_refused(gateway, raw):
    result = handle_notification(raw, gateway)
    assert (result.http_status, result.outcome) == (400, Outcome.MALFORMED)
    [stored] = notifications()
    assert (stored.order_id, stored.signature_valid, stored.outcome) == (
        None,
        False,
        Outcome.MALFORMED,
    )


def test_gateway_down_is_503_and_changes_nothing(simulator_app, gateway, order):
    choose(start(gateway, order).redirect_url, "bank_transfer", "pay")
    down = gateway_from_config(
        dict(simulator_app.config, MIDTRANS_SIMULATOR_URL="http://127.0.0.1:9")
    )

    result = handle_notification(body(order.number, "settlement", order.grand_total), down)

    assert (result.http_status, result.outcome) == (503, Outcome.GATEWAY_UNAVAILABLE)
    assert reload(order).status == OrderStatus.PENDING
    # Midtrans retries a 503; once the gateway answers, the retry pays.
    retry = handle_notification(body(order.number, "settlement", order.grand_total), gateway)
    assert retry.outcome == Outcome.APPLIED and reload(order).status == OrderStatus.PAID


# Over HTTP ---------------------------------------------------------------------------------


@pytest.fixture
def live_gateway_config(app, simulator_app, monkeypatch):
    """The app under test asks the live simulator (same server key) for statuses."""
    monkeypatch.setitem(
        app.config, "MIDTRANS_SIMULATOR_URL", simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    )


@pytest.mark.usefixtures("live_gateway_config", "csrf_on")
def test_notification_url_is_public_and_csrf_exempt(client, gateway, order):
    choose(start(gateway, order).redirect_url, "bank_transfer", "pay")
    response = client.post(
        "/payments/midtrans/notification",
        data=body(order.number, "settlement", order.grand_total),
        content_type="application/json",
    )
    assert (response.status_code, response.json) == (200, {"status": "applied"})
    assert reload(order).status == OrderStatus.PAID


@pytest.mark.usefixtures("live_gateway_config")
@pytest.mark.parametrize(
    ("raw", "status"), [(b"<xml/>", 400), (b'{"order_id": 5, "status_code": []}', 400)]
)
def test_notification_url_answers_bad_input_without_500(client, raw, status):
    response = client.post("/payments/midtrans/notification", data=raw)
    assert response.status_code == status
    assert response.json["status"] in ("malformed", "bad_signature")


# Concurrency on PostgreSQL -------------------------------------------------------------------

DELIVERIES = 20


@pytest.mark.pg
def test_twenty_concurrent_settlements_pay_once(app, simulator_app, committed_database, gateway):
    coop = make_coop(fee_bp=250)
    product = make_product(make_membership(coop=coop), variants=((15000, 10),))
    placed = place_order([(product.variants[0].id, 3)], checkout_request(coop), None).order
    order_pk, number, total = placed.id, placed.number, placed.grand_total
    product_pk = product.id
    choose(start(gateway, placed).redirect_url, "bank_transfer", "pay")
    settlement = body(number, "settlement", total)
    db.session.remove()

    barrier = threading.Barrier(DELIVERIES)
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def deliver() -> None:
        own_gateway = gateway_from_config(simulator_app.config)
        with app.app_context():
            barrier.wait()
            try:
                result = handle_notification(settlement, own_gateway)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result.outcome)

    threads = [threading.Thread(target=deliver) for _ in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == sorted([Outcome.APPLIED] + [Outcome.DUPLICATE] * (DELIVERIES - 1))
    with committed_database.connect() as connection:
        status = connection.scalar(select(Order.status).where(Order.id == order_pk))
        sold = connection.scalar(select(Product.sold_count).where(Product.id == product_pk))
        stored = connection.scalar(select(func.count()).select_from(PaymentNotification))
    assert (status, sold, stored) == (OrderStatus.PAID, 3, DELIVERIES)
