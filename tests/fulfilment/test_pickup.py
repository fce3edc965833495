"""A part the shopper picks up at the cooperative reads "Ready for pickup", never "Shipped",
on the admin's page, the shopper's page and the notification, each with where and when to
collect it; and the admin's WhatsApp link to the buyer says where the part stands."""

import re
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from shop.checkout.models import Order, ShipmentStatus
from shop.checkout.services import place_order
from shop.extensions import db
from shop.fulfilment.contact import buyer_message
from shop.fulfilment.queries import find_part
from shop.fulfilment.services import mark_packed, mark_shipped
from shop.notifications.kinds import KINDS
from shop.notifications.models import Notification
from shop.orders.access import remember_order_access
from tests.checkout.test_orders import checkout_request
from tests.factories import pay
from tests.fulfilment.test_views import text_of

PLACE = "Gudang Koperasi Tani, Jl. Kaliurang km 7, Sleman"
HOURS = "Senin-Sabtu 08.00-16.00"


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


@pytest.fixture
def pickup(paid) -> Order:
    """A paid order of Tani's keripik, to pick up at Tani, by a shopper who reads English."""
    paid.tani.pickup_address, paid.tani.opening_hours = PLACE, HOURS
    request = replace(checkout_request(paid.tani), language="en")
    order = place_order([(paid.line(paid.siti).variant_id, 2)], request, None).order
    pay(order)
    return order


def admin_page(client, paid, order, suffix="") -> str:
    return text_of(client.get(f"/koperasi/{paid.tani.slug}/kelola/pesanan/{order.number}{suffix}"))


def shopper_page(client, order) -> str:
    with client.session_transaction() as session:
        remember_order_access(session, order.number)
    return text_of(client.get(f"/pesanan/{order.number}"))


def test_the_admin_is_told_where_and_when_and_never_asked_for_a_tracking_number(
    client, login, paid, pickup
):
    mark_packed(find_part(paid.tani, pickup.number).shipment, paid.tani_admin)
    login(paid.tani_admin)

    html = client.get(f"/koperasi/{paid.tani.slug}/kelola/pesanan/{pickup.number}")
    page = text_of(html)

    assert f"Pickup address {PLACE}" in page and f"Opening hours for pickup {HOURS}" in page
    assert "Mark ready for pickup" in page and "Mark shipped" not in page
    assert 'name="tracking_number"' not in html.get_data(as_text=True)
    assert "Jl. Melati 5" not in page  # the shopper's home address is not needed


def test_ready_for_pickup_is_said_everywhere_and_shipped_nowhere(
    client, login, paid, pickup, outbox, in_english
):
    mark_packed(find_part(paid.tani, pickup.number).shipment, paid.tani_admin)
    login(paid.tani_admin)

    moved = client.post(
        f"/koperasi/{paid.tani.slug}/kelola/pesanan/{pickup.number}/status",
        data={"to": "shipped", "tracking_number": "typed anyway"},
        follow_redirects=True,
    )

    shipment = find_part(paid.tani, pickup.number).shipment
    assert shipment.status == ShipmentStatus.SHIPPED and shipment.tracking_number == ""
    admin = text_of(moved)
    assert "Marked ready for pickup." in admin and "Ready for pickup" in admin
    shopper = shopper_page(client, pickup)
    assert re.search(r"Ready for pickup ?: \w{3} \d+, \d{4}", shopper)  # the timeline's step
    assert f"Pickup address {PLACE}" in shopper and HOURS in shopper
    assert "I have picked it up" in shopper
    for page in (admin, shopper):
        assert "Shipped" not in page and "shipped" not in page
    note = db.session.scalar(select(Notification).where(Notification.kind == "part_shipped"))
    message = KINDS["part_shipped"].render(note.params)
    assert "ready for pickup" in message.title
    assert message.lines == [f"Pick up at {PLACE}", f"Opening hours: {HOURS}"]
    [mail] = [m for m in outbox if "ready for pickup" in m.subject]
    assert PLACE in mail.body and HOURS in mail.body and "hipped" not in mail.body


