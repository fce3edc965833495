"""Notification bodies that used to crash the endpoint (500) are refused with a 400 and change
nothing, and a refused body leaves at most a few KB in the database.

What is stored: every body that reaches the service gets its row, as before (STYLE rule 13),
but as text PostgreSQL accepts (a NUL byte becomes U+FFFD) and, unless validly signed, cut to
RAW_BODY_LIMIT characters ending with its size and SHA-256. Over HTTP, a JSON body with a NUL
byte never reaches the view: the app's guard (shop/guards.py) refuses it first, so no row.
"""

import hashlib
import json

import pytest
from sqlalchemy import func, select

from shop.checkout.models import Order, OrderStatus
from shop.extensions import db
from shop.ledger.models import JournalEntry
from shop.payments.models import NotificationOutcome as Outcome
from shop.payments.services import handle_notification
from shop.raw_bodies import RAW_BODY_LIMIT
from tests.payments.conftest import choose
from tests.payments.test_notifications import (  # noqa: F401  (live_gateway_config: a fixture)
    body,
    live_gateway_config,
    notifications,
    sold_counts,
    start,
    stocks,
)

DEEP = 100_000  # far past Python's recursion limit


def signed(order: Order, **extra: str) -> bytes:
    """A settlement notification for the order, validly signed, with `extra` unsigned fields
    (json.dumps escapes a NUL as \\u0000 and a lone surrogate as \\ud800)."""
    return json.dumps(
        json.loads(body(order.number, "settlement", order.grand_total)) | extra
    ).encode()


def forged(**fields: str) -> bytes:
    return json.dumps(fields | {"status_code": "200", "gross_amount": "70000.00"}).encode()


BAD_BODIES = {
    "NUL in an unsigned field": lambda order: signed(order, status_message="ok\x00"),
    "NUL in a key": lambda order: signed(order, **{"va\x00": "1"}),
    "NUL in the order id": lambda order: forged(order_id=order.number + "\x00"),
    "a raw NUL byte": lambda order: signed(order).replace(b"{", b"{\x00", 1),
    "lone surrogate in an unsigned field": lambda order: signed(order, status_message="\ud800"),
    "lone surrogate in the order id": lambda order: forged(order_id=order.number + "\udfff"),
    "surrogate as raw bytes": lambda order: b'{"order_id": "\xed\xa0\x80"}',
    "arrays nested too deep": lambda order: b'{"order_id": ' + b"[" * DEEP + b"]" * DEEP + b"}",
    "objects nested too deep": lambda order: b'{"a": ' * DEEP + b"1" + b"}" * DEEP,
}


def paid_at_the_gateway(gateway, order: Order) -> None:
    """The shopper paid: asked, Midtrans answers settlement, so a notification acted on
    would pay the order."""
    choose(start(gateway, order).redirect_url, "bank_transfer", "pay")


def state_of(order: Order) -> tuple:
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    journal_entries = db.session.scalar(select(func.count()).select_from(JournalEntry))
    return order.status, order.paid_at, stocks(order), sold_counts(order), journal_entries


@pytest.mark.parametrize("make_body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_body_is_refused_stored_clean_and_changes_nothing(gateway, order, make_body):
    paid_at_the_gateway(gateway, order)
    before = state_of(order)

    result = handle_notification(make_body(order), gateway)

    assert (result.http_status, result.outcome) == (400, Outcome.MALFORMED)
    assert state_of(order) == before
    assert before[0] == OrderStatus.PENDING
    [stored] = notifications()
    assert (stored.outcome, stored.signature_valid, stored.order_id) == (
        Outcome.MALFORMED,
        False,
        None,
    )
    assert "\x00" not in stored.raw_body
    stored.raw_body.encode("utf-8")  # no lone surrogate either
    assert len(stored.raw_body) <= RAW_BODY_LIMIT


@pytest.mark.usefixtures("live_gateway_config")
@pytest.mark.parametrize("make_body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_over_http_a_bad_body_is_a_400_and_changes_nothing(client, gateway, order, make_body):
    paid_at_the_gateway(gateway, order)
    before = state_of(order)

    response = client.post(
        "/payments/midtrans/notification", data=make_body(order), content_type="application/json"
    )

    assert response.status_code == 400
    assert state_of(order) == before
    # The guard's page (a NUL in the JSON: no row), or the view's answer (one row).
    stored = notifications()
    if response.is_json:
        assert response.json == {"status": "malformed"}
        assert [row.outcome for row in stored] == [Outcome.MALFORMED]
    else:
        assert stored == []


@pytest.mark.parametrize(
    "raw",
    [
        forged(order_id="PK-20991231-ZZZZZZ", signature_key="0", padding="x" * 1_000_000),
        b"<xml>" + "ü".encode() * 500_000,
    ],
    ids=["unsigned JSON", "not JSON"],
)
def test_a_huge_refused_body_stores_at_most_the_limit(gateway, raw):
    result = handle_notification(raw, gateway)

    assert result.http_status == 400
    [stored] = notifications()
    assert len(stored.raw_body) <= RAW_BODY_LIMIT
    assert raw.decode()[:100] in stored.raw_body
    assert stored.raw_body.endswith(f"[{len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()}]")


def test_a_small_refused_body_is_stored_whole(gateway):
    raw = forged(order_id="PK-20991231-ZZZZZZ", signature_key="0")
    handle_notification(raw, gateway)
    assert notifications()[0].raw_body == raw.decode()


def test_a_validly_signed_body_is_stored_whole_and_applied(gateway, order):
    paid_at_the_gateway(gateway, order)
    raw = signed(order, status_message="x" * (2 * RAW_BODY_LIMIT))

    result = handle_notification(raw, gateway)

    assert (result.http_status, result.outcome) == (200, Outcome.APPLIED)
    assert state_of(order)[0] == OrderStatus.PAID
    assert notifications()[0].raw_body == raw.decode()
