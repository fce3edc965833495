"""The order page (per cooperative, timeline, paying) and the signed-in shopper's list."""

import re
from datetime import UTC, datetime, timedelta

from flask import url_for

from shop.checkout.models import Order, OrderStatus, ShipmentStatus
from shop.checkout.services import release_stock
from shop.extensions import db
from shop.orders import queries
from shop.timeutil import utcnow
from tests.factories import make_user
from tests.orders.conftest import LOCAL_FEE, mark_paid, place, products_in


def section_of(html: str, cooperative_id: int) -> str:
    """The page's section for one cooperative's part."""
    match = re.search(
        rf'<section class="order-part" aria-labelledby="coop-{cooperative_id}">(.*?)</section>',
        html,
        re.S,
    )
    assert match, f"no section for cooperative {cooperative_id}"
    return match.group(1)


def timeline_of(section: str) -> list[str]:
    items = re.findall(r"<li>(.*?)</li>", section.split('class="timeline"')[1], re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


def page(client, placed) -> str:
    response = client.get(f"/pesanan/{placed.order.number}?kunci={placed.access_token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_cooperative_has_its_own_section_with_lines_shipping_and_totals(english):
    first, second, third = products_in(3)
    placed = place(
        [(first, 2), (second, 1), (third, 3)], local=[second.cooperative], email="ani@example.test"
    )

    html = page(english, placed)

    one = section_of(html, first.cooperative_id)
    assert "Koperasi Nomor 1" in one and first.name in one
    assert "Rp\xa010.000" in one and "Rp\xa020.000" in one  # unit price, 2 of them
    assert "Pick up at the cooperative" in one and "Rp\xa00" in one
    assert second.name not in one and third.name not in one
    two = section_of(html, second.cooperative_id)
    assert second.name in two and "Local delivery" in two and "Rp\xa012.000" in two
    three = section_of(html, third.cooperative_id)
    assert third.name in three and "Rp\xa090.000" in three
    order = db.session.get(Order, placed.order.id)
    assert order.items_total == 20000 + 20000 + 90000 and order.shipping_total == LOCAL_FEE
    assert "Rp\xa0142.000" in html  # the grand total
    assert "ani@example.test" in html and "Jl. Melati 5" in html


def test_a_pending_order_offers_to_pay_before_its_deadline(app, english):
    placed = place([(products_in(1)[0], 1)])
    order = db.session.get(Order, placed.order.id)
    order.expires_at = datetime(2030, 5, 1, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
    db.session.commit()

    html = page(english, placed)

    assert "Waiting for payment" in html
    assert "May 1, 2030, 10:00:00" in html
    with app.test_request_context():
        pay_url = url_for("payments.pay", number=order.number)
    assert re.search(
        rf'<form method="post" action="{pay_url}">\s*<input type="hidden" name="csrf_token"', html
    )
    assert "Pay now" in html


def test_a_pending_order_past_its_deadline_cannot_be_paid(english):
    placed = place([(products_in(1)[0], 1)])
    order = db.session.get(Order, placed.order.id)
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    html = page(english, placed)

    assert "The time to pay this order ran out" in html
    assert "Pay now" not in html and "Pay Rp" not in html


def test_the_line_tables_stack_into_labelled_cards_on_a_phone(english):
    first, second = products_in(2)
    placed = place([(first, 2), (second, 1)])

    html = page(english, placed)

    assert html.count('<table class="stack">') == 2
    assert all("data-label=" in cell for cell in re.findall(r"<td[^>]*>", html))
    assert '<td data-label="Total" class="number">Rp\xa020.000</td>' in html


def test_paid_order_shows_method_amount_and_jakarta_time(english):
    placed = place([(products_in(1)[0], 2)])
    mark_paid(placed.order, "bank_transfer", at=datetime(2030, 1, 10, 17, 30, tzinfo=UTC))

    html = page(english, placed)

    assert "Bank transfer (virtual account)" in html
    assert "Jan 11, 2030, 12:30:00" in html  # 17:30 UTC is 00:30 the next day in Jakarta
    assert "Pay now" not in html
    section = section_of(html, placed.order.shipments[0].cooperative_id)
    timeline = timeline_of(section)
    assert timeline[1].startswith("Paid: Jan 11, 2030")
    assert timeline[2:] == [  # a pickup part: never "shipped"
        "Packed: not yet",
        "Ready for pickup: not yet",
        "Picked up: not yet",
        "Completed: not yet",
    ]


def test_an_unknown_payment_method_is_shown_as_it_came(english):
    placed = place([(products_in(1)[0], 1)])
    mark_paid(placed.order, "akulaku")
    assert "akulaku" in page(english, placed)


def test_a_shipped_part_shows_its_tracking_number_and_the_other_part_does_not(english):
    first, second = products_in(2)
    placed = place([(first, 1), (second, 1)], local=[first.cooperative, second.cooperative])
    mark_paid(placed.order)
    shipped = placed.order.shipments[0]
    shipped.packed_at = utcnow() - timedelta(minutes=30)
    shipped.shipped_at = utcnow()
    shipped.tracking_number = "JNE0123456789"
    db.session.commit()

    html = page(english, placed)

    sent = timeline_of(section_of(html, shipped.cooperative_id))
    assert sent[3].startswith("Shipped:") and "tracking number JNE0123456789" in sent[3]
    assert sent[4] == "Delivered: not yet"
    waiting = section_of(html, placed.order.shipments[1].cooperative_id)
    assert "JNE0123456789" not in waiting
    assert timeline_of(waiting)[2:] == [
        "Packed: not yet",
        "Shipped: not yet",
        "Delivered: not yet",
        "Completed: not yet",
    ]


def test_an_expired_order_shows_that_and_no_way_to_pay(english):
    placed = place([(products_in(1)[0], 1)])
    assert release_stock(placed.order, OrderStatus.EXPIRED)

    html = page(english, placed)

    assert "Pay now" not in html and "Pay Rp" not in html and "ran out" not in html
    assert "Expired: not paid in time" in html
    timeline = timeline_of(section_of(html, placed.order.shipments[0].cooperative_id))
    assert len(timeline) == 2
    assert timeline[0].startswith("Ordered:") and timeline[1].startswith(
        "Expired: not paid in time:"
    )


def test_the_page_is_private_and_never_cached(client):
    placed = place([(products_in(1)[0], 1)])
    response = client.get(f"/pesanan/{placed.order.number}?kunci={placed.access_token}")

    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "X-Page-Cache" not in response.headers


def test_the_page_costs_the_same_queries_for_one_or_three_cooperatives(client, count_queries):
    small = place([(products_in(1)[0], 1)])
    large = place([(product, 1) for product in products_in(3)])
    numbers = [small.order.number, large.order.number]
    with client.session_transaction() as session:
        session["order_numbers"] = numbers

    with count_queries() as one:
        assert client.get(f"/pesanan/{numbers[0]}").status_code == 200
    with count_queries() as three:
        assert client.get(f"/pesanan/{numbers[1]}").status_code == 200

    assert len(one) == len(three) <= 2


def test_a_paid_order_reads_no_reviews_until_a_part_is_completed(client, count_queries):
    """Cooperatives come with the shipments, and reviews are read only once a part can have
    them: a line is reviewed only after its part is completed."""
    placed = place([(product, 1) for product in products_in(2)])
    mark_paid(placed.order)
    url = f"/pesanan/{placed.order.number}?kunci={placed.access_token}"

    with count_queries() as paid:
        assert client.get(url).status_code == 200
    placed.order.shipments[0].status = ShipmentStatus.COMPLETED
    db.session.commit()
    with count_queries() as completed:
        assert client.get(url).status_code == 200

    def reads(statements, table):
        return [s for s in statements if re.search(rf"FROM {table}\b", s)]

    assert not reads(paid, "reviews") and len(reads(completed, "reviews")) == 1
    assert not reads(paid, "cooperatives")  # joined to the shipments' statement
    assert len(completed) == len(paid) + 1


def test_an_order_not_awaiting_payment_reads_no_payment_attempt(english, count_queries):
    """The payment panel is for a pending order only: a paid one's page does not read the
    latest attempt (one statement of three), and still offers to buy again."""
    placed = place([(product, 1) for product in products_in(1)])
    mark_paid(placed.order)
    placed.order.payment_attempts = 1  # as a real payment leaves it: the panel would look
    db.session.commit()

    with count_queries() as statements:
        html = page(english, placed)

    assert not [s for s in statements if re.search(r"FROM payment_attempts\b", s)]
    assert "Buy again" in html and 'id="pay-heading"' not in html


def test_my_orders_lists_only_mine_newest_first(english, login):
    shopper = make_user()
    product = products_in(1)[0]
    older, newer = place([(product, 1)], user=shopper), place([(product, 2)], user=shopper)
    older.order.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    someone_else = place([(product, 1)], user=make_user())
    login(shopper)

    response = english.get("/akun/pesanan")

    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    numbers = re.findall(r'href="/pesanan/(PK-[^"]+)"', html)
    assert numbers == [newer.order.number, older.order.number]
    assert someone_else.order.number not in html
    assert "Waiting for payment" in html
    assert english.get(f"/pesanan/{numbers[0]}").status_code == 200


def test_my_orders_pages_through(english, login, monkeypatch):
    monkeypatch.setattr(queries, "ORDERS_PER_PAGE", 2)
    shopper = make_user()
    product = products_in(1)[0]
    placed = [place([(product, 1)], user=shopper) for _ in range(3)]
    for age, order in enumerate(reversed([p.order for p in placed])):
        order.created_at = utcnow() - timedelta(hours=age)
    db.session.commit()
    login(shopper)

    first = english.get("/akun/pesanan").get_data(as_text=True)
    second = english.get("/akun/pesanan?page=2").get_data(as_text=True)

    assert re.findall(r'href="/pesanan/(PK-[^"]+)"', first) == [
        placed[2].order.number,
        placed[1].order.number,
    ]
    assert re.findall(r'href="/pesanan/(PK-[^"]+)"', second) == [placed[0].order.number]


def test_my_orders_needs_an_account_and_the_account_page_links_to_it(english, login):
    response = english.get("/akun/pesanan")
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]

    login(make_user())
    assert 'href="/akun/pesanan"' in english.get("/akun/").get_data(as_text=True)
    assert "You have not ordered anything yet." in english.get("/akun/pesanan").get_data(
        as_text=True
    )


def test_an_order_all_picked_up_reads_ready_for_pickup_in_my_orders(english, login):
    shopper = make_user()
    placed = place([(products_in(1)[0], 1)], user=shopper)  # picked up at the cooperative
    mark_paid(placed.order)
    for status in (OrderStatus.PACKED, OrderStatus.SHIPPED):
        placed.order.move_to(status)
    placed.order.shipments[0].status = ShipmentStatus.SHIPPED
    db.session.commit()
    login(shopper)

    listed = english.get("/akun/pesanan").get_data(as_text=True)
    detail = english.get(f"/pesanan/{placed.order.number}").get_data(as_text=True)

    assert "Ready for pickup" in listed and "Shipped" not in listed
    assert '<span class="badge">Ready for pickup</span>' in detail
