"""The orders list: each part's age, checkboxes on the parts to pack, and one "Mark packed"
button that moves each chosen part through the same service as the order page, refusing
(and leaving untouched) those that cannot move."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from shop.audit.models import AuditEntry
from shop.checkout.models import Order, OrderShipment, ShipmentStatus
from shop.checkout.services import place_order
from shop.extensions import db
from shop.fulfilment import services
from shop.fulfilment.services import mark_packed
from shop.timeutil import utcnow
from tests.checkout.test_orders import checkout_request
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD, pay
from tests.fulfilment.test_views import shipment_state, text_of


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def list_url(coop) -> str:
    return f"/koperasi/{coop.slug}/kelola/pesanan"


def tani_order(paid) -> Order:
    """Another paid order, of Tani's keripik only (picked up)."""
    order = place_order([(paid.line(paid.siti).variant_id, 1)], checkout_request(paid.tani), None)
    pay(order.order)
    return order.order


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def status_of(order: Order, coop) -> ShipmentStatus:
    return db.session.scalar(
        select(OrderShipment.status)
        .where(OrderShipment.order_id == order.id, OrderShipment.cooperative_id == coop.id)
        .execution_options(populate_existing=True)
    )


def test_the_chosen_parts_are_packed_and_the_others_refused_untouched(client, login, paid):
    first, second, packed = tani_order(paid), tani_order(paid), tani_order(paid)
    mark_packed(
        db.session.scalar(select(OrderShipment).filter_by(order_id=packed.id)), paid.tani_admin
    )
    batik_only = _batik_order(paid)
    untouched = {
        "packed": shipment_state_of(packed),
        "batik": shipment_state_of(batik_only),
        "paid": shipment_state(paid, paid.batik),
    }
    audits = audit_count()
    login(paid.tani_admin)

    response = client.post(
        list_url(paid.tani) + "/kemas",
        data={"orders": [first.number, second.number, packed.number, batik_only.number,
                         "PK-0-NOPE", first.number]},
    )  # fmt: skip

    assert response.status_code == 302
    assert status_of(first, paid.tani) == status_of(second, paid.tani) == ShipmentStatus.PACKED
    assert audit_count() == audits + 2  # each moved once, even though first came twice
    assert untouched == {
        "packed": shipment_state_of(packed),
        "batik": shipment_state_of(batik_only),
        "paid": shipment_state(paid, paid.batik),
    }
    page = text_of(client.get(response.headers["Location"]))
    assert f"Marked packed: {first.number}, {second.number}." in page
    assert f"Not marked packed: {packed.number}. This part of the order is packed" in page
    assert (
        f"Not marked packed: {batik_only.number}, PK-0-NOPE. "
        "Your cooperative has no paid order with this number."
    ) in page


def test_each_part_moves_through_the_services_step(client, login, paid, monkeypatch):
    """Never around it: the one step the order page uses, with the admin as the actor."""
    calls = []
    real = services.advance_shipment
    monkeypatch.setattr(
        services,
        "advance_shipment",
        lambda shipment, target, actor, *rest: (
            calls.append((shipment.id, target, actor.id)) or real(shipment, target, actor, *rest)
        ),
    )
    login(paid.tani_admin)

    client.post(list_url(paid.tani) + "/kemas", data={"orders": [paid.order.number]})

    shipment = paid.shipment(paid.tani)
    assert calls == [(shipment.id, ShipmentStatus.PACKED, paid.tani_admin.id)]
    assert shipment.status == ShipmentStatus.PACKED and shipment.packed_at is not None


def test_nothing_chosen_is_an_error_on_the_list_and_changes_nothing(client, login, paid):
    login(paid.tani_admin)
    audits = audit_count()

    response = client.post(list_url(paid.tani) + "/kemas", data={})

    assert response.status_code == 200
    assert "Choose the orders to mark packed." in text_of(response)
    assert paid.order.number in text_of(response)  # the list is shown again
    assert audit_count() == audits


