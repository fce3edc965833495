"""Data that many tests of a module read, built once for the module instead of once per test.

A fixture decorated with @shared_data (the reports' November books, fulfilment's paid order,
the payouts' earned money) is built the first time a test of a module asks for it, in a
transaction left open on a connection of its own. Each test that asks for it then runs in a
savepoint of that transaction, rolled back after it, and gets the data reloaded into its own
session: the same rows as a fresh build would give it, in new objects. The build runs again
for the next module, or when a test needs another set of shared fixtures (or none: the
connection is given up first, so no test meets another's data or waits on its locks).

A shared fixture may take shared fixtures and fixtures that do not touch the database (the
simulator, a gateway); its value is made of model instances, dataclasses holding them, lists,
tuples, dicts and plain values.
"""

import copy
import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine, Transaction

from shop.extensions import db


def shared_data(build: Callable | None = None, *, not_with: tuple[str, ...] = ()):
    """A pytest fixture whose value `build` makes once per module (see the module's doc).
    A test that also uses a fixture named in `not_with` builds it for itself: one that
    tells a simulator about the shared rows (their order numbers, payout keys) would meet
    what an earlier test of the module did there."""
    if build is None:
        return functools.partial(shared_data, not_with=not_with)

    @functools.wraps(build)
    def fixture(*args, **kwargs):
        return STORE.value_for(build, lambda: build(*args, **kwargs))

    fixture.build = build
    fixture.not_with = not_with
    return pytest.fixture(fixture)


@dataclasses.dataclass(frozen=True)
class _Row:
    model: type
    identity: tuple


@dataclasses.dataclass(frozen=True)
class _Object:
    kind: type
    token: int
    attributes: dict


@dataclasses.dataclass
class _Built:
    key: tuple
    connection: Connection
    transaction: Transaction
    values: dict  # frozen, by build function
    mails: list  # what the build sent, in the outbox at the start of each test


class SharedStore:
    def __init__(self):
        self.built: _Built | None = None
        self.memo: dict[int, object] = {}  # frozen object -> this test's copy

    def connection_for(self, request, engine: Engine, outbox: list) -> Connection | None:
        """The connection of the shared data the test asks for, built if needed; None (and
        the connection given up) when the test asks for none."""
        order = _shared_fixtures(request)
        unshared_with = {"committed_database"}.union(
            *(fixturedef.func.not_with for _, fixturedef in order)
        )
        if not order or unshared_with.intersection(request.fixturenames):
            self.release()
            return None
        key = (Path(request.node.path), tuple(fixturedef.func.build for _, fixturedef in order))
        if self.built is None or self.built.key != key:
            self.release()
            self.built = _build(key, order, request, engine, outbox)
        self.memo = {}
        outbox.extend(self.built.mails)
        return self.built.connection

    def value_for(self, build: Callable, build_here: Callable[[], object]):
        if self.built is None or build not in self.built.values:
            return build_here()  # asked for by getfixturevalue: built in the test, as before
        return _thaw(self.built.values[build], self.memo)

    def release(self) -> None:
        if self.built is not None:
            self.built.transaction.rollback()
            self.built.connection.close()
            self.built = None


STORE = SharedStore()


def _shared_fixtures(request) -> list:
    """(name, fixturedef) of the shared fixtures the test uses, each after those it takes."""
    # pytest's resolved fixtures of the test: no public API tells which definition of a name
    # (a folder's `books` or another's) a test gets.
    definitions = request.node._fixtureinfo.name2fixturedefs
    order: list = []

    def visit(name: str) -> None:
        fixturedefs = definitions.get(name)
        if not fixturedefs or not hasattr(fixturedefs[-1].func, "build"):
            return
        if any(seen == name for seen, _fixturedef in order):
            return
        for argname in fixturedefs[-1].argnames:
            visit(argname)
        order.append((name, fixturedefs[-1]))

    for name in request.fixturenames:
        visit(name)
    return order


def _build(key: tuple, order: list, request, engine: Engine, outbox: list) -> _Built:
    connection = engine.connect()
    transaction = connection.begin()
    engines = db.engines
    engines[None] = connection
    mails_before = len(outbox)
    try:
        live: dict[str, object] = {}
        for name, fixturedef in order:
            arguments = {
                argname: live[argname] if argname in live else request.getfixturevalue(argname)
                for argname in fixturedef.argnames
            }
            live[name] = fixturedef.func.build(**arguments)
        frozen: dict = {}
        values = {fixturedef.func.build: _freeze(live[name], frozen) for name, fixturedef in order}
        mails = outbox[mails_before:]
        del outbox[mails_before:]
    except BaseException:
        transaction.rollback()
        connection.close()
        raise
    finally:
        db.session.remove()
        engines[None] = engine
    return _Built(key, connection, transaction, values, mails)


def _freeze(value, frozen: dict):
    state = inspect(value, raiseerr=False)
    if state is not None and hasattr(state, "identity"):
        return _Row(type(value), state.identity)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if id(value) not in frozen:  # one object reached twice stays one object
            attributes: dict = {}
            frozen[id(value)] = _Object(type(value), id(value), attributes)
            attributes.update({k: _freeze(v, frozen) for k, v in vars(value).items()})
        return frozen[id(value)]
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        return type(value)(_freeze(item, frozen) for item in value)
    if type(value) is dict:
        return {k: _freeze(v, frozen) for k, v in value.items()}
    return copy.deepcopy(value)


def _thaw(value, memo: dict):
    if isinstance(value, _Row):
        return db.session.get(value.model, value.identity)
    if isinstance(value, _Object):
        if value.token not in memo:
            instance = value.kind.__new__(value.kind)
            memo[value.token] = instance
            instance.__dict__.update({k: _thaw(v, memo) for k, v in value.attributes.items()})
        return memo[value.token]
    if type(value) in (list, tuple):
        return type(value)(_thaw(item, memo) for item in value)
    if type(value) is dict:
        return {k: _thaw(v, memo) for k, v in value.items()}
    return copy.deepcopy(value)
