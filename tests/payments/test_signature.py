"""Notification signatures: MIDTRANS.md §4's vector from Midtrans's own fixtures."""

import pytest

from shop.payments.signature import notification_signature, signature_ok

SERVER_KEY = "SB-Mid-server-test"
VECTOR = (
    "d65b4adf15335095fe1bfafe24964d48009dcc2989393e13570b0c9852ea60df"
    "0040b1a9646b9c9ef9433317f77acc8e387c59998dc20f5bd93fff93d23672e4"
)
NOTIFICATION = {
    "order_id": "ORDER-sandbox-0001",
    "status_code": "200",
    "gross_amount": "150000.00",
    "transaction_status": "settlement",
    "signature_key": VECTOR,
}


def test_signature_matches_midtrans_vector():
    assert notification_signature("ORDER-sandbox-0001", "200", "150000.00", SERVER_KEY) == VECTOR


def test_signed_notification_is_accepted():
    assert signature_ok(NOTIFICATION, SERVER_KEY)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gross_amount", "1500000.00"),  # tampered amount
        ("gross_amount", "150000"),  # without the .00 the hash differs
        ("order_id", "ORDER-sandbox-0002"),
        ("status_code", "201"),
        ("signature_key", VECTOR.upper()),
        ("signature_key", ""),
        ("signature_key", None),
        ("gross_amount", 150000),  # re-parsed JSON numbers are not what Midtrans signed
    ],
)
def test_changed_notification_is_refused(field, value):
    assert not signature_ok({**NOTIFICATION, field: value}, SERVER_KEY)


def test_wrong_server_key_is_refused():
    assert not signature_ok(NOTIFICATION, "SB-Mid-server-other")


def test_notification_without_signature_is_refused():
    unsigned = {key: value for key, value in NOTIFICATION.items() if key != "signature_key"}
    assert not signature_ok(unsigned, SERVER_KEY)


def test_non_ascii_signature_is_refused_not_raised():
    assert not signature_ok({**NOTIFICATION, "signature_key": "é" * 128}, SERVER_KEY)
