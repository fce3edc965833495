"""The simulated Midtrans transactions and how they move.

A SimTransaction is a plain value: the transitions below change one in memory, and
store.py loads it from the database and saves it back, so every worker and host sees the
same transactions and a restart forgets none.

Codes and messages follow MIDTRANS.md §3-4: status_code is a string, gross_amount a string
with two decimals, and an expired transaction answers "407" (which means success).
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shop.payments.signature import notification_signature

JAKARTA = ZoneInfo("Asia/Jakarta")  # Midtrans's times are WIB, without an offset
MERCHANT_ID = "G000000000"
METHODS = (
    "bank_transfer",  # BCA, the first simulated bank
    "bni_va",
    "bri_va",
    "permata_va",
    "echannel",
    "qris",
    "gopay",
    "credit_card",
    "indomaret",
    "alfamart",
)
# The choice on the payment page -> Midtrans's payment_type, and the bank or store it names.
PAYMENT_TYPES = {
    "bank_transfer": ("bank_transfer", "bca"),
    "bni_va": ("bank_transfer", "bni"),
    "bri_va": ("bank_transfer", "bri"),
    "permata_va": ("bank_transfer", "permata"),
    "indomaret": ("cstore", "indomaret"),
    "alfamart": ("cstore", "alfamart"),
}
REFUNDABLE_METHODS = frozenset({"credit_card", "gopay", "qris"})  # never VA (MIDTRANS.md §3)
PAID_STATES = frozenset({"settlement", "capture", "refund", "partial_refund"})
NOT_FOUND_MESSAGE = "Transaction doesn't exist."
CANNOT_MODIFY = "Merchant cannot modify the status of the transaction"


class SimulatorError(Exception):
    """An answer in Midtrans's Core API error shape: {"status_code", "status_message"}."""

    def __init__(self, status_code: str, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def _now() -> str:
    return datetime.now(JAKARTA).strftime("%Y-%m-%d %H:%M:%S")


def _amount(rupiah: int) -> str:
    return f"{rupiah}.00"


@dataclass
class SimTransaction:
    order_id: str
    token: str
    gross_amount: int
    finish_url: str | None
    expiry_minutes: int
    transaction_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    transaction_status: str | None = None  # None: no method chosen, Midtrans says 404
    payment_type: str | None = None
    fraud_status: str | None = None
    transaction_time: str | None = None
    settlement_time: str | None = None
    refund_amount: int = 0
    refunds: list[dict] = field(default_factory=list)
    refund_answers: dict[str, dict] = field(default_factory=dict)

    @property
    def is_paid(self) -> bool:
        return self.transaction_status in PAID_STATES

    def status_code(self, for_notification: bool = False) -> str:
        status, fraud = self.transaction_status, self.fraud_status
        if status == "pending" or (status == "capture" and fraud == "challenge"):
            return "201"
        if status == "expire":
            # The status and expire answers say 407; notifications file expiry under 202.
            return "202" if for_notification else "407"
        if status in ("deny", "cancel", "failure"):
            return "202"
        return "200"

    def fields(self, server_key: str, for_notification: bool = False) -> dict:
        """The transaction as Midtrans's status answer and notifications show it."""
        status_code = self.status_code(for_notification)
        gross = _amount(self.gross_amount)
        body = {
            "transaction_time": self.transaction_time,
            "transaction_status": self.transaction_status,
            "transaction_id": self.transaction_id,
            "status_code": status_code,
            "status_message": "midtrans payment notification"
            if for_notification
            else "Success, transaction is found",
            "signature_key": notification_signature(self.order_id, status_code, gross, server_key),
            "payment_type": PAYMENT_TYPES.get(self.payment_type, (self.payment_type,))[0],
            "order_id": self.order_id,
            "merchant_id": MERCHANT_ID,
            "gross_amount": gross,
            "currency": "IDR",
        }
        if self.fraud_status:  # cards only here; absent for other methods, as in Midtrans
            body["fraud_status"] = self.fraud_status
        body |= self._how_to_pay()
        if self.settlement_time:
            body["settlement_time"] = self.settlement_time
        if self.transaction_status == "pending":
            # Counted from the transaction's time, as Midtrans does: every answer and
            # notification about it names the same deadline.
            started = datetime.strptime(self.transaction_time or _now(), "%Y-%m-%d %H:%M:%S")
            expiry = started.replace(tzinfo=JAKARTA) + timedelta(minutes=self.expiry_minutes)
            body["expiry_time"] = expiry.strftime("%Y-%m-%d %H:%M:%S")
        if self.refunds:
            body["refund_amount"] = _amount(self.refund_amount)
            body["refunds"] = list(self.refunds)
        return body

    def _how_to_pay(self) -> dict:
        """The fields Midtrans adds for the chosen method (MIDTRANS.md §4): made up from the
        transaction id, so the same transaction always shows the same numbers."""
        payment_type, bank_or_store = PAYMENT_TYPES.get(self.payment_type, (None, None))
        digits = str(int(self.transaction_id.replace("-", ""), 16))[-11:].rjust(11, "0")
        if bank_or_store == "permata":
            return {"permata_va_number": "8778" + digits[-12:]}
        if payment_type == "bank_transfer":
            return {"va_numbers": [{"bank": bank_or_store, "va_number": digits}]}
        if payment_type == "cstore":
            return {"payment_code": digits[-8:], "store": bank_or_store}
        if self.payment_type == "echannel":
            return {"biller_code": "70012", "bill_key": digits}
        if self.payment_type == "qris":
            qr_url = f"https://api.sandbox.midtrans.com/v2/qris/{self.transaction_id}/qr-code"
            return {
                "acquirer": "gopay",
                "qr_string": f"00020101021226620014COM.GO-JEK.WWW01189360091430000000{digits}"
                f"5204549953033605802ID5912PASAR KOPERASI6007JAKARTA6304ABCD",
                "actions": [{"name": "generate-qr-code", "method": "GET", "url": qr_url}],
            }
        return {}


# Transitions: each changes one transaction (the store saves it) or raises SimulatorError.


# The steps each choice on the payment page walks through: (transaction_status, fraud_status).
# Cards skip pending (captured or denied at once); the other methods are pending first.
CARD_STEPS = {
    "pay": [("capture", "accept")],
    "challenge": [("capture", "challenge")],
    "deny": [("deny", "deny")],
    "expire": [("pending", None), ("expire", None)],
    "pending": [("pending", None)],
}
OTHER_STEPS = {
    "pay": [("pending", None), ("settlement", None)],
    "deny": [("pending", None), ("deny", None)],
    "expire": [("pending", None), ("expire", None)],
    "pending": [("pending", None)],
}


def choose(transaction: SimTransaction, method: str, outcome: str, server_key: str) -> list[dict]:
    """The shopper's choice on the payment page. Returns the notifications to send, in order.
    Raises SimulatorError 412 once the transaction has left pending, KeyError for a choice
    that does not exist for the method (challenge is for cards only)."""
    if transaction.transaction_status not in (None, "pending"):
        raise SimulatorError("412", CANNOT_MODIFY)
    steps = (CARD_STEPS if method == "credit_card" else OTHER_STEPS)[outcome]
    transaction.payment_type = method
    transaction.transaction_time = transaction.transaction_time or _now()
    notifications = []
    for status, fraud in steps:
        if status == transaction.transaction_status:
            continue  # pending already notified on an earlier visit
        transaction.transaction_status, transaction.fraud_status = status, fraud
        if status == "settlement":
            transaction.settlement_time = _now()
        notifications.append(transaction.fields(server_key, for_notification=True))
    return notifications


def _answer(transaction: SimTransaction, server_key: str, code: str, message: str) -> dict:
    body = transaction.fields(server_key)
    body.update(status_code=code, status_message=message)
    return body


def cancel(transaction: SimTransaction, server_key: str) -> dict:
    # Cancel frees pending payments and unsettled card captures; after settlement, refund.
    if transaction.transaction_status not in ("pending", "capture", "authorize"):
        raise SimulatorError("412", CANNOT_MODIFY)
    transaction.transaction_status = "cancel"
    return _answer(transaction, server_key, "200", "Success, transaction is canceled")


def expire(transaction: SimTransaction, server_key: str) -> dict:
    if transaction.transaction_status != "pending":
        raise SimulatorError("412", CANNOT_MODIFY)
    transaction.transaction_status = "expire"
    return _answer(transaction, server_key, "407", "Success, transaction has expired")


def review(transaction: SimTransaction, server_key: str, approve: bool) -> dict:
    """Approve or deny a card capture held with fraud_status challenge."""
    if transaction.transaction_status != "capture" or transaction.fraud_status != "challenge":
        raise SimulatorError("412", CANNOT_MODIFY)
    if approve:
        transaction.fraud_status = "accept"
        return _answer(transaction, server_key, "200", "Success, transaction is approved")
    transaction.transaction_status = transaction.fraud_status = "deny"
    return _answer(transaction, server_key, "200", "Success, transaction is denied")


def refund(
    transaction: SimTransaction, server_key: str, refund_key: str, amount: int | None
) -> dict:
    """Full or partial refund of a settled card, GoPay or QRIS payment. The same refund_key
    returns the first answer again; refund_amount is cumulative."""
    if refund_key and refund_key in transaction.refund_answers:
        return transaction.refund_answers[refund_key]
    if transaction.transaction_status not in ("settlement", "partial_refund"):
        raise SimulatorError("412", CANNOT_MODIFY)
    if transaction.payment_type not in REFUNDABLE_METHODS:
        raise SimulatorError("412", "Payment type does not support refund via API")
    remaining = transaction.gross_amount - transaction.refund_amount
    amount = remaining if amount is None else amount
    if amount <= 0 or amount > remaining:
        raise SimulatorError("414", "Refund amount is not allowed or exceeds the remaining")
    transaction.refund_amount += amount
    transaction.transaction_status = "refund" if amount == remaining else "partial_refund"
    refund_entry = {
        "refund_chargeback_id": len(transaction.refunds) + 1,
        "refund_amount": _amount(amount),
    }
    refund_entry |= {"refund_key": refund_key, "created_at": _now()}
    transaction.refunds.append(refund_entry)
    answer = _answer(transaction, server_key, "200", "Success, refund request is approved")
    answer |= {"refund_key": refund_key, "refund_amount": _amount(transaction.refund_amount)}
    if refund_key:
        transaction.refund_answers[refund_key] = answer
    return answer
