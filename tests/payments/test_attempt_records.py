"""What Midtrans says about an attempt, kept on its row: the paying instructions always, the
status only along ALLOWED_ATTEMPT_MOVES, both by one UPDATE."""

from datetime import UTC, datetime

import pytest

from shop.extensions import db
from shop.payments.attempt_records import record_gateway_answer
from shop.payments.instructions import PaymentInstructions
from shop.payments.models import AttemptStatus, PaymentAttempt, sources_of

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


def test_every_move_comes_from_at_most_two_statuses():
    """RECORD_ANSWER names a move's sources by two parameters."""
    assert all(len(sources_of(target)) <= 2 for target in AttemptStatus)


def test_an_answer_keeps_its_deadline_as_aware_utc_and_a_later_one_without_keeps_it(order):
    attempt = PaymentAttempt(order_id=order.id, number=1, midtrans_order_id=f"{order.number}-1",
                             status=AttemptStatus.STARTING)  # fmt: skip
    db.session.add(attempt)
    db.session.commit()
    pay_before = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    with_deadline = PaymentInstructions(
        payment_type="qris", qr_string="000201", pay_before=pay_before
    )

    record_gateway_answer(attempt.midtrans_order_id, "pending", False, with_deadline)
    record_gateway_answer(attempt.midtrans_order_id, "settlement", True, NONE)
    db.session.commit()

    db.session.refresh(attempt)
    assert (attempt.status, attempt.pay_before, attempt.qr_string) == (
        AttemptStatus.PAID, pay_before, "000201"
    )  # fmt: skip
