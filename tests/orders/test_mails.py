"""The shopper's mails: placed (with the way back for guests) and paid; neither may raise."""

import logging
import re
import smtplib
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale

from shop.checkout.models import Order
from shop.extensions import db
from shop.orders import mails
from shop.orders.access import order_link
from shop.orders.mails import send_order_paid_mail, send_order_placed_mail
from tests.orders.conftest import LOCAL_FEE, mark_paid, place, products_in


def placed_mail(app, placed) -> str:
    """Send the placed mail as checkout does (inside a request), in English; its link."""
    with app.test_request_context(), force_locale("en"):
        link = order_link(placed.order.number, placed.access_token)
        send_order_placed_mail(placed.order, link)
    return link


def test_the_placed_mail_lists_each_cooperative_the_total_the_deadline_and_the_link(app, outbox):
    first, second = products_in(2)
    placed = place([(first, 2), (second, 1)], local=[second.cooperative], email="ani@example.test")
    order = db.session.get(Order, placed.order.id)
    order.expires_at = datetime(2030, 5, 1, 3, 0, tzinfo=UTC)
    db.session.commit()

    link = placed_mail(app, placed)

    [mail] = outbox
    assert mail.to == "ani@example.test"
    assert order.number in mail.subject
    body = mail.body
    assert f"Koperasi Nomor 1\n- {first.name}: 2 x Rp 10.000 = Rp 20.000\n" in body
    assert f"Koperasi Nomor 2\n- {second.name}: 1 x Rp 20.000 = Rp 20.000\n" in body
    assert "Local delivery" in body and f"Rp {LOCAL_FEE // 1000}.000" in body
    assert "Total to pay: Rp 52.000" in body
    # The deadline in Jakarta time (CLDR puts a narrow no-break space before AM).
    assert re.search(r"May 1, 2030, 10:00:00\sAM WIB", body)
    assert link in body and "kunci=" in link


def test_the_link_in_the_placed_mail_opens_the_order_in_any_browser(app, outbox):
    placed = place([(products_in(1)[0], 1)])
    placed_mail(app, placed)
    link = next(line for line in outbox[0].body.splitlines() if "kunci=" in line)

    parts = urlsplit(link)
    response = app.test_client().get(f"{parts.path}?{parts.query}")

    assert response.status_code == 200
    assert placed.order.number in response.get_data(as_text=True)


def test_the_paid_mail_says_how_much_how_and_what_comes_next(app, outbox):
    placed = place([(products_in(1)[0], 3)], email="budi@example.test")
    mark_paid(placed.order, "gopay")
    outbox.clear()  # the payment itself sent one, in Indonesian

    with force_locale("en"):  # outside any request, as a payment job would send it
        send_order_paid_mail(placed.order)

    [mail] = outbox
    assert mail.to == "budi@example.test"
    assert placed.order.number in mail.subject
    assert "payment of Rp 30.000" in mail.body
    assert "Payment method: GoPay" in mail.body
    assert "each cooperative packs and sends its part" in mail.body
    assert f"http://localhost/pesanan/{placed.order.number}" in mail.body.splitlines()
    assert "kunci" not in mail.body


@pytest.mark.parametrize("error", [OSError("connection refused"), smtplib.SMTPException("no")])
def test_a_failing_mail_backend_never_breaks_the_caller(app, outbox, monkeypatch, caplog, error):
    placed = place([(products_in(1)[0], 1)])
    mark_paid(placed.order)
    outbox.clear()

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(mails, "send_mail", broken)
    with caplog.at_level(logging.ERROR, logger="shop.orders.mails"):
        placed_mail(app, placed)
        send_order_paid_mail(placed.order)

    assert outbox == []
    failures = [record for record in caplog.records if record.exc_info]
    assert [record.getMessage() for record in failures] == [
        f"order placed mail for {placed.order.number} failed",
        f"order paid mail for {placed.order.number} failed",
    ]
