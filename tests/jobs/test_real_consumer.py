"""The queue as production wires it: a real consumer process (`flask jobs work`, or
`huey_consumer shop.jobs.worker.huey`) on a SqliteHuey file or on Redis, reading and writing
a migrated SQLite file.

The rest of the suite runs each task at once inside the test (TASK_QUEUE=immediate), which
proves what a task does but not that it reaches a consumer: that the message names a task
the consumer has registered, that the enqueue waits for the commit, that the task runs in the
consumer's own app, database and mail settings, and that tasks a task enqueues go back
through the queue. Each test takes 2-3 s: most of it is the consumer starting.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from config import TestConfig
from shop import create_app
from shop.catalog.models import ProductVariant
from shop.checkout.models import Order, OrderStatus
from shop.checkout.services import place_order
from shop.extensions import db
from shop.jobs.queue import QUEUE_NAME
from shop.notifications.models import EmailStatus, Notification
from shop.outbox.models import MailStatus, OutgoingMail
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv running the tests: flask, huey_consumer
REDIS_URL = "redis://127.0.0.1:6379/15"  # database 15: nobody's development data
WAIT_SECONDS = 20.0

# Settings from the environment that would send the subprocesses elsewhere than this test's
# files (a real Midtrans key switches the simulator off; production refuses SQLite).
DROPPED_SETTINGS = ("APP_CONFIG", "MIDTRANS_SERVER_KEY", "MIDTRANS_IS_PRODUCTION", "SITE_URL")

QUEUE_A_MAIL = """
import sys
from shop import create_app
from shop.extensions import db
from shop.outbox.services import queue_mail

app = create_app()
with app.app_context():
    queue_mail(sys.argv[1], "Pesanan Anda", "Terima kasih.")
    db.session.commit()
