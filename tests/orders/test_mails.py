"""The shopper's mails: placed (with the way back for guests) and paid, written in the
language the shopper checked out in and sent through the queue; neither may break a sale."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from shop.checkout.models import Order
from shop.extensions import db
from shop.outbox import services as outbox_services
from shop.outbox.models import MailStatus, OutgoingMail
from shop.reports.period import JAKARTA
from tests.orders.conftest import LOCAL_FEE, mark_paid, place, products_in


def mails_to(outbox, address: str) -> list:
    return [mail for mail in outbox if mail.to == address]


def test_the_placed_mail_lists_each_cooperative_the_total_the_deadline_and_the_link(outbox):
    first, second = products_in(2)
    placed = place(
        [(first, 2), (second, 1)], local=[second.cooperative], email="ani@example.test",
        language="en",
    )  # fmt: skip
    order = db.session.get(Order, placed.order.id)

    [mail] = mails_to(outbox, "ani@example.test")
    assert order.number in mail.subject and "waiting for payment" in mail.subject
    body = mail.body
    assert f"Koperasi Nomor 1\n- {first.name}: 2 x Rp 10.000 = Rp 20.000\n" in body
    assert f"Koperasi Nomor 2\n- {second.name}: 1 x Rp 20.000 = Rp 20.000\n" in body
    assert "Local delivery" in body and f"Rp {LOCAL_FEE // 1000}.000" in body
    assert "Total to pay: Rp 52.000" in body
    deadline = order.expires_at.astimezone(JAKARTA)
    assert re.search(rf"{deadline:%b} {deadline.day}, {deadline.year}, .* WIB", body)
    assert f"http://localhost/pesanan/{order.number}?kunci={placed.access_token}" in body


def test_the_placed_mail_is_in_indonesian_by_default(outbox):
    placed = place([(products_in(1)[0], 1)], email="ani@example.test")
    [mail] = mails_to(outbox, "ani@example.test")
    assert mail.subject == f"Pesanan {placed.order.number}: menunggu pembayaran"
    assert "Total tagihan: Rp 10.000" in mail.body


def test_the_link_in_the_placed_mail_opens_the_order_in_any_browser(app, outbox):
    placed = place([(products_in(1)[0], 1)])
    link = next(line for line in outbox[0].body.splitlines() if "kunci=" in line)

    parts = urlsplit(link)
    response = app.test_client().get(f"{parts.path}?{parts.query}")

    assert response.status_code == 200
    assert placed.order.number in response.get_data(as_text=True)


def test_the_key_is_forgotten_once_the_mail_is_sent(outbox):
    placed = place([(products_in(1)[0], 1)])
    mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.to == "siti@example.test"))
    assert mail.status == MailStatus.SENT
    assert mail.body == ""  # the link with the key lived in the outbox only until it was sent
    assert placed.access_token not in str(db.session.scalars(select(OutgoingMail.body)).all())


def test_the_paid_mail_says_how_much_how_and_what_comes_next(outbox):
    placed = place([(products_in(1)[0], 3)], email="budi@example.test", language="en")
    outbox.clear()
    mark_paid(placed.order, "gopay")

    [mail] = mails_to(outbox, "budi@example.test")
    assert placed.order.number in mail.subject
    assert "payment of Rp 30.000" in mail.body
    assert "Payment method: GoPay" in mail.body
    assert "each cooperative packs and sends its part" in mail.body
    assert f"http://localhost/pesanan/{placed.order.number}" in mail.body.splitlines()
    assert "kunci" not in mail.body


def test_a_failing_mail_server_never_breaks_the_sale(outbox, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(outbox_services, "send_mail", broken)
    placed = place([(products_in(1)[0], 1)], email="ani@example.test")
    mark_paid(placed.order)

    assert db.session.get(Order, placed.order.id).status == "paid"
    assert outbox == []
    mails = db.session.scalars(select(OutgoingMail).where(OutgoingMail.to == "ani@example.test"))
    # Each waits for its retry, with the reason on record.
    assert {(m.status, m.attempts, m.last_error) for m in mails} == {
        (MailStatus.PENDING, 1, "OSError: connection refused")
    }
