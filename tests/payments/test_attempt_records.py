"""What Midtrans says about an attempt, kept on its row: the paying instructions always, the
status only along ALLOWED_ATTEMPT_MOVES, both by one UPDATE."""

import pytest

from shop.extensions import db
from shop.payments.attempt_records import record_gateway_answer
from shop.payments.instructions import PaymentInstructions
from shop.payments.models import AttemptStatus, PaymentAttempt

VA = PaymentInstructions(payment_type="bank_transfer", bank="bca", va_number="12345678901")
NONE = PaymentInstructions()


@pytest.mark.parametrize(
    ("status", "state", "is_paid", "instructions", "moved_to", "va_number"),
    [
        (AttemptStatus.OPEN, "settlement", True, VA, AttemptStatus.PAID, VA.va_number),
        (AttemptStatus.OPEN, "pending", False, VA, AttemptStatus.OPEN, VA.va_number),
        (AttemptStatus.OPEN, "expire", False, NONE, AttemptStatus.EXPIRED, "1"),
        (AttemptStatus.EXPIRED, "pending", False, VA, AttemptStatus.EXPIRED, VA.va_number),
        (AttemptStatus.PAID, "expire", False, VA, AttemptStatus.PAID, VA.va_number),
        (AttemptStatus.PAID, "refund", False, NONE, AttemptStatus.PAID, "1"),
    ],
    ids=["paid", "pending", "expired", "no-way-back", "late-expire", "unmapped"],
)
def test_an_answer_keeps_the_instructions_and_moves_only_forward(
    order, count_queries, status, state, is_paid, instructions, moved_to, va_number
):
    attempt = PaymentAttempt(order_id=order.id, number=1, midtrans_order_id=f"{order.number}-1",
                             status=status, va_number="1")  # fmt: skip
    db.session.add(attempt)
    db.session.commit()
    midtrans_order_id = attempt.midtrans_order_id

    with count_queries() as statements:
        record_gateway_answer(midtrans_order_id, state, is_paid, instructions)
    db.session.commit()

    db.session.refresh(attempt)
    assert (attempt.status, attempt.va_number) == (moved_to, va_number)
    assert len(statements) == (0 if (instructions, state) == (NONE, "refund") else 1)
