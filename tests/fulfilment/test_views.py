"""The cooperative admin's order pages and the shopper's "I have received it" button, over
HTTP: each sees and changes only what is theirs, and bad input changes nothing."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.checkout.models import OrderShipment, ShipmentStatus
from shop.checkout.services import place_order
from shop.coops.models import Role
from shop.extensions import db
from shop.fulfilment import views
from shop.fulfilment.services import mark_packed, mark_shipped
from shop.ledger.checks import check_ledger
from shop.ledger.models import Refund
from shop.orders.access import remember_order_access
from shop.payments.gateway import gateway_from_config
from tests.checkout.test_orders import checkout_request
from tests.conftest import csrf_token_from
from tests.factories import make_membership, make_user, pay
from tests.fulfilment.conftest import balances, pay_through_simulator
from tests.fulfilment.test_refunds import FakeGateway, approve_payout, complete_now

SITI = 43_875


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def admin_url(shop, coop, suffix=""):
    return f"/koperasi/{coop.slug}/kelola/pesanan/{shop.order.number}{suffix}"


def text_of(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def shipment_state(shop, coop) -> tuple:
    return db.session.execute(
        select(*OrderShipment.__table__.c).where(
            OrderShipment.order_id == shop.order.id, OrderShipment.cooperative_id == coop.id
        )
    ).one()


def refunds_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Refund))


@pytest.fixture
def fake_gateway(monkeypatch):
    gateway = FakeGateway()
    monkeypatch.setattr(views, "gateway_from_config", lambda config: gateway)
    return gateway


# The admin's list and page.


def test_the_list_shows_the_cooperatives_paid_parts_newest_first(client, login, paid):
    older = paid.order.number
    newer = _another_paid_order(paid)
    login(paid.tani_admin)

    page = client.get(f"/koperasi/{paid.tani.slug}/kelola/pesanan").get_data(as_text=True)

    assert page.index(newer) < page.index(older)
    assert "Rp\xa085.000" in page  # Tani's items of the first order, not Batik's kain
    assert "350.000" not in page  # in any format


def _another_paid_order(paid) -> str:
    """A second paid order, of Tani's keripik only."""
    keripik = paid.line(paid.siti).variant_id
    order = place_order([(keripik, 1)], checkout_request(paid.tani), None).order
    pay(order)
    return order.number


def test_unpaid_orders_are_not_listed(client, login, shop):
    login(shop.tani_admin)

    page = client.get(f"/koperasi/{shop.tani.slug}/kelola/pesanan").get_data(as_text=True)

    assert shop.order.number not in page
    assert client.get(admin_url(shop, shop.tani)).status_code == 404


def test_the_list_filters_by_shipping_status(client, login, paid):
    mark_packed(paid.shipment(paid.tani), paid.tani_admin)
    login(paid.tani_admin)
    base = f"/koperasi/{paid.tani.slug}/kelola/pesanan"

    packed = client.get(base + "?status=packed").get_data(as_text=True)
    pending = client.get(base + "?status=pending").get_data(as_text=True)
    nonsense = client.get(base + "?status=lost&page=abc")

    assert paid.order.number in packed
    assert paid.order.number not in pending
    assert nonsense.status_code == 200 and paid.order.number in nonsense.get_data(as_text=True)


def test_the_order_page_shows_the_cooperatives_lines_and_where_to_send_them(client, login, paid):
    login(paid.tani_admin)

    response = client.get(admin_url(paid, paid.tani))

    assert response.status_code == 200
    page = text_of(response)
    assert "Keripik Tempe" in page and "Madu Hutan" in page
    assert "Keripik Bu Siti" in page and "Madu Pak Budi" in page
    assert "Kain Batik" not in page
    assert "Siti Aminah" in page and "Jl. Melati 5" in page and "+6281234567890" in page
    assert "Local delivery" in page
    assert "Mark packed" in page


def test_another_cooperatives_part_is_not_found(client, login, paid):
    outsider_order = _another_paid_order(paid)  # Tani only: Batik has no part in it
    login(paid.batik_admin)

    response = client.get(f"/koperasi/{paid.batik.slug}/kelola/pesanan/{outsider_order}")
    post = client.post(
        f"/koperasi/{paid.batik.slug}/kelola/pesanan/{outsider_order}/status",
        data={"to": "packed"},
    )

    assert response.status_code == 404 and post.status_code == 404
    assert client.get(f"/koperasi/{paid.batik.slug}/kelola/pesanan/PK-0-NOPE").status_code == 404


