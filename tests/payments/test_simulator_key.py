"""Finding 7: nobody acts on an order through the simulator without the installation's key.

The key is random per installation (instance/midtrans_simulator_key, 0600, made once and
reused), every API call needs it, and the payment page acts only on the transaction whose
token is in its address.
"""

import base64
import stat

import pytest

from config import TestConfig
from shop import create_app
from shop.payments.gateway import gateway_from_config
from shop.payments.simulator.key import KEY_FILE, installation_key

OLD_PUBLIC_KEY = "SB-Mid-server-SIMULATOR"  # printed in the README before; worth nothing now
API = "/simulator/midtrans"


@pytest.fixture
def installation(tmp_path, monkeypatch):
    """An app as `make run` starts one: no MIDTRANS_SERVER_KEY, its own instance folder."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("INSTANCE_DIR", str(instance))
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'shop.db'}",
        MIDTRANS_SERVER_KEY="",
    )
    return app


def basic(key: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def pending_transaction(app, order_id: str = "PK-7-1") -> str:
    """A transaction whose shopper chose QRIS and will pay later; returns its token."""
    client = app.test_client()
    body = {"transaction_details": {"order_id": order_id, "gross_amount": 25000}}
    created = client.post(
        f"{API}/snap/v1/transactions", json=body, headers=basic(app.config["MIDTRANS_SERVER_KEY"])
    )
    assert created.status_code == 201
    token = created.json["token"]
    page = client.post(
        f"{API}/snap/v3/redirection/{token}", data={"method": "qris", "outcome": "pending"}
    )
    assert page.status_code == 303
    return token


def status_of(app, order_id: str = "PK-7-1") -> str:
    answer = app.test_client().get(
        f"{API}/v2/{order_id}/status", headers=basic(app.config["MIDTRANS_SERVER_KEY"])
    )
    return answer.json["transaction_status"]


def test_the_installation_key_is_random_private_and_made_once(installation, tmp_path):
    path = tmp_path / "instance" / KEY_FILE
    key = installation.config["MIDTRANS_SERVER_KEY"]

    assert path.read_text().strip() == key
    assert key.startswith("SB-Mid-server-") and len(key) > 40 and key != OLD_PUBLIC_KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", MIDTRANS_SERVER_KEY="")
    assert again.config["MIDTRANS_SERVER_KEY"] == key  # the next start reads the same file
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert installation_key(elsewhere) != key  # random, not derived from anything


def test_a_configured_key_is_used_and_no_file_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["MIDTRANS_SERVER_KEY"] == TestConfig.MIDTRANS_SERVER_KEY
    assert not (tmp_path / KEY_FILE).exists()


def test_an_empty_key_file_stops_the_start_with_a_clear_message(tmp_path):
    (tmp_path / KEY_FILE).write_text("\n")
    with pytest.raises(RuntimeError, match="is empty"):
        installation_key(tmp_path)


@pytest.mark.parametrize("headers", [{}, basic(OLD_PUBLIC_KEY)], ids=["no-key", "old-public-key"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v2/PK-7-1/cancel"),
        ("POST", "/v2/PK-7-1/expire"),
        ("POST", "/v2/PK-7-1/approve"),
        ("POST", "/v2/PK-7-1/deny"),
        ("POST", "/v2/PK-7-1/refund"),
        ("GET", "/v2/PK-7-1/status"),
    ],
)
def test_core_api_calls_without_the_key_get_401_and_change_nothing(
    installation, headers, method, path
):
    pending_transaction(installation)

    response = installation.test_client().open(API + path, method=method, headers=headers, json={})

    assert response.status_code == 401
    assert response.json == {
        "status_code": "401",
        "status_message": "Unknown Merchant server_key/id",
    }
    assert status_of(installation) == "pending"


@pytest.mark.parametrize("headers", [{}, basic(OLD_PUBLIC_KEY)], ids=["no-key", "old-public-key"])
def test_snap_without_the_key_gets_401_and_makes_no_transaction(installation, headers):
    body = {"transaction_details": {"order_id": "PK-8-1", "gross_amount": 25000}}
    client = installation.test_client()

    response = client.post(f"{API}/snap/v1/transactions", json=body, headers=headers)

    assert response.status_code == 401
    assert response.json["error_messages"][0].startswith("Access denied")
    key = basic(installation.config["MIDTRANS_SERVER_KEY"])
    assert client.get(f"{API}/v2/PK-8-1/status", headers=key).json["status_code"] == "404"


def test_the_app_talks_to_its_simulator_with_the_installation_key(installation):
    gateway = gateway_from_config(installation.config)
    assert gateway._snap.api_config.server_key == installation.config["MIDTRANS_SERVER_KEY"]


def test_the_payment_page_acts_only_on_the_transaction_of_its_token(installation):
    token = pending_transaction(installation, "PK-9-1")
    other = pending_transaction(installation, "PK-9-2")
    client = installation.test_client()

    client.post(f"{API}/snap/v3/redirection/{token}", data={"method": "qris", "outcome": "pay"})

    assert status_of(installation, "PK-9-1") == "settlement"
    assert status_of(installation, "PK-9-2") == "pending"
    by_order = client.post(
        f"{API}/snap/v3/redirection/PK-9-2", data={"method": "qris", "outcome": "pay"}
    )
    assert by_order.status_code == 404  # an order id is no token
    assert status_of(installation, "PK-9-2") == "pending"
    assert other != token
