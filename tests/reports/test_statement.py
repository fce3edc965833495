"""A member's statement: every entry on their pending and available balances, newest first,
with running balances that are right on every page; always the signed-in member's own."""

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from shop.checkout.models import OrderLine
from shop.extensions import db
from shop.ledger.journal import balance
from shop.ledger.models import Account, EntryKind
from shop.money import format_rupiah_html
from shop.reports import statement
from shop.reports.period import Period
from shop.reports.statement import statement_lines, statement_page
from shop.reports.tables import entry_description, statement_table
from tests.reports.conftest import NOVEMBER

# Siti's entries, newest first: (kind, pending change, pending after, available change,
# available after). B settled 31 Oct, A 10 Nov, completed 15 Nov, refunded 20 Nov, payout
# approved 1 Dec.
SITI = [
    (EntryKind.PAYOUT_APPROVED, 0, 14625, -10000, 19250),
    (EntryKind.REFUND, 0, 14625, -14625, 29250),
    (EntryKind.COMPLETION, -43875, 14625, 43875, 43875),
    (EntryKind.SETTLEMENT, 43875, 58500, 0, 0),
    (EntryKind.SETTLEMENT, 14625, 14625, 0, 0),
]


def summary(lines) -> list[tuple]:
    return [
        (
            line.kind,
            line.pending_change,
            line.pending_balance,
            line.available_change,
            line.available_balance,
        )
        for line in lines
    ]


def statement_url(books) -> str:
    return f"/koperasi/{books.tani.slug}/anggota/mutasi"


@pytest.fixture
def siti_client(client, login, books):
    login(books.siti.user)
    client.get("/bahasa/en")
    return client


def html_rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [
        [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_running_balances_worked_by_hand(books):
    lines = statement_page(books.siti, 1).items

    assert summary(lines) == SITI
    assert [line.order_number for line in lines[1:]] == [
        books.order_a.number,
        books.order_a.number,
        books.order_a.number,
        books.order_b.number,
    ]
    assert lines[0].payout_id is not None and lines[0].order_number is None
    # The newest balances are the ledger's.
    assert lines[0].pending_balance == balance(books.tani.id, Account.MEMBER_PENDING, books.siti.id)
    assert lines[0].available_balance == balance(
        books.tani.id, Account.MEMBER_AVAILABLE, books.siti.id
    )


@pytest.mark.parametrize("number", [1, 2, 3])
def test_every_page_starts_from_the_right_balances(books, number):
    page = statement_page(books.siti, number, per_page=2)

    assert summary(page.items) == SITI[(number - 1) * 2 : number * 2]
    assert (page.total, page.page_count) == (5, 3)


def test_a_page_past_the_end_is_empty(books):
    page = statement_page(books.siti, 4, per_page=2)

    assert (page.items, page.total) == ([], 5)


def test_page_two_over_http_shows_the_running_balances(siti_client, books, monkeypatch):
    monkeypatch.setattr(statement, "PER_PAGE", 2)
    keripik = books.line(books.order_a, books.siti).product_name

    response = siti_client.get(statement_url(books) + "?page=2")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert [row[1:] for row in html_rows(html)] == [
        [
            f"Order {books.order_a.number} completed: earnings available",
            format_rupiah_html(-43875),
            format_rupiah_html(14625),
            format_rupiah_html(43875),
            format_rupiah_html(43875),
        ],
        [
            f"Sale, order {books.order_a.number}: {keripik} ×3",
            format_rupiah_html(43875),
            format_rupiah_html(58500),
            format_rupiah_html(0),
            format_rupiah_html(0),
        ],
    ]
    assert "Page 2 of 3" in html
    assert 'class="table-wrap" tabindex="0" role="region"' in html


def test_csv_has_every_entry_with_plain_numbers(siti_client, books):
    response = siti_client.get(statement_url(books) + "?format=csv")

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="tani-makmur-statement-'
    )
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header == [
        "Date",
        "What",
        "Pending: change",
        "Pending: balance",
        "Available: change",
        "Available: balance",
    ]
    assert [tuple(map(int, row[2:])) for row in rows] == [
        (pending, pending_after, available, available_after)
        for _kind, pending, pending_after, available, available_after in SITI
    ]
    assert rows[0][0] == "2026-12-01 00:00" and rows[-1][0] == "2026-10-31 23:59"


def test_the_statement_is_always_the_signed_in_members_own(client, login, books):
    login(books.budi.user)
    client.get("/bahasa/en")

    response = client.get(statement_url(books) + f"?member_id={books.siti.id}&format=csv")

    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))[1:]
    # Budi's: C and A settled, A completed, his payout approved (the transfer is not on his
    # accounts); none of Siti's.
    assert [row[1].split(",")[0].split(" ")[0] for row in rows] == [
        "Sale",
        "Payout",
        "Order",
        "Sale",
    ]
    assert books.order_b.number not in response.get_data(as_text=True)
    assert [int(row[5]) for row in rows][0] == 9000