def test_the_order_pages_line_table_stacks_into_labelled_cards_on_a_phone(client, login, paid):
    login(paid.tani_admin)

    response = client.get(admin_url(paid, paid.tani))

    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert '<table class="stack">' in html
    assert all("data-label=" in cell for cell in re.findall(r"<td[^>]*>", html))
    assert '<td data-label="Total" class="number">Rp\xa045.000</td>' in html


def test_a_plain_member_cannot_open_or_move_orders(client, login, paid):
    login(paid.siti.user)
    before = shipment_state(paid, paid.tani)

    listing = client.get(f"/koperasi/{paid.tani.slug}/kelola/pesanan")
    move = client.post(admin_url(paid, paid.tani, "/status"), data={"to": "packed"})

    assert listing.status_code == 403 and move.status_code == 403
    assert shipment_state(paid, paid.tani) == before


# Moving a part.


def test_marking_packed_moves_the_part_and_says_so(client, login, paid):
    login(paid.tani_admin)

    response = client.post(
        admin_url(paid, paid.tani, "/status"), data={"to": "packed"}, follow_redirects=True
    )

    assert "Marked packed." in text_of(response)
    shipment = paid.shipment(paid.tani)
    assert shipment.status == ShipmentStatus.PACKED and shipment.packed_at is not None
    assert db.session.scalar(
        select(AuditEntry.actor_id).where(AuditEntry.action == "shipment.packed")
    ) == (paid.tani_admin.id)


@pytest.mark.parametrize("to", ["delivered", "completed", "lost", ""])
def test_a_wrong_or_unknown_step_changes_nothing(client, login, paid, to):
    login(paid.tani_admin)
    before = shipment_state(paid, paid.tani)

    response = client.post(
        admin_url(paid, paid.tani, "/status"), data={"to": to}, follow_redirects=True
    )

    assert response.status_code == 200
    assert shipment_state(paid, paid.tani) == before
    assert "flash-error" in response.get_data(as_text=True)


