"""The simulator's transactions in the database, so that every gunicorn worker and every host
answers for every transaction, and a restart forgets none.

The table is the simulator's own (SIMULATOR_METADATA, not the app's models): it is created
when an app starts with the simulator on, never exists where the simulator is off, and the
app's migrations leave it alone (migrations/env.py).

A transaction is kept whole as JSON (the SimTransaction dataclass, whatever fields it has),
beside the columns it is looked up by. A change is read, applied in Python by one of
state.py's transitions and written back by one UPDATE ... WHERE version = <the version
read>: when another process changed the row meanwhile, that UPDATE matches nothing and the
transition runs again on the fresh row. On PostgreSQL the read also locks the row (FOR
UPDATE), so a second writer waits instead of retrying; SQLite serialises writers itself.
"""

import dataclasses
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from shop.extensions import NAMING_CONVENTION, db
from shop.payments.simulator.state import (
    NOT_FOUND_MESSAGE,
    SimTransaction,
    SimulatorError,
    choose,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

SIMULATOR_METADATA = MetaData(naming_convention=NAMING_CONVENTION)
sim_transactions = Table(
    "sim_transactions",
    SIMULATOR_METADATA,
    Column("id", Integer, primary_key=True),
    Column("order_id", String(50), nullable=False, unique=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("transaction_id", String(64), nullable=False, unique=True),
    Column("version", Integer, nullable=False),  # +1 on every change (see the module doc)
    Column("data", JSON, nullable=False),
)
# The Iris simulator's payouts (shop/payments/simulator/iris.py), kept whole as JSON the same
# way, found by reference_no or by the creator's X-Idempotency-Key.
sim_iris_payouts = Table(
    "sim_iris_payouts",
    SIMULATOR_METADATA,
    Column("id", Integer, primary_key=True),
    Column("reference_no", String(64), nullable=False, unique=True),
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("data", JSON, nullable=False),
)
# Conflicts need another process writing the same transaction at the same instant; a few
# retries are plenty, and running out means something is badly wrong.
MAX_ATTEMPTS = 10


class AlreadyPaid(Exception):
    """A Snap token asked for an order_id whose transaction was paid."""


class _Missing(Exception):
    pass


def is_simulator_table(name: str) -> bool:
    return name in SIMULATOR_METADATA.tables


def create_tables(engine: Engine, tables: tuple[Table, ...] | None = None) -> None:
    """The simulator's tables (the Snap simulator's unless `tables` names others), when
    missing. Workers starting together may race to create them; the loser finds them made."""
    tables = tables or (sim_transactions,)
    try:
        SIMULATOR_METADATA.create_all(engine, tables=list(tables), checkfirst=True)
    except DBAPIError:
        if not all(inspect(engine).has_table(table.name) for table in tables):
            raise
        logger.info("the simulator's tables were created by another process meanwhile")


def _dump(transaction: SimTransaction) -> dict:
    return dataclasses.asdict(transaction)


def _load(data: dict) -> SimTransaction:
    # Only the fields the dataclass has: a field added later takes its default.
    names = {field.name for field in dataclasses.fields(SimTransaction)}
    return SimTransaction(**{name: value for name, value in data.items() if name in names})


def _apply(where: ColumnElement[bool], change: Callable[[SimTransaction], T]) -> T:
    """change(transaction) on the row `where` picks, saved when it changed anything.
    Raises _Missing when no row matches, and whatever change raises (nothing saved)."""
    for _attempt in range(MAX_ATTEMPTS):
        row = db.session.execute(
            select(sim_transactions.c.id, sim_transactions.c.version, sim_transactions.c.data)
            .where(where)
            .limit(1)
            .with_for_update()
        ).first()
        if row is None:
            db.session.rollback()
            raise _Missing
        transaction = _load(row.data)
        try:
            result = change(transaction)
        except Exception:
            db.session.rollback()
            raise
        data = _dump(transaction)
        if data == row.data:
            db.session.commit()  # a read: ends the transaction (and the row lock)
            return result
        saved = db.session.execute(
            update(sim_transactions)
            .where(sim_transactions.c.id == row.id, sim_transactions.c.version == row.version)
            .values(version=row.version + 1, data=data)
        )
        if saved.rowcount == 1:
            db.session.commit()
            return result
        db.session.rollback()  # changed by another process since the read: once more
    raise RuntimeError(f"simulator transaction kept changing under us ({where})")


def create(
    order_id: str, gross_amount: int, finish_url: str | None, expiry_minutes: int
) -> SimTransaction:
    """A new Snap token for order_id. Raises AlreadyPaid when that order_id was paid.

    An unpaid order_id gets a fresh transaction in place of the old one (whose payment page
    then answers 404): what Midtrans does is undocumented, and our rule is one order_id per
    attempt anyway."""
    for _attempt in range(MAX_ATTEMPTS):
        existing = db.session.execute(
            select(sim_transactions.c.id, sim_transactions.c.version, sim_transactions.c.data)
            .where(sim_transactions.c.order_id == order_id)
            .with_for_update()
        ).first()
        if existing is not None and _load(existing.data).is_paid:
            db.session.rollback()
            raise AlreadyPaid(order_id)
        transaction = SimTransaction(
            order_id=order_id,
            token=str(uuid.uuid4()),
            gross_amount=gross_amount,
            finish_url=finish_url,
            expiry_minutes=expiry_minutes,
        )
        if _save_new(transaction, existing):
            return transaction
    raise RuntimeError(f"simulator transaction {order_id} kept changing under us")


def _save_new(transaction: SimTransaction, existing) -> bool:
    """Insert the transaction, or put it in place of `existing`; False when another process
    got there first (the caller tries again)."""
    values = {
        "token": transaction.token,
        "transaction_id": transaction.transaction_id,
        "data": _dump(transaction),
    }
    try:
        if existing is None:
            db.session.execute(
                insert(sim_transactions).values(order_id=transaction.order_id, version=1, **values)
            )
        else:
            replaced = db.session.execute(
                update(sim_transactions)
                .where(
                    sim_transactions.c.id == existing.id,
                    sim_transactions.c.version == existing.version,
                )
                .values(version=existing.version + 1, **values)
            )
            if replaced.rowcount != 1:
                db.session.rollback()
                return False
        db.session.commit()
        return True
    except IntegrityError:  # the same order_id inserted by another process meanwhile
        db.session.rollback()
        return False


def by_token(token: str, change: Callable[[SimTransaction], T]) -> T | None:
    """change(transaction) for the transaction of this Snap token, saved; None when no
    transaction has that token."""
    try:
        return _apply(sim_transactions.c.token == token, change)
    except _Missing:
        return None


def get_by_token(token: str) -> SimTransaction | None:
    return by_token(token, lambda transaction: transaction)


def by_id(transaction_or_order_id: str, change: Callable[[SimTransaction], T]) -> T:
    """change(transaction) for the transaction with this order_id or transaction_id, saved.
    Raises SimulatorError 404 for an unknown id or a transaction whose method was never
    chosen (Midtrans doesn't know it yet either)."""

    def known_only(transaction: SimTransaction) -> T:
        if transaction.transaction_status is None:
            raise SimulatorError("404", NOT_FOUND_MESSAGE)
        return change(transaction)

    where = or_(
        sim_transactions.c.order_id == transaction_or_order_id,
        sim_transactions.c.transaction_id == transaction_or_order_id,
    )
    try:
        return _apply(where, known_only)
    except _Missing:
        raise SimulatorError("404", NOT_FOUND_MESSAGE) from None


def record_paid(order_id: str, gross_amount: int, payment_type: str) -> SimTransaction:
    """A transaction paid by payment_type, as if its shopper had paid at the payment page.
    For orders paid where no page could be shown (the demo's, seeded before any server
    runs), so that a refund asked later finds the transaction, as it would at Midtrans."""
    transaction = create(order_id, gross_amount, None, 0)
    # No notifications: whoever records the payment applies it themselves.
    by_token(transaction.token, lambda t: choose(t, payment_type, "pay", server_key=""))
    return get_by_token(transaction.token)