def test_too_many_at_once_changes_nothing(client, login, paid):
    login(paid.tani_admin)

    response = client.post(
        list_url(paid.tani) + "/kemas", data={"orders": [paid.order.number] + ["PK-X"] * 20}
    )

    assert response.status_code == 200 and "Choose at most 20 orders" in text_of(response)
    assert paid.shipment(paid.tani).status == ShipmentStatus.PENDING


def test_another_cooperatives_admin_cannot_pack_its_parts(client, login, paid):
    number = tani_order(paid).number
    login(paid.batik_admin)
    before = db.session.execute(select(*OrderShipment.__table__.c)).all()

    own_url = client.post(list_url(paid.batik) + "/kemas", data={"orders": [number]})
    flashed = text_of(client.get(own_url.headers["Location"]))
    their_url = client.post(list_url(paid.tani) + "/kemas", data={"orders": [number]})

    assert own_url.status_code == 302  # refused as an order it has no part in, like a 404
    assert f"Not marked packed: {number}. Your cooperative has no paid order" in flashed
    assert their_url.status_code == 403  # not an admin of Tani at all
    assert db.session.execute(select(*OrderShipment.__table__.c)).all() == before


def test_without_the_csrf_token_nothing_is_packed(client, paid, csrf_on):
    sign_in = client.get("/akun/masuk").get_data(as_text=True)
    client.post(
        "/akun/masuk",
        data={"email": paid.tani_admin.email, "password": DEFAULT_PASSWORD,
              "csrf_token": csrf_token_from(sign_in)},
    )  # fmt: skip
    page = client.get(list_url(paid.tani)).get_data(as_text=True)

    forged = client.post(list_url(paid.tani) + "/kemas", data={"orders": [paid.order.number]})
    assert forged.status_code == 400
    assert paid.shipment(paid.tani).status == ShipmentStatus.PENDING

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(
        list_url(paid.tani) + "/kemas", data={"orders": [paid.order.number], "csrf_token": token}
    )
    assert paid.shipment(paid.tani).status == ShipmentStatus.PACKED


def test_the_list_offers_checkboxes_on_parts_to_pack_only_and_keeps_the_filter(client, login, paid):
    waiting = tani_order(paid)
    mark_packed(paid.shipment(paid.tani), paid.tani_admin)
    login(paid.tani_admin)

    html = client.get(list_url(paid.tani)).get_data(as_text=True)
    filtered = client.get(list_url(paid.tani) + "?status=pending").get_data(as_text=True)

    boxes = re.findall(r'<input type="checkbox" name="orders" value="([^"]+)"', html)
    assert boxes == [waiting.number]
    assert f'action="{list_url(paid.tani)}/kemas"' in html
    assert f'action="{list_url(paid.tani)}/kemas?status=pending"' in filtered


def test_the_list_shows_how_long_ago_each_part_was_paid(client, login, paid):
    db.session.execute(
        update(Order).where(Order.id == paid.order.id).values(paid_at=utcnow() - timedelta(days=2))
    )
    db.session.commit()
    login(paid.tani_admin)

    html = client.get(list_url(paid.tani)).get_data(as_text=True)

    assert re.search(r'data-label="Since payment">2 days</td>', html)


def test_the_list_stacks_into_labelled_cards_on_a_phone(client, login, paid):
    login(paid.tani_admin)

    html = client.get(list_url(paid.tani)).get_data(as_text=True)

    assert '<table class="stack">' in html
    assert all("data-label=" in cell for cell in re.findall(r"<td[^>]*>", html))
    assert re.search(r'<td data-label="Items total" class="number">Rp\xa085.000</td>', html)
    assert re.search(r'data-label="Status"><span class="badge">To pack</span>', html)


def shipment_state_of(order: Order) -> list:
    return db.session.execute(
        select(*OrderShipment.__table__.c).where(OrderShipment.order_id == order.id)
    ).all()


def _batik_order(paid) -> Order:
    kain = paid.line(paid.rina).variant_id
    order = place_order([(kain, 1)], checkout_request(paid.batik), None).order
    pay(order)
    return order
