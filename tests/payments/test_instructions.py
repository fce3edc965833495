"""How to pay a pending transaction (issue 13, bug 8): the fields taken from Midtrans's
answers, the simulator's answers for each bank, QRIS and store, and the shopper's order page
showing the number, the QR code, the time left and the steps."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.orders.access import remember_order_access
from shop.payments.instructions import instructions_from
from shop.payments.models import PaymentAttempt
from shop.payments.panel import time_left_text
from tests.payments.conftest import choose


@pytest.fixture
def simulated(app, simulator_app, monkeypatch):
    monkeypatch.setitem(
        app.config, "MIDTRANS_SIMULATOR_URL", simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    )


@pytest.fixture
def shopper(english, order):
    with english.session_transaction() as session:
        remember_order_access(session, order.number)
    return english


def test_virtual_account_bank_number_and_expiry_are_taken():
    answer = {
        "payment_type": "bank_transfer",
        "va_numbers": [{"bank": "bni", "va_number": "9881234567890123"}],
        "expiry_time": "2026-12-04 10:00:00",
    }

    found = instructions_from(answer)

    assert (found.bank, found.va_number) == ("bni", "9881234567890123")
    assert found.pay_before == datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # 10:00 WIB


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"permata_va_number": "8778001234567"}, {"bank": "permata", "va_number": "8778001234567"}),
        (
            {"payment_type": "echannel", "biller_code": "70012", "bill_key": "990000000260"},
            {"bank": "mandiri", "biller_code": "70012", "bill_key": "990000000260"},
        ),
        (
            {"payment_type": "cstore", "payment_code": "25709650945026", "store": "Indomaret"},
            {"payment_code": "25709650945026", "store": "indomaret"},
        ),
        (
            {"qr_string": "00020101021226620014COM.GO-JEK"},
            {"qr_string": "00020101021226620014COM.GO-JEK"},
        ),
    ],
)
def test_each_method_gives_its_own_fields(answer, expected):
    found = instructions_from(answer).as_columns()

    assert {key: found[key] for key in expected} == expected


@pytest.mark.parametrize(
    "answer",
    [
        {"va_numbers": [{"bank": "bca", "va_number": "<script>alert(1)</script>"}]},
        {"va_numbers": [{"bank": "evilbank", "va_number": "12345678"}]},
        {"va_numbers": "12345678"},
        {"permata_va_number": 12345678},
        {"payment_code": "x" * 5000, "store": "warung"},
        {"qr_string": "line\nbreak\x00"},
        {"expiry_time": "tomorrow"},
        {"payment_type": "DROP TABLE"},
    ],
)
def test_anything_else_is_dropped(answer):
    found = instructions_from(answer).as_columns()

    assert all(value is None for value in found.values()), found


def test_time_left_is_hours_and_minutes(in_english):
    now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)

    assert time_left_text(datetime(2026, 12, 4, 0, 12, tzinfo=UTC), now) == (
        "Expires in 23 hours 12 minutes"
    )
    assert time_left_text(now, now) == "The time to pay has run out."


@pytest.mark.parametrize(
    ("method", "bank", "payment_type"),
    [("bank_transfer", "bca", "bank_transfer"), ("bni_va", "bni", "bank_transfer"),
     ("bri_va", "bri", "bank_transfer"), ("permata_va", "permata", "bank_transfer")],
)  # fmt: skip
def test_order_page_shows_the_chosen_banks_virtual_account(
    simulated, shopper, order, method, bank, payment_type
):
    choose(shopper.post(f"/pesanan/{order.number}/bayar").location, method, "pending")
    shopper.get(f"/pembayaran/belum-selesai?order_id={order.number}-1")  # as Midtrans returns

    page = shopper.get(f"/pesanan/{order.number}").get_data(as_text=True)

    attempt = db.session.scalars(select(PaymentAttempt)).one()
    assert (attempt.payment_type, attempt.bank) == (payment_type, bank)
    assert attempt.va_number and f'value="{attempt.va_number}"' in page
    assert f"{bank.upper() if bank != 'permata' else 'Permata'} virtual account number" in page
    assert "Expires in" in page and "data-countdown" in page
    assert "How to pay" in page and "Enter the virtual account number shown above." in page
    assert re.search(r"<script src=\"/assets/js/payment\.[0-9a-f]+\.js\" defer>", page)


def test_order_page_draws_the_qris_code_itself(simulated, shopper, order):
    choose(shopper.post(f"/pesanan/{order.number}/bayar").location, "qris", "pending")
    shopper.get(f"/pembayaran/belum-selesai?order_id={order.number}-1")

    page = shopper.get(f"/pesanan/{order.number}").get_data(as_text=True)

    assert db.session.scalars(select(PaymentAttempt)).one().qr_string.startswith("000201")
    assert "<svg" in page and 'class="segno"' in page
    assert "midtrans.com" not in page  # never Midtrans's own QR image
    assert "Scan the QR code above" in page


@pytest.mark.parametrize("store", ["indomaret", "alfamart"])
def test_order_page_shows_the_stores_payment_code(simulated, shopper, order, store):
    choose(shopper.post(f"/pesanan/{order.number}/bayar").location, store, "pending")
    shopper.get(f"/pembayaran/belum-selesai?order_id={order.number}-1")

    page = shopper.get(f"/pesanan/{order.number}").get_data(as_text=True)

    attempt = db.session.scalars(select(PaymentAttempt)).one()
    assert (attempt.payment_type, attempt.store) == ("cstore", store)
    assert f'value="{attempt.payment_code}"' in page
    assert f"in cash at {store.capitalize()}" in page
    assert "Show the payment code above to the cashier." in page


def test_order_page_shows_the_mandiri_bill(simulated, shopper, order):
    choose(shopper.post(f"/pesanan/{order.number}/bayar").location, "echannel", "pending")
    shopper.get(f"/pembayaran/belum-selesai?order_id={order.number}-1")

    page = shopper.get(f"/pesanan/{order.number}").get_data(as_text=True)

    attempt = db.session.scalars(select(PaymentAttempt)).one()
    assert f'value="{attempt.biller_code}"' in page and f'value="{attempt.bill_key}"' in page
    section = page[page.index("pay-heading") : page.index("delivery-heading")]
    assert "Mandiri Bill Payment" in page and "Livin' by Mandiri" in page, section