def test_shipping_by_courier_without_tracking_number_shows_the_error_by_the_field(
    client, login, paid
):
    mark_packed(paid.shipment(paid.batik), paid.batik_admin)
    login(paid.batik_admin)
    before = shipment_state(paid, paid.batik)

    response = client.post(
        admin_url(paid, paid.batik, "/status"), data={"to": "shipped", "tracking_number": " "}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="tracking_number-error"' in html and 'aria-invalid="true"' in html
    assert "tracking number" in html
    assert shipment_state(paid, paid.batik) == before

    client.post(
        admin_url(paid, paid.batik, "/status"), data={"to": "shipped", "tracking_number": "JNE-5"}
    )
    assert paid.shipment(paid.batik).tracking_number == "JNE-5"


# Refunds.


def test_a_refund_from_the_page(client, login, paid, fake_gateway):
    login(paid.tani_admin)
    line = paid.line(paid.siti)

    response = client.post(
        admin_url(paid, paid.tani, "/pengembalian"),
        data={"quantity_0": "1", "quantity_1": "0", "reason": "Kemasan rusak"},
        follow_redirects=True,
    )

    assert "Rp 15.000 refunded to the shopper." in text_of(response)
    refund = db.session.scalar(select(Refund))
    assert [(rl.order_line_id, rl.quantity) for rl in refund.lines] == [(line.id, 1)]
    assert refund.reason == "Kemasan rusak" and refund.created_by_id == paid.tani_admin.id
    assert fake_gateway.calls == [(paid.order.number, refund.refund_key, 15_000, "Kemasan rusak")]
    assert balances(paid.tani, paid.siti) == (SITI - 14_625, 0)


def test_a_refund_above_what_was_paid_is_shown_by_its_field_keeping_what_was_typed(
    client, login, paid, fake_gateway
):
    login(paid.tani_admin)

    response = client.post(
        admin_url(paid, paid.tani, "/pengembalian"),
        data={"quantity_0": "5", "quantity_1": "0", "reason": "Rusak semua"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(r'id="quantity_0-error">([^<]*)<', html)
    assert error and "Refund above what was paid" in unescape(error.group(1))
    assert 'value="5"' in html and "Rusak semua" in html
    assert refunds_count() == 0 and fake_gateway.calls == []


@pytest.mark.parametrize(
    "data",
    [
        {"quantity_0": "satu", "reason": "x"},
        {"quantity_0": "1", "reason": ""},
        {"quantity_0": "-1", "reason": "x"},
        {"quantity_0": "9" * 30, "reason": "x"},
        {},
    ],
)
def test_bad_refund_input_is_shown_and_changes_nothing(client, login, paid, fake_gateway, data):
    login(paid.tani_admin)

    response = client.post(admin_url(paid, paid.tani, "/pengembalian"), data=data)

    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert refunds_count() == 0 and fake_gateway.calls == []


def test_a_refund_refused_for_a_paid_out_member_tells_the_admin_why(
    client, login, paid, fake_gateway
):
    complete_now(paid, paid.tani, paid.tani_admin)
    approve_payout(paid.tani, paid.siti, SITI)
    login(paid.tani_admin)

    response = client.post(
        admin_url(paid, paid.tani, "/pengembalian"),
        data={"quantity_0": "1", "quantity_1": "0", "reason": "Rusak"},
    )

    page = text_of(response)
    assert "Refund refused: Keripik Bu Siti has Rp 0 available" in page
    assert refunds_count() == 0 and fake_gateway.calls == []
    assert check_ledger() == []


def test_a_refund_through_the_simulator_from_the_page(
    app, client, login, shop, simulator_app, monkeypatch
):
    monkeypatch.setitem(
        app.config, "MIDTRANS_SIMULATOR_URL", simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    )
    gateway = gateway_from_config(simulator_app.config)
    pay_through_simulator(shop.order, gateway, "qris")
    login(shop.tani_admin)

    client.post(
        admin_url(shop, shop.tani, "/pengembalian"),
        data={"quantity_0": "0", "quantity_1": "1", "reason": "Tumpah"},
    )

    assert gateway.status(shop.order.current_payment_id).refund_amount == 40_000
    assert refunds_count() == 1
    assert balances(shop.tani, shop.budi) == (0, 0)


def test_a_virtual_account_refund_shows_why_it_cannot_be_done(
    app, client, login, shop, simulator_app, monkeypatch
):
    monkeypatch.setitem(
        app.config, "MIDTRANS_SIMULATOR_URL", simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    )
    pay_through_simulator(shop.order, gateway_from_config(simulator_app.config), "bank_transfer")
    login(shop.tani_admin)

    response = client.post(
        admin_url(shop, shop.tani, "/pengembalian"),
        data={"quantity_0": "1", "quantity_1": "0", "reason": "Rusak"},
    )

    assert "cannot be refunded through the payment service" in text_of(response)
    assert refunds_count() == 0


# The shopper's button.


def shopper_browser(client, shop):
    with client.session_transaction() as session:
        remember_order_access(session, shop.order.number)
    return client


def test_the_order_page_offers_the_button_for_a_shipped_part_only(client, paid):
    shipment = paid.shipment(paid.tani)
    mark_packed(shipment, paid.tani_admin)
    mark_shipped(shipment, paid.tani_admin)
    shopper_browser(client, paid)

    html = client.get(f"/pesanan/{paid.order.number}").get_data(as_text=True)

    assert f"/pesanan/{paid.order.number}/diterima/{paid.tani.id}" in html
    assert f"/pesanan/{paid.order.number}/diterima/{paid.batik.id}" not in html  # still pending


def test_the_shopper_confirms_receipt_and_the_earnings_become_available(client, paid):
    shipment = paid.shipment(paid.tani)
    mark_packed(shipment, paid.tani_admin)
    mark_shipped(shipment, paid.tani_admin)
    shopper_browser(client, paid)

    response = client.post(
        f"/pesanan/{paid.order.number}/diterima/{paid.tani.id}", follow_redirects=True
    )

    assert response.status_code == 200
    assert "Thank you for confirming" in text_of(response)
    assert paid.shipment(paid.tani).status == ShipmentStatus.COMPLETED
    assert balances(paid.tani, paid.siti) == (0, SITI)


def test_the_signed_in_owner_confirms_with_their_account(client, login, shop):
    owner = make_user()
    shop.order.user_id = owner.id
    db.session.commit()
    pay(shop.order)
    mark_packed(shop.shipment(shop.batik), shop.batik_admin)
    mark_shipped(shop.shipment(shop.batik), shop.batik_admin, "JNE-1")
    login(owner)

    client.post(f"/pesanan/{shop.order.number}/diterima/{shop.batik.id}")

    assert shop.shipment(shop.batik).status == ShipmentStatus.COMPLETED
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "shipment.completed"))
    assert audit.actor_id == owner.id


def test_someone_without_access_to_the_order_gets_404_and_changes_nothing(client, login, paid):
    shipment = paid.shipment(paid.tani)
    mark_packed(shipment, paid.tani_admin)
    mark_shipped(shipment, paid.tani_admin)
    login(make_membership(coop=paid.tani, role=Role.ADMIN).user)  # even the coop's admin
    before = shipment_state(paid, paid.tani)

    response = client.post(f"/pesanan/{paid.order.number}/diterima/{paid.tani.id}")
    wrong_key = client.post(f"/pesanan/{paid.order.number}/diterima/{paid.tani.id}?kunci=abc")

    assert response.status_code == 404 and wrong_key.status_code == 404
    assert shipment_state(paid, paid.tani) == before


def test_the_mailed_link_lets_a_guest_confirm(client, paid):
    shipment = paid.shipment(paid.tani)
    mark_packed(shipment, paid.tani_admin)
    mark_shipped(shipment, paid.tani_admin)

    client.post(f"/pesanan/{paid.order.number}/diterima/{paid.tani.id}?kunci={paid.access_token}")

    assert paid.shipment(paid.tani).status == ShipmentStatus.COMPLETED


def test_confirming_a_part_not_sent_yet_says_so_and_changes_nothing(client, paid):
    shopper_browser(client, paid)
    before = shipment_state(paid, paid.tani)

    response = client.post(
        f"/pesanan/{paid.order.number}/diterima/{paid.tani.id}", follow_redirects=True
    )

    assert "has not been sent yet" in text_of(response)
    assert shipment_state(paid, paid.tani) == before
    missing = client.post(f"/pesanan/{paid.order.number}/diterima/999999", follow_redirects=True)
    assert missing.status_code == 200 and "no part from that cooperative" in text_of(missing)


def test_the_button_needs_its_csrf_token(client, paid, csrf_on):
    shipment = paid.shipment(paid.tani)
    mark_packed(shipment, paid.tani_admin)
    mark_shipped(shipment, paid.tani_admin)
    shopper_browser(client, paid)
    url = f"/pesanan/{paid.order.number}/diterima/{paid.tani.id}"

    refused = client.post(url)
    assert refused.status_code == 400
    assert paid.shipment(paid.tani).status == ShipmentStatus.SHIPPED

    page = client.get(f"/pesanan/{paid.order.number}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(url, data={"csrf_token": token})
    assert paid.shipment(paid.tani).status == ShipmentStatus.COMPLETED


def test_the_admins_forms_carry_their_csrf_token(client, login, paid, csrf_on):
    login_page = client.get("/akun/masuk").get_data(as_text=True)
    client.post(
        "/akun/masuk",
        data={
            "email": paid.tani_admin.email,
            "password": "rahasia-123",
            "csrf_token": csrf_token_from(login_page),
        },
    )
    page = client.get(admin_url(paid, paid.tani)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    assert (
        client.post(admin_url(paid, paid.tani, "/status"), data={"to": "packed"}).status_code == 400
    )
    client.post(admin_url(paid, paid.tani, "/status"), data={"to": "packed", "csrf_token": token})

    assert paid.shipment(paid.tani).status == ShipmentStatus.PACKED


def test_the_console_links_to_the_orders(client, login, paid):
    login(paid.tani_admin)

    html = client.get(f"/koperasi/{paid.tani.slug}/kelola/").get_data(as_text=True)

    assert f'href="/koperasi/{paid.tani.slug}/kelola/pesanan"' in html


def test_a_cooperative_id_beyond_any_row_is_not_found(client, paid):
    # The database driver would refuse a number this large (a 500) if it reached a query.
    link = f"/pesanan/{paid.order.number}/diterima/99999999999999999999?kunci={paid.access_token}"

    assert client.post(link).status_code == 404
    assert paid.shipment(paid.tani).status == ShipmentStatus.PENDING
