"""The shopper's order page after a cooperative refunded some of its lines: which units came
back, how much, how and when, and what the order costs now.

The order (tests/fulfilment/conftest.py): Tani's 3 x keripik (Rp 15.000) and 1 x madu
(Rp 40.000) with local delivery Rp 12.000, Batik's kain Rp 350.000 by courier Rp 25.000;
grand total Rp 472.000, paid by QRIS.
"""

import re
from datetime import UTC, datetime
from html import unescape

from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from tests.fulfilment.conftest import paid, shop  # noqa: F401  (fixtures)
from tests.fulfilment.test_refunds import FakeGateway
from tests.orders.test_views import page, section_of


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def refund_two_keripik(paid):  # noqa: F811
    refund = refund_lines(
        paid.order,
        paid.tani,
        {paid.line(paid.siti).id: 2},
        "Kemasan rusak",
        paid.tani_admin,
        FakeGateway(),
    )
    refund.created_at = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # 09:00 in Jakarta
    db.session.commit()
    return refund


def test_the_shopper_sees_the_refunded_units_amount_method_and_date(english, paid):  # noqa: F811
    refund_two_keripik(paid)

    html = page(english, paid)

    tani = section_of(html, paid.tani.id)
    keripik_row = text(re.search(r"<tr>\s*<td[^>]*>Keripik Tempe</td>.*?</tr>", tani, re.S)[0])
    assert keripik_row == "Keripik Tempe 3 Rp 15.000 Rp 45.000 2"  # 2 of the 3 refunded
    refunds = text(tani.split('id="refunds-')[1])
    assert "Mar 4, 2030, 9:00:00 AM" in refunds
    assert "2 × Keripik Tempe" in refunds and "Rp 30.000" in refunds
    assert "Refunded to the original payment method (QRIS)" in refunds
    assert "Refunds" not in text(section_of(html, paid.batik.id))  # Batik refunded nothing
    totals = text(html.split('id="totals-heading"')[1])
    assert "Grand total Rp 472.000" in totals
    assert "Refunded Rp 30.000" in totals
    assert "Total after refunds Rp 442.000" in totals


def test_two_refunds_add_up_on_the_page(english, paid):  # noqa: F811
    refund_two_keripik(paid)
    refund_lines(
        paid.order,
        paid.tani,
        {paid.line(paid.siti).id: 1, paid.line(paid.budi).id: 1},
        "Basi",
        paid.tani_admin,
        FakeGateway(),
    )

    html = page(english, paid)

    tani = text(section_of(html, paid.tani.id))
    assert "1 × Keripik Tempe, 1 × Madu Hutan" in tani and "Rp 55.000" in tani
    totals = text(html.split('id="totals-heading"')[1])
    assert "Refunded Rp 85.000" in totals and "Total after refunds Rp 387.000" in totals


def test_an_order_without_refunds_shows_none(english, paid):  # noqa: F811
    html = page(english, paid)

    assert "Total after refunds" not in html and 'id="refunds-' not in html


def test_the_refund_table_stacks_into_labelled_cards_on_a_phone(english, paid):  # noqa: F811
    refund_two_keripik(paid)

    html = page(english, paid)

    assert html.count('<table class="stack">') == 3  # two parts' lines, Tani's refunds
    assert all("data-label=" in cell for cell in re.findall(r"<td[^>]*>", html))
