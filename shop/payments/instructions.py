"""What Midtrans says a shopper must do to pay a pending transaction: the bank and virtual
account number, Mandiri's biller code and bill key, the QRIS string, a store's payment code,
and until when (MIDTRANS.md §4).

Only these fields are taken from an answer, each checked against what Midtrans sends (digits
for account numbers, a known bank or store, printable text for a QRIS payload); anything else
is dropped, so a stored attempt never holds arbitrary input.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")  # Midtrans's times are WIB, written without an offset
BANKS = frozenset({"bca", "bni", "bri", "mandiri", "permata", "cimb"})
STORES = frozenset({"indomaret", "alfamart"})
DIGITS = re.compile(r"^[0-9]{4,40}$")
CODE = re.compile(r"^[0-9A-Za-z]{4,40}$")
# A QRIS payload is EMVCo text: printable ASCII, at most 512 characters.
QR_TEXT = re.compile(r"^[\x20-\x7e]{10,1000}$")
PAYMENT_TYPE = re.compile(r"^[a-z_]{2,40}$")


@dataclass(frozen=True)
class PaymentInstructions:
    payment_type: str | None = None
    bank: str | None = None
    va_number: str | None = None
    biller_code: str | None = None
    bill_key: str | None = None
    qr_string: str | None = None
    payment_code: str | None = None
    store: str | None = None
    pay_before: datetime | None = None  # aware UTC

    def as_columns(self) -> dict:
        """The fields as PaymentAttempt's columns of the same names."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def instructions_from(answer: Mapping) -> PaymentInstructions:
    """The checked paying instructions in a Midtrans status answer or notification."""
    bank, va_number = _virtual_account(answer)
    store = _text(answer.get("store"), None)
    return PaymentInstructions(
        payment_type=_text(answer.get("payment_type"), PAYMENT_TYPE),
        bank=bank,
        va_number=va_number,
        biller_code=_text(answer.get("biller_code"), DIGITS),
        bill_key=_text(answer.get("bill_key"), DIGITS),
        qr_string=_qr_string(answer),
        payment_code=_text(answer.get("payment_code"), CODE),
        store=store.lower() if store and store.lower() in STORES else None,
        pay_before=parse_wib(answer.get("expiry_time")),
    )


def parse_wib(text: object) -> datetime | None:
    """ "2026-12-04 10:00:00" (WIB, as Midtrans writes it) -> aware UTC; None if not that."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=JAKARTA).astimezone(UTC)


def _virtual_account(answer: Mapping) -> tuple[str | None, str | None]:
    permata = _text(answer.get("permata_va_number"), DIGITS)
    if permata:
        return "permata", permata
    if answer.get("payment_type") == "echannel":
        return "mandiri", None  # paid with biller_code + bill_key, not a VA number
    accounts = answer.get("va_numbers")
    if isinstance(accounts, list) and accounts and isinstance(accounts[0], Mapping):
        bank = _text(accounts[0].get("bank"), None)
        number = _text(accounts[0].get("va_number"), DIGITS)
        if bank and bank.lower() in BANKS and number:
            return bank.lower(), number
    return None, None


def _qr_string(answer: Mapping) -> str | None:
    """The QRIS payload. Only the string: the actions' generate-qr-code URL is Midtrans's
    image, which our pages never load (they draw the code themselves)."""
    return _text(answer.get("qr_string"), QR_TEXT)


def _text(value: object, pattern: re.Pattern | None) -> str | None:
    if not isinstance(value, str) or not value or len(value) > 1000:
        return None
    if pattern is not None and not pattern.match(value):
        return None
    return value
