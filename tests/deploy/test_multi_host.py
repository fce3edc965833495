"""The multi-host proof (issue 14): the production topology of deploy/ on one machine, under
a load of shoppers, with one app host killed in the middle and brought back.

Linux network namespaces joined by a bridge (tests/deploy/network.py) stand for the
machines: nginx (deploy/nginx/, Debian's package) in front of two gunicorn app hosts
(deploy/web.sh, deploy/gunicorn.conf.py) and a job consumer host (deploy/consumer.sh), all
on the machine's PostgreSQL and Redis, forwarded onto the bridge. The hosts run production
settings with the built-in Midtrans simulator (tests/deploy/proof_app.py says why).

Shoppers (tests/deploy/shoppers.py) buy and pay through the proxy; app1 is SIGKILLed
(master and workers) at KILL_AT seconds and started again at RESTART_AT. Afterwards:
every order a shopper saw paid exists once and is paid, no checkout made two orders, stock
and units sold add up, the consumer host sent every mail, `flask ledger check` passes, and
the only failed requests are ones in flight on the killed host at the moment it died, no
more than MAX_FAILED_REQUESTS. The figures are printed (run with -s to see them; the last
measured ones are in deploy/README.md).

Needs root, `ip`, nginx, PostgreSQL (TEST_DATABASE_URL) and Redis (REDIS_TEST_URL); skipped
without them unless REQUIRE_MULTIHOST=1 (CI), where it fails instead. Takes about two
minutes. Everything it makes (namespaces, bridge, processes, database, Redis database
PROOF_REDIS_DB) is removed at the end, failure or not.
"""

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestConfig
from shop import create_app
from shop.extensions import db
from tests.deploy import books, network, proxy_log
from tests.deploy.hosts import REPO_ROOT, Processes, host_url, proxy_url
from tests.deploy.network import APP_HOSTS, CONSUMER, MACHINE_ADDRESS, PROXY
from tests.deploy.shoppers import Item, Load, run_shoppers
from tests.factories import make_coop, make_membership, make_product, make_shipping_settings

pytestmark = [pytest.mark.slow, pytest.mark.pg]

SHOPPERS = 8
PACE_SECONDS = 3.5  # a purchase per shopper at most this often: 17 checkouts a minute, under
#                     the 20 a minute one address may make (shop/ratelimits.py)
LOAD_SECONDS = 50  # no purchase starts after this
# Down for longer than the proxy's fail_timeout (10 s, deploy/nginx/pasar.conf), so the proxy
# tries the dead host again, is refused, and resends the request to the other host.
KILL_AT, RESTART_AT = 15, 30
# Requests that may fail: at most one per thread of the killed host (2 workers x 8 threads),
# and only those in flight on it when it died.
MAX_FAILED_REQUESTS = 16
STOCK = 500  # per variant; a run sells about a hundred units in all
MAILS_SECONDS = 90  # the consumer's sweep queues, within a minute, a mail whose task was lost
PROOF_REDIS_DB = 13
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
KILLED, SURVIVOR = APP_HOSTS


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("REQUIRE_MULTIHOST") == "1":
        pytest.fail(f"REQUIRE_MULTIHOST=1 but {reason}")
    pytest.skip(reason)


def redis_client():
    """Redis database PROOF_REDIS_DB of the test Redis: the proof's own, emptied before and
    after (the job queue, page cache and rate limits of the hosts)."""
    import redis

    address = redis.Redis.from_url(REDIS_URL).connection_pool.connection_kwargs
    return redis.Redis(host=address.get("host", "127.0.0.1"), port=address.get("port", 6379),
                       db=PROOF_REDIS_DB, socket_timeout=5)  # fmt: skip


