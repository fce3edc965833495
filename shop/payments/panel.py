"""What the shopper's order page says about paying: the open attempt's instructions (bank and
virtual account, Mandiri bill, QRIS code drawn here, store payment code), the time left, the
steps for that bank, and whether to offer paying another way after an attempt failed.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from shop.checkout.models import Order
from shop.payments.attempt_records import latest_attempt
from shop.payments.how_to_pay import steps_for
from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.qr import qr_svg

BANK_NAMES = {
    "bca": "BCA",
    "bni": "BNI",
    "bri": "BRI",
    "mandiri": "Mandiri",
    "permata": "Permata",
    "cimb": "CIMB Niaga",
}
STORE_NAMES = {"indomaret": "Indomaret", "alfamart": "Alfamart"}
FAILED_REASONS = {
    AttemptStatus.FAILED: _l("The payment could not be started."),
    AttemptStatus.DENIED: _l("The payment was refused."),
    AttemptStatus.CANCELLED: _l("The payment was cancelled."),
    AttemptStatus.EXPIRED: _l("The time for that payment method ran out."),
}


@dataclass(frozen=True)
class PaymentPanel:
    attempt: PaymentAttempt | None
    is_payable: bool  # pending, and its time to pay has not passed
    failed_reason: str  # "" unless the latest attempt failed: then offer another method
    bank_name: str
    store_name: str
    qr_svg: Markup | None
    steps: tuple
    pay_before: datetime | None
    time_left: str

    @property
    def offers_another_method(self) -> bool:
        return self.is_payable and bool(self.failed_reason)

    @property
    def has_instructions(self) -> bool:
        attempt = self.attempt
        return bool(
            attempt
            and attempt.status == AttemptStatus.OPEN
            and (attempt.va_number or attempt.bill_key or self.qr_svg or attempt.payment_code)
        )


def payment_panel(order: Order, now: datetime) -> PaymentPanel:
    is_payable = order.is_awaiting_payment and order.expires_at > now
    attempt = latest_attempt(order.id) if order.payment_attempts else None
    is_open = attempt is not None and attempt.status == AttemptStatus.OPEN
    pay_before = (attempt.pay_before if is_open else None) or order.expires_at
    pay_before = min(pay_before, order.expires_at)  # stock is held until the order's deadline
    return PaymentPanel(
        attempt=attempt,
        is_payable=is_payable,
        failed_reason=str(FAILED_REASONS.get(attempt.status, "")) if attempt else "",
        bank_name=BANK_NAMES.get(attempt.bank or "", "") if is_open else "",
        store_name=STORE_NAMES.get(attempt.store or "", "") if is_open else "",
        qr_svg=_qris_svg(attempt.qr_string) if is_open and attempt.qr_string else None,
        steps=_steps(attempt) if is_open else (),
        pay_before=pay_before,
        time_left=time_left_text(pay_before, now),
    )


def time_left_text(until: datetime, now: datetime) -> str:
    """ "Expires in 23 hours 12 minutes", the same words static/js/countdown.js updates."""
    seconds = int((until - now).total_seconds())
    if seconds <= 0:
        return _("The time to pay has run out.")
    minutes = (seconds + 59) // 60
    return countdown_template(hours=str(minutes // 60), minutes=str(minutes % 60))


def countdown_template(hours: str = "{hours}", minutes: str = "{minutes}") -> str:
    return _("Expires in %(hours)s hours %(minutes)s minutes", hours=hours, minutes=minutes)


def _qris_svg(payload: str) -> Markup:
    # Its size is its own (the panel has no CSS for it); the panel's div names it.
    return qr_svg(payload, scale=5, border=2)


def _steps(attempt: PaymentAttempt) -> tuple:
    if attempt.qr_string or attempt.payment_type == "qris":
        return steps_for("qris")
    if attempt.payment_code:
        return steps_for(attempt.store)
    return steps_for(attempt.bank)
