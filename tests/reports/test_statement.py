"""A member's statement: every entry on their pending and available balances, newest first,
with running balances that are right on every page; always the signed-in member's own."""

import csv
import io
import re

import pytest

from shop.ledger.journal import balance
from shop.ledger.models import Account, EntryKind
from shop.money import format_rupiah
from shop.reports import statement
from shop.reports.statement import statement_lines, statement_page

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

    response = siti_client.get(statement_url(books) + "?page=2")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert [row[1:] for row in html_rows(html)] == [
        [
            f"Order {books.order_a.number} completed: earnings available",
            format_rupiah(-43875),
            format_rupiah(14625),
            format_rupiah(43875),
            format_rupiah(43875),
        ],
        [
            f"Sale, order {books.order_a.number}",
            format_rupiah(43875),
            format_rupiah(58500),
            format_rupiah(0),
            format_rupiah(0),
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
