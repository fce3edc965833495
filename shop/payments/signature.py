"""The signature_key of Midtrans notifications and status answers (MIDTRANS.md §4)."""

import hashlib
import hmac

# The signed status_code of capture, settlement and refund. The signature covers the code,
# not transaction_status: a signed body sent again with its status changed keeps its code.
PAID_STATUS_CODE = "200"


def notification_signature(
    order_id: str, status_code: str, gross_amount: str, server_key: str
) -> str:
    """Hex SHA-512 of order_id + status_code + gross_amount + server_key.

    The parts are the raw strings Midtrans sends: gross_amount "150000.00", never 150000,
    and refunds are signed with the original gross_amount.
    """
    raw = order_id + status_code + gross_amount + server_key
    return hashlib.sha512(raw.encode("utf-8")).hexdigest()


def signature_ok(notification: dict, server_key: str) -> bool:
    """True when the notification's signature_key matches; False for anything malformed."""
    parts = [notification.get(name) for name in ("order_id", "status_code", "gross_amount")]
    received = notification.get("signature_key")
    if not all(isinstance(part, str) for part in parts) or not isinstance(received, str):
        return False
    expected = notification_signature(*parts, server_key)
    return hmac.compare_digest(expected.encode(), received.encode())