def test_a_part_picked_up_reads_picked_up(client, login, paid, pickup):
    shipment = find_part(paid.tani, pickup.number).shipment
    mark_packed(shipment, paid.tani_admin)
    mark_shipped(find_part(paid.tani, pickup.number).shipment, paid.tani_admin)
    login(paid.tani_admin)
    assert "Mark picked up" in admin_page(client, paid, pickup)

    client.post(
        f"/koperasi/{paid.tani.slug}/kelola/pesanan/{pickup.number}/status",
        data={"to": "delivered"},
    )

    assert "Picked up" in admin_page(client, paid, pickup)
    assert "Delivered" not in admin_page(client, paid, pickup)
    assert "Picked up" in shopper_page(client, pickup)


def test_without_a_pickup_address_the_cooperatives_address_is_shown(client, paid, pickup):
    paid.tani.pickup_address, paid.tani.address = "", "Jl. Pasar Kembang 3"
    db.session.commit()

    page = shopper_page(client, pickup)

    assert "Pickup address Jl. Pasar Kembang 3, Kota Yogyakarta" in page


def test_a_part_sent_to_the_shopper_keeps_shipped_and_its_tracking_number(client, login, paid):
    mark_packed(paid.shipment(paid.batik), paid.batik_admin)
    login(paid.batik_admin)

    html = client.get(f"/koperasi/{paid.batik.slug}/kelola/pesanan/{paid.order.number}")
    assert "Mark shipped" in text_of(html)
    assert 'name="tracking_number"' in html.get_data(as_text=True)

    mark_shipped(paid.shipment(paid.batik), paid.batik_admin, "JNE-0042")
    page = text_of(client.get(f"/koperasi/{paid.batik.slug}/kelola/pesanan/{paid.order.number}"))
    assert "Shipped" in page and "Ready for pickup" not in page


# WhatsApp to the buyer.


def chat_link(html: str) -> str:
    return re.search(r'href="(https://wa\.me/[^"]+)"', html).group(1).replace("&amp;", "&")


def test_the_order_page_opens_a_chat_with_the_buyer_in_their_language(client, login, paid):
    login(paid.tani_admin)  # reads English; the guest checked out in Indonesian

    html = client.get(f"/koperasi/{paid.tani.slug}/kelola/pesanan/{paid.order.number}")

    link = urlsplit(chat_link(html.get_data(as_text=True)))
    assert link.path == "/6281234567890"
    [text] = parse_qs(link.query)["text"]
    assert paid.order.number in text and "Siti Aminah" in text
    assert "Perlu dikemas" in text  # "To pack", in the shopper's language
    assert html.headers["Cache-Control"] == "private, no-store"


def test_the_chat_message_names_the_tracking_number_once_sent(client, login, paid, in_english):
    mark_packed(paid.shipment(paid.batik), paid.batik_admin)
    mark_shipped(paid.shipment(paid.batik), paid.batik_admin, "JNE-0042")
    login(paid.batik_admin)

    html = client.get(f"/koperasi/{paid.batik.slug}/kelola/pesanan/{paid.order.number}")

    [text] = parse_qs(urlsplit(chat_link(html.get_data(as_text=True))).query)["text"]
    assert paid.order.number in text and "Nomor resi: JNE-0042" in text


def test_the_pickup_message_says_where_and_when_in_english(paid, pickup, in_english):
    mark_packed(find_part(paid.tani, pickup.number).shipment, paid.tani_admin)
    mark_shipped(find_part(paid.tani, pickup.number).shipment, paid.tani_admin)

    text = buyer_message(find_part(paid.tani, pickup.number))

    assert text.splitlines() == [
        f"Hello Siti Aminah, this is Koperasi Tani about your order {pickup.number} on "
        "Pasar Koperasi.",
        "Status: Ready for pickup",
        f"Pick up at {PLACE}",
        f"Opening hours: {HOURS}",
    ]
