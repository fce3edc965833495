"""Shared fixtures: one migrated database per run, each test inside a rolled-back transaction.

SQLite by default (a file in a temporary folder); TEST_DATABASE_URL=postgresql://... runs the
same suite on PostgreSQL. The pattern is the one in shared/STYLE.md's appendix.
"""

import contextvars
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

# The queue is built when its module is imported: in memory, running each task at once (the
# consumer's own tests start real ones), rather than a file under instance/.
os.environ.setdefault("TASK_QUEUE", "immediate")

from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, event, text

from config import TestConfig, database_url
from shop import create_app
from shop.extensions import db
from shop.ledger.checks import check_ledger
from tests.factories import DEFAULT_PASSWORD
from tests.shared import STORE

# The live server and the browser, one of each per session, for any folder that needs them;
# the same for Redis.
pytest_plugins = [
    "tests.browser.fixtures",
    "tests.media.fixtures",
    "tests.redis_fixtures",
]

IS_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith(("postgres://", "postgresql"))

# Hypothesis: "suite" (what `make test` runs) gives each property Hypothesis's own 100
# examples; HYPOTHESIS_PROFILE=thorough gives ten times as many, for a run before a release
# that touches money. Expensive properties take a share of max_examples (the ledger's state
# machine: tests/ledger/test_properties.py), so the profile scales them too. Neither has a
# deadline: property tests judge results, not speed, and Hypothesis's default 200 ms per
# example fails them at random on a busy machine (CI shares its two cores with PostgreSQL).
hypothesis_settings.register_profile("suite", max_examples=100, deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


def pytest_configure(config):
    compile_translations()


def compile_translations() -> None:
    """Compile the catalogs when stale, so plain `pytest` works without `make translations`
    (the app loads them on its first request, so this must happen before any test runs)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parents[1].glob("shop/translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


def pytest_collection_modifyitems(config, items):
    if IS_POSTGRES:
        return
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "pg" in item.keywords:
            item.add_marker(skip_pg)


def reset_database(url: str) -> None:
    """Empty the test database, whatever an earlier run left in it."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _make_sqlite_savepoints_work(engine) -> None:
    # pysqlite's own BEGIN handling breaks SAVEPOINT; the documented recipe takes it over.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")

    engine.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    if IS_POSTGRES:
        url = database_url(os.environ["TEST_DATABASE_URL"])
        reset_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class RequestIsolatingClient(FlaskClient):
    """Each request in its own application context (its own g and database session), as in
    production. Without this, requests reuse the test's app context and share g, so a user
    loaded by one request would leak into the next."""

    def open(self, *args, **kwargs):
        open_request = super().open
        response = contextvars.Context().run(open_request, *args, **kwargs)
        if has_app_context():  # not when werkzeug calls open() again to follow a redirect
            db.session.expire_all()  # the test's own objects reload what the request changed
        return response


@pytest.fixture(scope="session")
def app(database_uri, app_media_settings):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_uri, **app_media_settings)
    app.test_client_class = RequestIsolatingClient
    with app.app_context():
        upgrade()
        if db.engine.dialect.name == "sqlite":
            _make_sqlite_savepoints_work(db.engine)
        db.session.configure(join_transaction_mode="create_savepoint")
    return app


@pytest.fixture(scope="session")
def shared_store():
    """The data of @shared_data fixtures (tests/shared.py), given up when the run ends."""
    yield STORE
    STORE.release()


@pytest.fixture(autouse=True)
def db_session(app, request, shared_store):
    """Everything a test writes, commits included, is rolled back after it; before that,
    the books are checked (`flask ledger check`), so every money scenario proves them.
    A test using @shared_data fixtures runs in a savepoint of the transaction that holds
    them (tests/shared.py)."""
    with app.app_context():
        engines = db.engines
        original = engines[None]
        outbox = app.extensions.setdefault("mail_outbox", [])
        shared_connection = shared_store.connection_for(request, original, outbox)
        connection = shared_connection or original.connect()
        transaction = connection.begin_nested() if shared_connection else connection.begin()
        engines[None] = connection
        try:
            yield db.session
            if not request.node.get_closest_marker("broken_ledger"):
                db.session.rollback()  # what the test left unfinished; its commits stay
                assert check_ledger() == [], "the ledger check fails after this test"
        finally:
            db.session.remove()
            transaction.rollback()
            if not shared_connection:
                connection.close()
            engines[None] = original
            app.extensions.get("mail_outbox", []).clear()


def is_fixture_bookkeeping(statement: str) -> bool:
    """The savepoints the test's rolled-back connection wraps each request in: no statement
    of the app's."""
    return statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))


@pytest.fixture
def count_queries():
    """`with count_queries() as statements:` collects the SQL the app runs inside the block
    (savepoint bookkeeping of the test fixture left out), for N+1 checks."""

    @contextmanager
    def counting():
        statements: list[str] = []
        connection = db.engines[None]  # the test's connection, shared by every request

        def record(conn, cursor, statement, parameters, context, executemany):
            if not is_fixture_bookkeeping(statement):
                statements.append(statement)

        event.listen(connection, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(connection, "before_cursor_execute", record)

    return counting


@contextmanager
def engine_of_its_own(app, **pool_options):
    """The app's database through a new engine (create_engine's pool options), in place of
    the test's rolled-back connection that db_session put in db.engines[None]: for a test
    that needs real connections (commits, threads, a connection it may lose). The session
    is closed on either side of the swap, the test's connection put back and the engine
    disposed after; what the test committed stays, for its caller to clear."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **pool_options)
    test_connection = db.engines[None]
    db.session.remove()
    db.engines[None] = engine
    try:
        yield engine
    finally:
        db.session.remove()
        db.engines[None] = test_connection
        engine.dispose()


@pytest.fixture
def committed_database(app):
    """PostgreSQL concurrency tests: the app's real database for one test, every commit a real
    commit on its own connection (the per-test rollback cannot hold threads). Emptied after,
    all but the reference data that ships with the schema."""
    with engine_of_its_own(app, pool_size=40) as engine:
        try:
            yield engine
        finally:
            db.session.remove()
            tables = ", ".join(t.name for t in db.metadata.sorted_tables if t.name != "categories")
            with engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} CASCADE"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def media_dir(app, tmp_path, monkeypatch) -> Path:
    """Local media in a folder of this test, for tests about files in a folder (whatever
    MEDIA_STORAGE_UNDER_TEST says); the `media` fixture is the storage under test."""
    media = tmp_path / "media"
    media.mkdir()
    monkeypatch.setitem(app.config, "MEDIA_STORAGE", "local")
    monkeypatch.setitem(app.config, "MEDIA_DIR", str(media))
    return media


@pytest.fixture
def in_english(app):
    """Messages made outside a request (services, tasks) in English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def english(client):
    """The test client reads the site in English, so the tests do not depend on the
    Indonesian catalog (the site's default language)."""
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    return app.extensions.setdefault("mail_outbox", [])


@pytest.fixture
def login(client):
    """login(user) signs the test client in through the real sign-in form."""

    def sign_in(user, password: str = DEFAULT_PASSWORD):
        response = client.post(
            "/akun/masuk", data={"email": user.email, "password": password}, follow_redirects=False
        )
        assert response.status_code == 302, "sign-in failed"
        return response

    return sign_in


@pytest.fixture
def csrf_on(app):
    """The one place the suite runs with CSRF protection on, as production does."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_TOKEN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)
