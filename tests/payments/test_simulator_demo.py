"""The demo's paid orders are known to the simulator (they are seeded before any server runs,
so nobody pays them at its page): refunding one asks the simulator about a transaction it
holds, as Midtrans would."""

import base64

from config import SIMULATOR_SERVER_KEY
from shop.demo.orders import seed_demo_orders
from shop.payments.simulator.store import sim_transactions
from tests.demo.test_demo_orders import SmallDemo

AUTH = {"Authorization": "Basic " + base64.b64encode(f"{SIMULATOR_SERVER_KEY}:".encode()).decode()}


def test_a_seeded_demo_order_is_settled_at_the_simulator_and_can_be_refunded_there(client):
    demo = SmallDemo()
    seed_demo_orders()
    order = demo.paid_by_qris_not_sent()
    url = f"/simulator/midtrans/v2/{order.current_payment_id}"

    status = client.get(f"{url}/status", headers=AUTH).json
    refund = client.post(
        f"{url}/refund", headers=AUTH, json={"refund_key": "demo-r1", "amount": 1000}
    ).json

    assert (status["transaction_status"], status["payment_type"]) == ("settlement", "qris")
    assert status["gross_amount"] == f"{order.grand_total}.00"
    assert (refund["status_code"], refund["refund_amount"]) == ("200", "1000.00")


def test_only_the_paid_demo_orders_are_known_to_the_simulator(client, db_session):
    demo = SmallDemo()
    seed_demo_orders()
    unpaid = demo.orders()[-1]

    assert unpaid.current_payment_id is None
    assert len(db_session.execute(sim_transactions.select()).all()) == 4