"""

# What the consumer's scheduler does every ten minutes: calling a periodic task enqueues it.
ENQUEUE_EXPIRY = "from shop.jobs.periodic import expire_unpaid_orders; expire_unpaid_orders()"


def settings_for(folder: Path, queue: str = "sqlite", redis_url: str = "") -> dict[str, str]:
    """The environment of every process of one test: the app's embedded default settings on
    files in `folder`, mail written to the log."""
    env = {name: value for name, value in os.environ.items() if name not in DROPPED_SETTINGS}
    env.update(
        FLASK_APP="wsgi.py",
        DATABASE_URL=f"sqlite:///{folder / 'app.db'}",
        INSTANCE_DIR=str(folder),
        MEDIA_DIR=str(folder / "media"),
        TASK_QUEUE=queue,
        TASK_QUEUE_PATH=str(folder / "tasks.db"),
        REDIS_URL=redis_url,
        MAIL_BACKEND="log",
        PYTHONUNBUFFERED="1",
    )
    return env


def run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """One database migrated by `flask db upgrade`, as deployed; each test copies it."""
    folder = tmp_path_factory.mktemp("migrated")
    run([str(BIN / "flask"), "db", "upgrade"], settings_for(folder))
    return folder / "app.db"


@pytest.fixture
def folder(migrated_database, tmp_path) -> Path:
    shutil.copy(migrated_database, tmp_path / "app.db")
    return tmp_path


@contextmanager
def app_on(folder: Path) -> Iterator[Flask]:
    """An app of the test's own on the consumer's database file, its context pushed.

    The autouse db_session fixture holds the session app's database inside a transaction that
    is rolled back, which no other process can see; like conftest's committed_database, this
    escapes it, here with a second app (a session is per app context). Its queue stays
    immediate: create_app() sets the one process-wide Huey from TASK_QUEUE, and every other
    test needs it immediate. So whatever this app enqueues (the order-placed mail) runs here.
    """
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'app.db'}",
        MEDIA_DIR=str(folder / "media"),
        TASK_QUEUE="immediate",
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def read(query):
    """One value, read afresh: what the consumer committed since the last read."""
    db.session.remove()
    return db.session.scalar(query)


@contextmanager
def consumer(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A consumer process for the block, its output (log and errors) in `log`; stopped by
    SIGINT, Huey's graceful stop, at the end."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(condition: Callable[[], bool], process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the consumer exited ({process.returncode}):\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"not done within {WAIT_SECONDS} s; the consumer said:\n{log.read_text()}")
        time.sleep(0.2)


def flask_consumer() -> list[str]:
    return [str(BIN / "flask"), "jobs", "work", "--workers", "1"]


def huey_consumer() -> list[str]:
    return [str(BIN / "huey_consumer"), "shop.jobs.worker.huey", "--workers", "1"]


def test_consumer_expires_an_overdue_order_and_puts_its_stock_back(folder):
    env = settings_for(folder)
    with app_on(folder):
        coop = make_coop()
        variant = make_product(make_membership(coop=coop), variants=((15000, 10),)).variants[0]
        order = place_order([(variant.id, 3)], checkout_request(coop), None).order
        # No payment was ever started (payment_attempts 0), so expiry has nothing to ask
        # Midtrans and releases the stock at once. With an attempt, the consumer would ask the
        # built-in simulator over HTTP, and the simulator needs the web app, which no server
        # runs here; asking the gateway is tested in tests/payments.
        assert order.payment_attempts == 0
        order.expires_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        order_id, variant_id = order.id, variant.id
        assert read(select(ProductVariant.stock).where(ProductVariant.id == variant_id)) == 7

        log = folder / "consumer.log"
        with consumer(flask_consumer(), env, log) as process:
            run([sys.executable, "-c", ENQUEUE_EXPIRY], env)  # while the consumer starts
            wait_until(
                lambda: read(select(Order.status).where(Order.id == order_id)) == "expired",
                process,
                log,
            )
            # Expiring tells the shopper: two more tasks, enqueued by the consumer's own task
            # (the notification's mail, then its sending), back through the queue.
            closed_mail = (
                select(OutgoingMail.status)
                .join(Notification, Notification.mail_id == OutgoingMail.id)
                .where(Notification.kind == "order_closed")
            )
            wait_until(lambda: read(closed_mail) == MailStatus.SENT, process, log)

        order = db.session.get(Order, order_id)
        assert order.status == OrderStatus.EXPIRED
        assert order.stock_released_at is not None
        assert db.session.get(ProductVariant, variant_id).stock == 10
        notification = db.session.scalar(
            select(Notification).where(Notification.kind == "order_closed")
        )
        assert notification.email_status == EmailStatus.QUEUED
    assert "mail to siti@example.test" in log.read_text()


def assert_queued_mail_is_sent(folder: Path, env: dict[str, str], command: list[str]) -> None:
    """A mail queued in another process's committed transaction is sent by the consumer."""
    address = "pembeli@example.test"
    log = folder / "consumer.log"
    with app_on(folder), consumer(command, env, log) as process:
        run([sys.executable, "-c", QUEUE_A_MAIL, address], env)
        sent = select(OutgoingMail.status).where(OutgoingMail.to == address)
        wait_until(lambda: read(sent) == MailStatus.SENT, process, log)
        mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.to == address))
        assert (mail.attempts, mail.sent_at is not None) == (1, True)
    assert f"mail to {address}\nSubject: Pesanan Anda" in log.read_text()


def test_consumer_sends_a_mail_queued_in_the_sqlite_queue(folder):
    assert_queued_mail_is_sent(folder, settings_for(folder), huey_consumer())


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """Huey's keys for our queue in Redis database 15, removed before and after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")

    def clear() -> None:
        # huey.redis.pasar (the queue), huey.schedule.pasar, huey.results.pasar, ...
        for key in client.scan_iter(f"huey.*.{QUEUE_NAME}*"):
            client.delete(key)

    clear()
    yield REDIS_URL
    clear()
    client.close()


@pytest.mark.pg
def test_consumer_sends_a_mail_queued_in_redis(folder, redis_queue):
    env = settings_for(folder, queue="redis", redis_url=redis_queue)
    assert_queued_mail_is_sent(folder, env, huey_consumer())