def test_a_member_of_another_cooperative_cannot_open_it(client, login, books):
    login(books.rina.user)

    response = client.get(statement_url(books))

    assert response.status_code == 403
    assert "Keripik" not in response.get_data(as_text=True)


def test_a_member_with_nothing_booked_sees_an_empty_statement(client, login, books):
    login(books.admin.user)
    client.get("/bahasa/en")

    html = client.get(statement_url(books)).get_data(as_text=True)

    assert "Nothing has been booked for you yet." in html
    assert "format=csv" not in html


def test_the_statement_costs_the_same_queries_however_long(client, login, books, count_queries):
    login(books.rina.user)
    rina_url = f"/koperasi/{books.batik.slug}/anggota/mutasi"
    siti_url = statement_url(books)
    with count_queries() as short:  # one entry
        assert client.get(rina_url).status_code == 200
    login(books.siti.user)
    with count_queries() as long:  # five entries
        assert client.get(siti_url).status_code == 200

    assert len(long) == len(short)


def test_statement_lines_agree_with_the_pages(books):
    assert summary(statement_lines(books.siti)) == SITI
    assert summary(statement_lines(books.budi))[0][1:] == (78000, 78000, 0, 9000)


# From 12 November: A's completion (15 Nov) and the refund (20 Nov); Siti's payout of
# 1 December and her sales of 31 October and 10 November fall outside.
LATE_NOVEMBER = Period(date(2026, 11, 12), date(2026, 11, 30))
LATE_NOVEMBER_ARGS = "date_from=2026-11-12&date_to=2026-11-30"


def test_sales_and_refunds_name_the_members_own_products(books):
    keripik = books.line(books.order_a, books.siti).product_name
    tas = books.line(books.order_a, books.budi).product_name

    siti = statement_page(books.siti, 1).items
    budi = statement_page(books.budi, 1).items

    # Payout, refund of 1, completion, sale A of 3, sale B of 1.
    assert [line.products for line in siti] == [
        (),
        ((keripik, 1),),
        (),
        ((keripik, 3),),
        ((keripik, 1),),
    ]
    # In A, Budi's line only: his tas, not Siti's keripik.
    sale_a = next(
        line for line in budi if line.order_number == books.order_a.number and line.products
    )
    assert sale_a.products == ((tas, 1),)
    refund = entry_description(EntryKind.REFUND, books.order_a.number, None)
    assert statement_table(siti).rows[1][1] == f"{refund}: {keripik} ×1"


def test_a_variant_is_named_with_its_product(books):
    line = books.line(books.order_a, books.siti)
    db.session.execute(
        update(OrderLine).where(OrderLine.id == line.id).values(variant_label="200 g")
    )

    rows = statement_table(statement_lines(books.siti)).rows

    sale = entry_description(EntryKind.SETTLEMENT, books.order_a.number, None)
    assert rows[3][1] == f"{sale}: {line.product_name} 200 g ×3"


def test_a_period_shows_its_entries_with_the_true_balances(books):
    assert summary(statement_page(books.siti, 1, period=LATE_NOVEMBER).items) == SITI[1:3]
    assert summary(statement_page(books.siti, 1, period=NOVEMBER).items) == SITI[1:4]
    assert summary(statement_lines(books.siti, LATE_NOVEMBER)) == SITI[1:3]
    second = statement_page(books.siti, 2, per_page=1, period=NOVEMBER)
    assert summary(second.items) == SITI[2:3]
    assert (second.total, second.page_count) == (3, 3)
    december = Period(date(2026, 12, 2), date(2026, 12, 31))
    assert statement_page(books.siti, 1, period=december).total == 0
    assert statement_lines(books.siti, december) == []


