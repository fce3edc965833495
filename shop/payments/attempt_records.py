"""Reading and moving an order's payment attempt rows. Helpers: they flush at most; the
services that call them (attempts.py, services.py) commit.

Every move goes through ALLOWED_ATTEMPT_MOVES as one conditional UPDATE (or CASE), so a late
or repeated answer from Midtrans cannot move a closed attempt again.
"""

from sqlalchemy import ColumnElement, bindparam, case, literal, select, update

from shop.extensions import db
from shop.payments.instructions import PaymentInstructions
from shop.payments.models import (
    OPEN_ATTEMPT_STATUSES,
    AttemptStatus,
    PaymentAttempt,
    sources_of,
)

# Midtrans's transaction_status -> the attempt's status (capture held for review stays open).
GATEWAY_STATES = {
    "pending": AttemptStatus.OPEN,
    "capture": AttemptStatus.OPEN,
    "deny": AttemptStatus.DENIED,
    "failure": AttemptStatus.DENIED,
    "cancel": AttemptStatus.CANCELLED,
    "expire": AttemptStatus.EXPIRED,
}


def open_attempt(order_pk: int) -> PaymentAttempt | None:
    """The order's attempt that is starting or open, if any (at most one: a unique index)."""
    return db.session.scalar(
        select(PaymentAttempt)
        .where(
            PaymentAttempt.order_id == order_pk, PaymentAttempt.status.in_(OPEN_ATTEMPT_STATUSES)
        )
        .execution_options(populate_existing=True)
    )


def latest_attempt(order_pk: int) -> PaymentAttempt | None:
    return db.session.scalar(
        select(PaymentAttempt)
        .where(PaymentAttempt.order_id == order_pk)
        .order_by(PaymentAttempt.number.desc())
        .limit(1)
    )


def move_attempt(attempt_id: int, target: AttemptStatus, **values) -> bool:
    """Move the attempt to `target` if the table allows it from where it is now."""
    return _move(PaymentAttempt.id == attempt_id, target, **values)


def open_at_gateway(attempt_id: int, redirect_url: str) -> bool:
    """move_attempt(attempt_id, OPEN, redirect_url=...): the move every payment start
    makes, by a statement built once (its compiled form and cache key reused), on the
    attempts' table itself (no ORM bulk-update machinery for one row's UPDATE)."""
    parameters = {"attempt_id": attempt_id, "page": redirect_url}
    return db.session.connection().execute(_OPEN_AT_GATEWAY, parameters).rowcount == 1


def _move(which: ColumnElement[bool], target: AttemptStatus, **values) -> bool:
    moved = db.session.execute(
        update(PaymentAttempt)
        .where(which, PaymentAttempt.status.in_(sources_of(target)))
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


_attempts = PaymentAttempt.__table__
_OPEN_AT_GATEWAY = (
    update(_attempts)
    .where(
        _attempts.c.id == bindparam("attempt_id"),
        _attempts.c.status.in_(sources_of(AttemptStatus.OPEN)),
    )
    .values(status=AttemptStatus.OPEN, redirect_url=bindparam("page"))
)


def record_gateway_answer(
    midtrans_order_id: str, state: str, is_paid: bool, instructions: PaymentInstructions
) -> None:
    """Keep what Midtrans said about one attempt: its state, and how to pay it. A field the
    answer leaves out keeps what an earlier answer said (a settlement has no expiry_time).
    One UPDATE names the attempt by its Midtrans id (unique): one that has no row (started
    before attempts had rows, or not ours) changes nothing. The status moves only where
    ALLOWED_ATTEMPT_MOVES allows it, like _move(), but by a CASE, so that the fields given
    are kept in the same statement whether it moves or not."""
    which = PaymentAttempt.midtrans_order_id == midtrans_order_id
    given = {name: value for name, value in instructions.as_columns().items() if value}
    target = AttemptStatus.PAID if is_paid else GATEWAY_STATES.get(state)
    if target is None:
        if given:
            _update(which, **given)
        return
    if not given:
        _move(which, target)
        return
    status = PaymentAttempt.status
    moved = case((status.in_(sources_of(target)), literal(target, status.type)), else_=status)
    _update(which, status=moved, **given)


def _update(which: ColumnElement[bool], **values) -> None:
    db.session.execute(
        update(PaymentAttempt)
        .where(which)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
