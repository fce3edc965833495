"""Notifications that bring no news: a validly signed notification whose claim about an
attempt is what we have already recorded from Midtrans's own answer.

Each order usually gets two notifications (pending, then settlement), and by the time they
arrive the return page or the other notification has mostly asked Midtrans already and
applied its answer. Asking Midtrans again and taking the order's row lock would change
nothing, so such a notification is stored with the outcome "duplicate" in one INSERT.

Why this is safe. Only order_id, status_code and gross_amount are signed (MIDTRANS.md §4);
transaction_status and the rest may have been altered in a replayed body. So:
- the claim must agree with its signed status_code: "201" is a state before payment
  (pending, or a card held for review), "200" a paid one; a body of another code (deny,
  expire, cancel: "202"), or a refund or anything else, always goes the full way;
- the signed gross_amount must be the order's total, the order_id one of our attempts;
- the state it is compared with was recorded from a status answer of Midtrans (the attempt's
  status and paying instructions), never from a notification body.
Skipping a body that claims what we know can only skip a forgery or a repeat: every genuine
notification that brings news (a settlement, a deny after payment, a refund, another bank
chosen) claims something we have not recorded, and goes the full way: status query, row
lock. A "201" body for an attempt recorded paid is news of nothing either: Midtrans's states
never go back from paid to pending, and what follows payment has codes of its own.
"""

from dataclasses import dataclass

from shop.checkout.models import OrderStatus, payment_id
from shop.payments.gateway import parse_rupiah
from shop.payments.instructions import PaymentInstructions, instructions_from
from shop.payments.models import AttemptStatus
from shop.plain_sql import rows
from shop.timeutil import from_stored

PAID_OR_LATER = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.COMPLETED,
    }
)
INSTRUCTION_COLUMNS = tuple(PaymentInstructions().as_columns())


@dataclass(frozen=True)
class KnownState:
    """What we have recorded of an order and of the attempt a notification names (None for
    the attempt: a bare order number, or an attempt id with no row)."""

    order_pk: int
    order_status: OrderStatus
    grand_total: int
    is_current_attempt: bool
    attempt_status: AttemptStatus | None
    instructions: dict  # the attempt's recorded instruction columns, by name


# The order of a number and the attempt of a Midtrans id, as columns: no ORM entity to build,
# nor a statement (written out once, shop/plain_sql.py). The attempt's instruction columns
# in INSTRUCTION_COLUMNS' order (a test holds them to it).
KNOWN_STATE = (
    "SELECT o.id, o.status, o.grand_total, o.number, o.payment_attempts, a.status,"
    " a.payment_type, a.bank, a.va_number, a.biller_code, a.bill_key, a.qr_string,"
    " a.payment_code, a.store, a.pay_before"
    " FROM orders o LEFT OUTER JOIN payment_attempts a"
    " ON a.order_id = o.id AND a.midtrans_order_id = :midtrans_order_id"
    " WHERE o.number = :number"
)


def known_state(number: str, midtrans_order_id: str) -> KnownState | None:
    """The order of this number, and the attempt of this Midtrans id, in one statement; None
    when no order has the number. A read that locks nothing."""
    found = rows(KNOWN_STATE, {"number": number, "midtrans_order_id": midtrans_order_id})
    if not found:
        return None
    order_pk, status, grand_total, order_number, attempts, attempt_status, *columns = found[0]
    current = attempts > 0 and payment_id(order_number, attempts) == midtrans_order_id
    instructions = dict(zip(INSTRUCTION_COLUMNS, columns, strict=True))
    instructions["pay_before"] = from_stored(instructions["pay_before"])
    return KnownState(
        order_pk, OrderStatus(status), grand_total, current,
        None if attempt_status is None else AttemptStatus(attempt_status), instructions,
    )  # fmt: skip


def no_news(fields: dict, known: KnownState) -> str | None:
    """Why a validly signed notification claims nothing we have not recorded (the detail to
    store with it), or None when it must go the full way."""
    if known.attempt_status is None:
        return None
    try:
        amount = parse_rupiah(fields.get("gross_amount"))
    except ValueError:  # not whole Rupiah: the full way stores the body and says why
        return None
    if amount != known.grand_total:
        return None
    state, fraud, code = (
        fields.get("transaction_status"), fields.get("fraud_status"), fields.get("status_code")
    )  # fmt: skip
    is_paid_claim = (state == "settlement" and fraud in (None, "accept")) or (
        state == "capture" and fraud == "accept"
    )
    is_held_claim = (state == "pending" and fraud in (None, "accept")) or (
        state == "capture" and fraud == "challenge"
    )
    recorded_paid = (
        known.attempt_status == AttemptStatus.PAID and known.order_status in PAID_OR_LATER
    )
    if is_paid_claim and code == "200" and recorded_paid:
        return f"{state}: recorded paid already"
    if not (is_held_claim and code == "201"):
        return None
    if recorded_paid:
        return f"{state}: recorded paid since"
    if (
        known.attempt_status == AttemptStatus.OPEN
        and known.order_status == OrderStatus.PENDING
        and known.is_current_attempt
        and _instructions_recorded(fields, known.instructions)
    ):
        return f"{state}: recorded pending already"
    return None


def _instructions_recorded(fields: dict, recorded: dict) -> bool:
    """The notification's paying instructions are those a status answer gave us: its method
    (which a pending attempt without one has not been told yet) and every field it sends."""
    claimed = instructions_from(fields).as_columns()
    if claimed["payment_type"] is None or recorded["payment_type"] is None:
        return False
    # pay_before: aware UTC on both sides (instructions.parse_wib, UTCDateTime).
    return all(value == recorded[name] for name, value in claimed.items() if value)