@pytest.fixture
def prerequisites():
    require(os.geteuid() == 0, "the multi-host proof needs root (network namespaces)")
    missing = network.missing_tools()
    require(not missing, f"the multi-host proof needs {', '.join(missing)} (apt-get install nginx)")
    client = redis_client()
    try:
        client.ping()
        reachable = True
    except Exception:
        reachable = False
    require(reachable, f"the multi-host proof needs Redis at {REDIS_URL}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def proof_database():
    """A database of the proof's own on the test server, dropped afterwards."""
    url = make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    name = f"pasar_multihost_{os.getpid()}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def host_environment(database_url, redis_port: int, folder: Path) -> dict[str, str]:
    """What every host gets: production settings on the namespace network."""
    on_bridge = database_url.set(host=MACHINE_ADDRESS).set(drivername="postgresql")
    return {
        "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO_ROOT),
        "PASAR_WSGI_APP": "tests.deploy.proof_app:app",  # deploy/web.sh
        "FLASK_APP": "tests.deploy.proof_app",  # deploy/consumer.sh, flask db upgrade
        "FLASK_SKIP_DOTENV": "1",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "8",
        "CONSUMER_WORKERS": "2",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": on_bridge.render_as_string(hide_password=False),
        "REDIS_URL": f"redis://{MACHINE_ADDRESS}:{redis_port}/{PROOF_REDIS_DB}",
        "TASK_QUEUE": "redis",
        "SITE_URL": proxy_url(),
        "TRUSTED_PROXY_HOPS": "1",
        "MAIL_BACKEND": "log",
        "APP_HOSTS": "2",
        "MEDIA_SHARED": "1",  # one folder for every host, as an NFS mount would be
        "MEDIA_DIR": str(folder / "media"),
        "INSTANCE_DIR": str(folder / "instance"),
        "MIDTRANS_SERVER_KEY": "SB-Mid-server-proof-" + secrets.token_urlsafe(16),
        "MIDTRANS_SIMULATOR_RETRY_DELAYS": "0.5,1,2",
    }


def seed_catalogue(database_url, folder: Path) -> tuple[list[Item], dict[int, int]]:
    """Two cooperatives delivering locally, three products each; and each variant's stock."""
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url.render_as_string(hide_password=False),
        MEDIA_DIR=str(folder / "media"),
    )
    items = []
    with app.app_context():
        for _coop in range(2):
            coop = make_coop()
            make_shipping_settings(coop, offers_local=True, local_fee=10_000)
            member = make_membership(coop=coop)
            for _product in range(3):
                product = make_product(member, variants=((15_000, STOCK),))
                items.append(Item("camilan", product.slug, product.variants[0].id, coop.id))
        db.session.commit()
        db.engine.dispose()
    return items, {item.variant_id: STOCK for item in items}


def wait_for_port(address: str, port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def run_load(processes: Processes, items: list[Item]) -> tuple[Load, tuple[float, float], float]:
    """The shoppers, with the kill and the restart. Returns the load, when the kill began and
    when the killed master was reaped, and when the host was started again (time.time())."""
    load = Load(proxy_url(), items, PACE_SECONDS)
    began = time.monotonic()
    threads = run_shoppers(load, network.shopper_addresses(SHOPPERS))
    time.sleep(max(0.0, KILL_AT - (time.monotonic() - began)))
    kill_began = time.time()
    processes.kill(KILLED.name, signal.SIGKILL)
    kill = (kill_began, time.time())
    time.sleep(max(0.0, RESTART_AT - (time.monotonic() - began)))
    restarted_at = time.time()
    processes.start_app_host(KILLED)
    processes.wait_healthy(KILLED.name, host_url(KILLED))
    time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - began)))
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a shopper never finished"
    return load, kill, restarted_at


def wait_for_mails(engine) -> dict[str, int]:
    deadline = time.monotonic() + MAILS_SECONDS
    while True:
        with engine.connect() as connection:
            mails = books.mails_by_status(connection)
        if set(mails) <= {"sent"} or time.monotonic() > deadline:
            return mails
        time.sleep(1)


@dataclass
class Outcome:
    load: Load
    kill: tuple[float, float]  # from SIGKILL sent to the master reaped, time.time()
    restarted_at: float
    mails: dict[str, int]
    ledger: subprocess.CompletedProcess
    proxied: list[proxy_log.ProxiedRequest]
    initial_stock: dict[int, int]


def run_proof(folder: Path, database_url, redis_address: dict) -> Outcome:
    """The network, the hosts, the load with the kill; torn down whatever happens."""
    database_address = (database_url.host or "127.0.0.1", database_url.port or 5432)
    for name in ("media", "instance"):
        (folder / name).mkdir()
    processes = Processes(folder, host_environment(database_url, redis_address["port"], folder))
    engine = create_engine(database_url)
    try:
        with network.network(SHOPPERS):
            processes.start_forwarder(
                database_address, (redis_address["host"], redis_address["port"])
            )
            wait_for_port(MACHINE_ADDRESS, database_address[1])
            migrated = processes.run(CONSUMER, ".venv/bin/flask", "db", "upgrade")
            assert migrated.returncode == 0, migrated.stderr[-3000:]
            items, initial_stock = seed_catalogue(database_url, folder)
            start_every_host(processes)
            load, kill, restarted_at = run_load(processes, items)
            mails = wait_for_mails(engine)
            ledger = processes.run(CONSUMER, ".venv/bin/flask", "ledger", "check")
            processes.check_alive(CONSUMER.name)
    finally:
        processes.stop_all()
        engine.dispose()
    proxied = proxy_log.read(folder / "nginx" / "access.log")
    return Outcome(load, kill, restarted_at, mails, ledger, proxied, initial_stock)


