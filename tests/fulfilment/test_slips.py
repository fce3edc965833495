"""The packing slip of a cooperative's part: who sends it to whom (or that the shopper picks
it up), what is in the parcel, and the order number as a QR code drawn on the server."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from sqlalchemy import update

from shop.catalog.models import Product
from shop.checkout.services import place_order
from shop.extensions import db
from shop.fulfilment.services import mark_packed, mark_shipped
from shop.reports.period import in_jakarta
from tests.checkout.test_orders import checkout_request
from tests.factories import pay
from tests.fulfilment.test_views import admin_url, text_of

STATIC = Path(__file__).parents[2] / "shop" / "static"


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def qr_modules(html: str) -> set[tuple[int, int]]:
    """The dark modules (row, column) the page's SVG QR code draws, read back from its path:
    segno draws each row's runs as M/m moves and h lines, one unit per module."""
    svg = re.search(r'<svg[^>]*class="qr".*?</svg>', html, re.S).group(0)
    path = re.search(r'\sd="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            dark |= {(int(y), int(x) + step) for step in range(int(first))}
            x += int(first)
    return dark


def modules_of(text: str, border: int = 4) -> set[tuple[int, int]]:
    """The dark modules of `text` as a (full size) QR code, with its quiet zone."""
    matrix = segno.make(text, error="m", micro=False).matrix
    return {
        (row + border, column + border)
        for row, values in enumerate(matrix)
        for column, value in enumerate(values)
        if value
    }


def test_the_slip_names_sender_recipient_lines_and_carries_the_order_number_as_qr(
    client, login, paid
):
    login(paid.tani_admin)

    response = client.get(admin_url(paid, paid.tani, "/slip?ukuran=a6"))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    html = response.get_data(as_text=True)
    page = text_of(response)
    recipient = page.split("Recipient", 1)[1].split("Sender", 1)[0]
    assert "Siti Aminah" in recipient and "+6281234567890" in recipient
    assert "Jl. Melati 5" in recipient and "Baciro, Gondokusuman" in recipient
    assert "Kota Yogyakarta, DI Yogyakarta 55225" in recipient
    assert "Koperasi Tani" in page.split("Sender", 1)[1]
    assert "Local delivery" in page
    assert re.search(r"Keripik Tempe\s*</td>\s*<td></td>\s*<td class=\"number\">3</td>", html)
    assert re.search(r"Madu Hutan\s*</td>\s*<td></td>\s*<td class=\"number\">1</td>", html)
    assert "Kain Batik" not in page  # Batik's part of the same order
    assert f'<h1 class="slip-number">{paid.order.number}</h1>' in html
    assert "<svg" in html and qr_modules(html) == modules_of(paid.order.number)


def test_a_courier_slip_names_the_courier_and_the_tracking_number(client, login, paid):
    shipment = paid.shipment(paid.batik)
    mark_packed(shipment, paid.batik_admin)
    mark_shipped(paid.shipment(paid.batik), paid.batik_admin, "JNE-0042")
    login(paid.batik_admin)

    page = text_of(client.get(admin_url(paid, paid.batik, "/slip")))

    assert "Courier · JNE REG" in page and "Tracking number: JNE-0042" in page
    assert "Kain Batik" in page and "Keripik Tempe" not in page


def test_a_pickup_slip_says_pick_up_at_the_cooperative_instead_of_an_address(client, login, paid):
    number = _pickup_order(paid)
    login(paid.tani_admin)

    page = text_of(client.get(f"/koperasi/{paid.tani.slug}/kelola/pesanan/{number}/slip"))

    recipient = page.split("Recipient", 1)[1].split("Sender", 1)[0]
    assert "Siti Aminah" in recipient and "Pick up at the cooperative" in recipient
    assert "Jl. Melati 5" not in recipient


def test_a_pre_order_line_shows_the_day_it_was_promised(client, login, paid):
    keripik = paid.line(paid.siti).product_id
    db.session.execute(update(Product).where(Product.id == keripik).values(pre_order_days=3))
    db.session.commit()
    login(paid.tani_admin)

    page = text_of(client.get(admin_url(paid, paid.tani, "/slip")))

    day = in_jakarta(paid.order.paid_at).date() + timedelta(days=3)
    assert f"Pre-order: ready on {day:%b} {day.day}, {day.year}" in page
    assert page.count("Pre-order") == 1  # the madu is ready stock


def test_each_size_prints_on_its_own_paper_and_links_the_other(client, login, paid):
    login(paid.tani_admin)

    label = client.get(admin_url(paid, paid.tani, "/slip?ukuran=a6")).get_data(as_text=True)
    sheet = client.get(admin_url(paid, paid.tani, "/slip?ukuran=a4")).get_data(as_text=True)
    default = client.get(admin_url(paid, paid.tani, "/slip")).get_data(as_text=True)

    assert re.search(r'href="/assets/css/slip-a6\.\w+\.css"', label) and "slip-a4" not in label
    assert re.search(r'href="/assets/css/slip-a4\.\w+\.css"', sheet)
    assert "slip-a6." in default
    assert "ukuran=a4" in label and "ukuran=a6" in sheet
    assert "@page { size: 100mm 150mm" in (STATIC / "css/slip-a6.css").read_text()
    assert "@page { size: A4" in (STATIC / "css/slip-a4.css").read_text()
    # The Print button waits for print.js (the page's policy allows no inline script).
    assert '<button type="button" data-print hidden>' in label and "onclick" not in label


@pytest.mark.parametrize("size", ["a5", "A6", "", "../site"])
def test_an_unknown_size_is_not_found(client, login, paid, size):
    login(paid.tani_admin)
    assert client.get(admin_url(paid, paid.tani, f"/slip?ukuran={size}")).status_code == 404


def test_the_order_page_links_both_sizes(client, login, paid):
    login(paid.tani_admin)

    html = client.get(admin_url(paid, paid.tani)).get_data(as_text=True)

    for size in ("a6", "a4"):
        assert admin_url(paid, paid.tani, f"/slip?ukuran={size}") in html


def test_another_cooperatives_admin_gets_not_found(client, login, paid):
    number = _pickup_order(paid)  # Tani's only
    login(paid.batik_admin)

    own_url = client.get(f"/koperasi/{paid.batik.slug}/kelola/pesanan/{number}/slip")
    their_url = client.get(f"/koperasi/{paid.tani.slug}/kelola/pesanan/{number}/slip")

    assert own_url.status_code == 404
    assert their_url.status_code == 403  # not an admin of Tani at all
    assert client.get(f"/koperasi/{paid.batik.slug}/kelola/pesanan/PK-0/slip").status_code == 404


def _pickup_order(paid) -> str:
    """A paid order of Tani's keripik, picked up at the cooperative."""
    keripik = paid.line(paid.siti).variant_id
    order = place_order([(keripik, 1)], checkout_request(paid.tani), None).order
    pay(order)
    return order.number