def test_the_period_is_chosen_in_the_query_string(siti_client, books):
    response = siti_client.get(statement_url(books) + "?" + LATE_NOVEMBER_ARGS)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert [row[1:] for row in html_rows(html)] == [
        [
            f"Refund, order {books.order_a.number}: "
            f"{books.line(books.order_a, books.siti).product_name} ×1",
            format_rupiah_html(0),
            format_rupiah_html(14625),
            format_rupiah_html(-14625),
            format_rupiah_html(29250),
        ],
        [
            f"Order {books.order_a.number} completed: earnings available",
            format_rupiah_html(-43875),
            format_rupiah_html(14625),
            format_rupiah_html(43875),
            format_rupiah_html(43875),
        ],
    ]
    assert 'value="2026-11-12"' in html and "Show the whole statement" in html
    assert "format=csv&amp;date_from=2026-11-12&amp;date_to=2026-11-30" in html


def test_a_filtered_page_keeps_its_period_in_the_page_links(siti_client, books, monkeypatch):
    monkeypatch.setattr(statement, "PER_PAGE", 1)

    html = siti_client.get(statement_url(books) + "?" + LATE_NOVEMBER_ARGS).get_data(True)

    assert "Page 1 of 2" in html
    assert re.search(r'rel="next" href="[^"]*date_from=2026-11-12[^"]*page=2', html)


def test_every_line_is_a_card_on_a_phone(siti_client, books):
    html = siti_client.get(statement_url(books)).get_data(as_text=True)

    assert '<table class="stack">' in html
    cells = re.findall(r"<td[^>]*>", html)
    assert len(cells) == 5 * 6 and all("data-label=" in cell for cell in cells)
    assert '<td data-label="Available: balance" class="number">Rp\xa019.250</td>' in html


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_downloads_follow_the_period(siti_client, books, export):
    response = siti_client.get(statement_url(books) + f"?{LATE_NOVEMBER_ARGS}&format={export}")

    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="tani-makmur-statement-2026-11-12_2026-11-30.{export}"'
    )
    if export == "csv":
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))[1:]
    else:
        rows = list(load_workbook(io.BytesIO(response.get_data())).active.values)[1:]
    assert [tuple(int(cell) for cell in row[2:]) for row in rows] == [
        (pending, pending_after, available, available_after)
        for _kind, pending, pending_after, available, available_after in SITI[1:3]
    ]


def test_the_whole_statement_as_xlsx(siti_client, books):
    response = siti_client.get(statement_url(books) + "?format=xlsx")

    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header, *rows = sheet.values
    assert header == (
        "Date",
        "What",
        "Pending: change",
        "Pending: balance",
        "Available: change",
        "Available: balance",
    )
    assert [row[2:] for row in rows] == [line[1:] for line in SITI]
    assert rows[-1][1] == (
        f"Sale, order {books.order_b.number}: "
        f"{books.line(books.order_b, books.siti).product_name} ×1"
    )
    assert rows[0][0].isoformat() == "2026-12-01T00:00:00"  # Jakarta wall-clock time


@pytest.mark.parametrize("export", ["", "&format=csv"])
def test_bad_dates_get_the_forms_error(siti_client, books, export):
    response = siti_client.get(
        statement_url(books) + f"?date_from=2026-11-30&date_to=2026-11-01{export}"
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert (
        '<p class="error" id="date_to-error">The last day must be on or after the first day.</p>'
        in html
    )
    assert "<table" not in html


def test_a_filtered_statement_costs_the_same_queries(client, login, books, count_queries):
    login(books.siti.user)
    whole, filtered = statement_url(books), statement_url(books) + "?" + LATE_NOVEMBER_ARGS
    with count_queries() as everything:
        assert client.get(whole).status_code == 200
    with count_queries() as some:
        assert client.get(filtered).status_code == 200

    assert len(some) == len(everything)