def start_every_host(processes: Processes) -> None:
    for host in APP_HOSTS:
        processes.start_app_host(host)
    processes.start_consumer()
    processes.start_proxy()
    for host in APP_HOSTS:
        processes.wait_healthy(host.name, host_url(host))
    processes.wait_healthy(PROXY.name, proxy_url("/healthz"))


def test_the_site_keeps_selling_while_an_app_host_dies_and_comes_back(
    prerequisites, tmp_path, proof_database
):
    outcome = run_proof(tmp_path, proof_database, prerequisites.connection_pool.connection_kwargs)
    report(outcome)

    check_orders_and_books(outcome, proof_database)
    check_failed_requests(outcome)


def check_orders_and_books(outcome: Outcome, database_url) -> None:
    confirmed = [p for p in outcome.load.purchases if p.confirmed]
    assert len(confirmed) >= 30, f"too little load to prove anything: {len(confirmed)} orders"
    with create_engine(database_url).connect() as connection:
        found = books.orders_by_number(connection, [p.order_number for p in confirmed])
        per_email = books.orders_per_email(connection)
        stock_wrong = books.stock_differences(connection, outcome.initial_stock)
        sold_wrong = books.sold_count_differences(connection)
    for purchase in confirmed:
        assert found[purchase.order_number] == [("paid", purchase.email)], purchase
    assert max(per_email.values()) == 1, "a checkout made two orders"
    assert stock_wrong == {}, "stock does not add up: (initial, held by orders, now)"
    assert sold_wrong == {}, "units sold do not add up: (in paid orders, sold_count)"
    assert set(outcome.mails) == {"sent"}, f"the consumer left mails unsent: {outcome.mails}"
    assert outcome.ledger.returncode == 0, outcome.ledger.stdout + outcome.ledger.stderr


def check_failed_requests(outcome: Outcome) -> None:
    """Only requests in flight on the killed host when it died failed; the proxy resent
    what it could to the other host, and the restarted host took requests again."""
    kill, proxied = outcome.kill, outcome.proxied
    failed = [exchange for exchange in outcome.load.exchanges if exchange.failed]
    assert all(exchange.in_flight_during(*kill) for exchange in failed), failed
    assert len(failed) <= len(in_flight_on_the_killed_host(outcome)), failed
    assert len(failed) <= MAX_FAILED_REQUESTS, failed
    late_errors = [r for r in proxied if r.status >= 500 and not r.in_flight_during(*kill)]
    assert late_errors == [], f"5xx answers to requests not in flight at the kill ({kill})"
    retried = [r for r in proxied if r.was_retried]
    assert retried, "the proxy never tried the dead host again (fail_timeout) or never retried"
    assert [r for r in retried if r.status >= 500] == [], "requests retried on the other host"
    served_again = [r for r in proxied if r.upstreams == (f"{KILLED.address}:8000",)
                    and r.started > outcome.restarted_at and r.status < 500]  # fmt: skip
    assert served_again, "the restarted host served nothing"


def in_flight_on_the_killed_host(outcome: Outcome) -> list[proxy_log.ProxiedRequest]:
    return [
        r for r in outcome.proxied if r.tried(KILLED.address) and r.in_flight_during(*outcome.kill)
    ]


def report(outcome: Outcome) -> None:
    """The figures, printed for the lead and deploy/README.md's "last measured"."""
    load, proxied = outcome.load, outcome.proxied
    confirmed = sum(p.confirmed for p in load.purchases)
    failures = [(e.method, e.path, e.status, e.error) for e in load.exchanges if e.failed]
    retried = [r for r in proxied if r.was_retried]
    by_host = {
        host.name: sum(r.upstreams[-1:] == (f"{host.address}:8000",) for r in proxied)
        for host in APP_HOSTS
    }
    print(
        f"\nmulti-host proof: {SHOPPERS} shoppers for {LOAD_SECONDS} s, {KILLED.name} killed at"
        f" {KILL_AT} s and started again at {RESTART_AT} s"
        f"\n  purchases started {len(load.purchases)}, confirmed paid {confirmed},"
        f" abandoned {len(load.purchases) - confirmed}: {dict(load.failed_steps())}"
        f"\n  requests by the shoppers {len(load.exchanges)}, through the proxy {len(proxied)}"
        f" (served last by {by_host})"
        f"\n  failed (5xx or no answer) {len(failures)}: {failures}"
        f"\n  in flight on {KILLED.name} when it died {len(in_flight_on_the_killed_host(outcome))};"
        f" retried by the proxy on the other host {len(retried)}"
        f" ({sum(r.status < 400 for r in retried)} then answered)"
        f"\n  the kill took {1000 * (outcome.kill[1] - outcome.kill[0]):.0f} ms; {KILLED.name} back"
        f" {outcome.restarted_at - outcome.kill[0]:.1f} s after it;"
        f" mails {outcome.mails}; ledger check exit {outcome.ledger.returncode}"
    )
