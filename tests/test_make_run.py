"""`make run` on its own, as a newcomer types it: the web server and the job consumer start
together, and paying an order in the simulator puts the "order paid" mail in the log a few
seconds later, with no second command.

Runs the real Makefile target on a fresh instance folder (demo data included) and buys a demo
product over HTTP, like tests/test_purchase.py but against the processes `make run` starts.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.test_purchase import buy, pay

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


@pytest.fixture
def make_run(tmp_path):
    """`make run` on a free port and an empty instance folder; its log, and its address."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("TASK_QUEUE")}
    env |= {"INSTANCE_DIR": str(tmp_path), "SITE_URL": base, "PORT": str(port)}
    for name in ("TEST_DATABASE_URL", "DATABASE_URL", "APP_CONFIG", "MAIL_BACKEND"):
        env.pop(name, None)
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the server and the consumer
        )
    try:
        wait_for(lambda: _healthy(base), 120, "make run to serve")
        yield base, log_path, tmp_path / "pasar.db"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


def _a_demo_product(database: Path) -> dict:
    with sqlite3.connect(database) as connection:
        slug, variant_id, coop_id = connection.execute(
            "SELECT p.slug, v.id, p.cooperative_id FROM products p "
            "JOIN product_variants v ON v.product_id = p.id "
            "JOIN shipping_settings s ON s.cooperative_id = p.cooperative_id "
            "WHERE p.status = 'active' AND v.stock > 5 AND s.offers_pickup "
            "ORDER BY v.id LIMIT 1"
        ).fetchone()
    return {"slug": slug, "variant_id": variant_id, "coop_id": coop_id}


def test_paying_an_order_puts_the_paid_mail_in_the_log_within_seconds(make_run):
    base, log_path, database = make_run
    product = _a_demo_product(database)
    email = f"{uuid.uuid4().hex[:8]}@example.test"
    browser, payment_page = buy(base, product, email, quantity=1, method="pickup")
    number = _order_number(database, email)
    pay(browser, payment_page, "qris", "pay")
    started = time.monotonic()

    subject = f"Subject: Pembayaran untuk pesanan {number} sudah diterima"
    wait_for(lambda: subject in log_path.read_text(errors="replace"), 30, "the paid mail")
    print(f"the paid mail was in the log {time.monotonic() - started:.1f} s after paying")
    log = log_path.read_text(errors="replace")
    assert log.count(subject) == 1
    assert f"mail to {email}" in log


def _order_number(database: Path, email: str) -> str:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT number FROM orders WHERE contact_email = ?", (email,)
        ).fetchone()[0]
