"""The simulator keeps its transactions in the database: several app instances on one
database (gunicorn workers, hosts) answer for every transaction, a restart forgets none,
and concurrent changes from different instances never lose one another.

Each instance here is an app object of its own with its own engine and live server; they
share nothing but the database.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, inspect, select
from werkzeug.serving import make_server

from config import SIMULATOR_SERVER_KEY, TestConfig
from shop import create_app
from shop.extensions import db
from shop.payments.gateway import GatewayRejected, gateway_from_config
from shop.payments.simulator.store import sim_transactions
from tests.databases import database_of_its_own
from tests.payments.conftest import TOTAL, choose, start

AUTH = (SIMULATOR_SERVER_KEY, "")


@pytest.fixture
def shared_database_url(tmp_path):
    """A database of the instances' own (the session's is inside each test's transaction)."""
    with database_of_its_own(tmp_path, "sim") as url:
        yield url


class Instance:
    """One app instance on a live server: what one gunicorn worker or host is."""

    def __init__(self, database_url: str, notification_url: str):
        self.app = create_app(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=database_url,
            WTF_CSRF_ENABLED=True,
            MIDTRANS_NOTIFICATION_URL=notification_url,
        )
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/simulator/midtrans"
        self.app.config["MIDTRANS_SIMULATOR_URL"] = self.url
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.gateway = gateway_from_config(self.app.config)

    def stop(self) -> None:
        self.server.shutdown()
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def instances(shared_database_url, receiver):
    """instances() starts one more instance on the shared database; all stop after the test."""
    started: list[Instance] = []

    def start_one() -> Instance:
        started.append(Instance(shared_database_url, receiver.url + "/notify"))
        return started[-1]

    yield start_one
    for instance in started:
        instance.stop()


def on(instance: Instance, redirect_url: str) -> str:
    """The payment page's address as served by another instance."""
    return instance.url + redirect_url.split("/simulator/midtrans", 1)[1]


def test_a_transaction_made_on_one_instance_is_paid_and_read_on_another(instances, order_id):
    first, second = instances(), instances()
    payment = start(first.gateway, order_id)

    response = choose(on(second, payment.redirect_url), "qris", "pay")

    assert response.status_code == 303
    for instance in (first, second):
        status = instance.gateway.status(order_id)
        assert (status.transaction_status, status.gross_amount) == ("settlement", TOTAL)
    refunded = first.gateway.refund(order_id, "r-1", 10_000, "rusak")
    assert second.gateway.status(order_id).refund_amount == refunded.refund_amount == 10_000


def test_a_restarted_instance_still_knows_every_transaction(instances, order_id):
    before = instances()
    choose(start(before.gateway, order_id).redirect_url, "gopay", "pay")
    before.stop()

    after = instances()  # a new app object: nothing carried over but the database

    assert after.gateway.status(order_id).transaction_status == "settlement"
    assert after.gateway.refund(order_id, "r-1", 5_000, "rusak").refund_amount == 5_000


def test_concurrent_refunds_on_two_instances_never_refund_more_than_was_paid(instances, order_id):
    first, second = instances(), instances()
    choose(start(first.gateway, order_id).redirect_url, "qris", "pay")

    def refund(n: int) -> str:
        gateway = (first, second)[n % 2].gateway
        try:
            return gateway.refund(order_id, f"r-{n}", 30_000, "rusak").transaction_status
        except GatewayRejected:
            return "refused"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(refund, range(8)))

    # 163.000 holds five refunds of 30.000; each of the others finds too little left.
    assert sorted(outcomes).count("refused") == 3
    status = second.gateway.status(order_id)
    assert status.refund_amount == 150_000
    assert status.transaction_status == "partial_refund"


def test_the_same_refund_key_on_two_instances_at_once_refunds_once(instances, order_id):
    first, second = instances(), instances()
    choose(start(first.gateway, order_id).redirect_url, "gopay", "pay")

    def refund(n: int) -> int:
        gateway = (first, second)[n % 2].gateway
        return gateway.refund(order_id, "same-key", 20_000, "rusak").refund_amount

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(refund, range(6)))

    assert answers == [20_000] * 6
    assert first.gateway.status(order_id).refund_amount == 20_000


def test_a_new_token_for_an_unpaid_order_retires_the_old_payment_page(instances, order_id):
    first, second = instances(), instances()
    old = start(first.gateway, order_id)
    new = start(second.gateway, order_id)

    assert requests.get(on(second, old.redirect_url), timeout=5).status_code == 404
    assert choose(on(first, new.redirect_url), "qris", "pay").status_code == 303
    assert first.gateway.status(order_id).transaction_status == "settlement"


def test_a_paid_order_id_cannot_get_another_token_on_any_instance(instances, order_id):
    first, second = instances(), instances()
    choose(start(first.gateway, order_id).redirect_url, "qris", "pay")

    with pytest.raises(GatewayRejected):
        start(second.gateway, order_id)


# Where the tables are ----------------------------------------------------------------------


def table_names(app) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


def test_the_simulator_table_exists_only_where_the_simulator_is_on(tmp_path):
    on_app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'on.db'}")
    off_app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'off.db'}",
        MIDTRANS_SIMULATOR_ENABLED=False,
        MIDTRANS_SERVER_KEY="SB-Mid-server-real",
    )
    assert sim_transactions.name in table_names(on_app)
    assert sim_transactions.name not in table_names(off_app)


def test_the_simulator_table_is_made_once_and_kept_across_starts(tmp_path):
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    first = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with first.app_context():
        with db.engine.begin() as connection:
            connection.execute(
                sim_transactions.insert().values(
                    order_id="PK-1-1", token="t", transaction_id="x", version=1, data={}
                )
            )
        db.engine.dispose()
    second = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with second.app_context():
        assert db.session.scalar(select(func.count()).select_from(sim_transactions)) == 1
        db.session.remove()
        db.engine.dispose()


def test_a_database_unreachable_at_start_gets_the_table_at_the_first_simulator_request(tmp_path):
    folder = tmp_path / "not-yet"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'shop.db'}")
    folder.mkdir()  # the database can be reached from now on

    answer = app.test_client().get("/simulator/midtrans/v2/PK-1-1/status", auth=AUTH)

    assert answer.json["status_code"] == "404"
    assert sim_transactions.name in table_names(app)
