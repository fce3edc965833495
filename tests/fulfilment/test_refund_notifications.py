"""A refund tells the shopper what came back; a refund the gateway refuses tells the admins."""

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.fulfilment.refunds import RefundRefused, refund_lines
from shop.notifications.models import Notification
from tests.fulfilment.conftest import pay_through_simulator
from tests.fulfilment.test_refunds import gateway  # noqa: F401  (fixture)
from tests.payments.conftest import _receiver, simulator_app  # noqa: F401  (fixtures)


def kinds_of(user) -> list[str]:
    query = select(Notification.kind).where(Notification.recipient_id == user.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_a_refund_tells_the_shopper_the_amount_and_the_lines(shop, gateway, outbox):  # noqa: F811
    pay_through_simulator(shop.order, gateway, "qris")
    line = shop.line(shop.siti)
    refund_lines(shop.order, shop.tani, {line.id: 2}, "Rusak", shop.tani_admin, gateway)

    [mail] = [m for m in outbox if m.to == shop.order.contact_email and "dikembalikan" in m.subject]
    assert mail.subject == f"Rp 30.000 dikembalikan untuk pesanan {shop.order.number}"
    assert "- Keripik Tempe x 2" in mail.body


def test_a_refund_the_gateway_refuses_tells_the_admins(shop, gateway, outbox):  # noqa: F811
    pay_through_simulator(shop.order, gateway, "bank_transfer")
    line = shop.line(shop.siti)
    with pytest.raises(RefundRefused):
        refund_lines(shop.order, shop.tani, {line.id: 1}, "Rusak", shop.tani_admin, gateway)

    assert kinds_of(shop.tani_admin)[-1] == "admin_refund_failed"
    assert "admin_refund_failed" not in kinds_of(shop.batik_admin)
    [mail] = [m for m in outbox if m.to == shop.tani_admin.email and "gagal" in m.subject]
    assert "Rp 15.000" in mail.subject and "virtual account" in mail.body
