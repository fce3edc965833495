"""The report pages, their CSV and XLSX: the same hand-worked numbers in every format, only
for the cooperative's admins, and a constant number of queries."""

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from shop.coops.models import Role
from shop.extensions import db
from shop.money import format_rupiah, format_rupiah_html
from shop.reports.period import month_of, today_in_jakarta
from tests.factories import make_membership

NOVEMBER_ARGS = "date_from=2026-11-01&date_to=2026-11-30"
# Header, the rows, the totals: plain integers, as a spreadsheet should sum them.
MEMBERS = [
    ["Keripik Bu Siti", 45000, 1125, 15000, 375, 29250, 14625, 29250, 0],
    ["Budi Santoso", 120000, 3000, 0, 0, 117000, 78000, 9000, 30000],
    ["Total", 165000, 4125, 15000, 375, 146250, 92625, 38250, 30000],
]
CATEGORIES = [["Culinary", 45000, 1125, 15000], ["Crafts", 120000, 3000, 0]]
FEES = [4125, -375, 12000, -5119, 10631]


def url(books, report: str, extra: str = "") -> str:
    return f"/koperasi/{books.tani.slug}/kelola/laporan/{report}?{NOVEMBER_ARGS}{extra}"


@pytest.fixture
def admin_client(client, login, books):
    """Tani's admin, reading English (the words the tests look for)."""
    login(books.admin.user)
    client.get("/bahasa/en")
    return client


def csv_rows(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return list(sheet.iter_rows(values_only=True))


def test_members_page_shows_the_hand_worked_figures(admin_client, books):
    response = admin_client.get(url(books, "members"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert 'class="table-wrap" tabindex="0" role="region"' in html
    for name, *amounts in MEMBERS:
        row = re.search(rf"<tr>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
        cells = re.findall(r"<td[^>]*>(?:<strong>)?([^<]*)", row)
        assert cells[-8:] == [format_rupiah_html(amount) for amount in amounts]
    assert "Pak Admin" not in html  # nothing to report for him
    assert "Batik Rina" not in html and "350.000" not in html


def test_members_csv_holds_the_same_numbers(admin_client, books):
    response = admin_client.get(url(books, "members", "&format=csv"))

    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == ('attachment; filename="tani-makmur-members-2026-11-01_2026-11-30.csv"')
    header, *rows = csv_rows(response)
    assert header[:3] == ["Member number", "Member", "Gross sales"]
    assert [[row[1], *map(int, row[2:])] for row in rows] == MEMBERS
    assert rows[0][0] == books.siti.member_number


def test_members_xlsx_holds_the_same_numbers(admin_client, books):
    response = admin_client.get(url(books, "members", "&format=xlsx"))

    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        "tani-makmur-members-2026-11-01_2026-11-30.xlsx"
        in (response.headers["Content-Disposition"])
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[1] == "Member"
    assert [[row[1], *row[2:]] for row in rows] == MEMBERS
    assert all(type(value) is int for row in rows for value in row[2:])
    assert sheet["C2"].number_format == "#,##0"
    assert sheet["A1"].font.bold and sheet.cell(row=sheet.max_row, column=2).font.bold
    assert sheet.column_dimensions["B"].width >= 28
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("export", ["", "&format=csv", "&format=xlsx"])
def test_categories_in_every_format(admin_client, books, export):
    response = admin_client.get(url(books, "categories", export))

    if export == "&format=csv":
        rows = [[row[0], *map(int, row[1:])] for row in csv_rows(response)[1:]]
    elif export == "&format=xlsx":
        rows = [list(row) for row in xlsx_rows(response)[1:]]
    else:
        html = response.get_data(as_text=True)
        assert all(format_rupiah_html(amount) in html for row in CATEGORIES for amount in row[1:])
        return
    assert rows == CATEGORIES + [["Total", 165000, 4125, 15000]]


@pytest.mark.parametrize("export", ["&format=csv", "&format=xlsx"])
def test_fees_in_every_format(admin_client, books, export):
    response = admin_client.get(url(books, "fees", export))

    rows = csv_rows(response)[1:] if export == "&format=csv" else xlsx_rows(response)[1:]
    assert [int(amount) for _label, amount in rows] == FEES
    assert rows[-1][0] == "Net for the cooperative"


def test_fees_page(admin_client, books):
    html = admin_client.get(url(books, "fees")).get_data(as_text=True)

    assert format_rupiah_html(10631) in html and format_rupiah_html(-5119) in html


def test_reconciliation_in_every_format_flags_the_order_without_notification(admin_client, books):
    html = admin_client.get(url(books, "reconciliation")).get_data(as_text=True)
    rows = csv_rows(admin_client.get(url(books, "reconciliation", "&format=csv")))
    sheet_rows = xlsx_rows(admin_client.get(url(books, "reconciliation", "&format=xlsx")))

    assert "1 of 2 orders need checking." in html
    assert "No settlement notification from Midtrans on record." in html
    header, order_a, order_c, totals = rows
    assert order_a[0] == books.order_a.number and order_a[1] == "2026-11-10 10:00"
    assert order_a[3:9] == ["447000", "447000", "97000", "97000", "679", "OK"]
    assert order_c[3:8] == ["80000", "", "80000", "80000", "4440"]
    assert totals[5:8] == ["177000", "177000", "5119"]
    assert [row[5:8] for row in sheet_rows[1:]] == [
        (97000, 97000, 679),
        (80000, 80000, 4440),
        (177000, 177000, 5119),
    ]
    assert sheet_rows[1][1].isoformat() == "2026-11-10T10:00:00"  # Jakarta wall time


def test_index_defaults_to_this_month_and_links_every_report(admin_client, books):
    month = month_of(today_in_jakarta())

    html = admin_client.get(f"/koperasi/{books.tani.slug}/kelola/laporan").get_data(as_text=True)

    assert f'value="{month.first_day.isoformat()}"' in html
    assert f'value="{month.last_day.isoformat()}"' in html
    links = set()
    for href in re.findall(r'href="([^"]*/kelola/laporan/[^"]*)"', html):
        link = urlsplit(unescape(href))
        query = parse_qs(link.query)
        assert (query["date_from"], query["date_to"]) == (
            [month.first_day.isoformat()],
            [month.last_day.isoformat()],
        )
        links.add((link.path.rsplit("/", 1)[1], query.get("format", ["html"])[0]))
    reports = ("members", "categories", "fees", "reconciliation")
    assert links == {(report, export) for report in reports for export in ("html", "csv", "xlsx")}


@pytest.mark.parametrize(
    ("date_from", "date_to", "field", "message"),
    [
        ("2026-13-01", "2026-11-30", "date_from", "Enter a date like 2026-11-30."),
        ("", "2026-11-30", "date_from", "Enter a date like 2026-11-30."),
        ("0001-01-01", "2026-11-30", "date_from", "Enter a date between 2000 and 2100."),
        ("2026-11-30", "2026-11-01", "date_to", "The last day must be on or after the first day."),
        ("2026-11-01", "besok", "date_to", "Enter a date like 2026-11-30."),
    ],
)
def test_bad_dates_are_shown_next_to_the_field(
    admin_client, books, date_from, date_to, field, message
):
    for path in ("", "/members", "/fees?format=csv"):
        separator = "&" if "?" in path else "?"
        response = admin_client.get(
            f"/koperasi/{books.tani.slug}/kelola/laporan{path}{separator}"
            f"date_from={date_from}&date_to={date_to}"
        )

        html = response.get_data(as_text=True)
        assert response.status_code == (200 if path == "" else 400)
        assert response.mimetype == "text/html"
        assert f'<p class="error" id="{field}-error">{message}</p>' in html
        described = f'aria-describedby="{field}-hint {field}-error" aria-invalid="true"'
        assert re.search(rf'<input {described}[^>]* id="{field}"', html)
        assert f'value="{date_to}"' in html  # what was typed stays


def test_only_one_missing_date_asks_for_it(admin_client, books):
    response = admin_client.get(
        f"/koperasi/{books.tani.slug}/kelola/laporan/members?date_from=2026-11-01"
    )

    assert response.status_code == 400
    assert '<p class="error" id="date_to-error">Enter a date.</p>' in response.get_data(True)


def test_an_unknown_report_is_not_found(admin_client, books):
    assert admin_client.get(url(books, "payouts")).status_code == 404


def test_a_member_cannot_see_the_reports(client, login, books):
    login(books.siti.user)

    for report in ("", "/members", "/members?format=csv", "/reconciliation?format=xlsx"):
        response = client.get(f"/koperasi/{books.tani.slug}/kelola/laporan{report}")
        assert response.status_code == 403
        assert format_rupiah(165000) not in response.get_data(as_text=True)


def test_the_other_cooperatives_admin_cannot_see_the_reports(client, login, books):
    login(make_membership(coop=books.batik, role=Role.ADMIN).user)

    response = client.get(url(books, "members", "&format=csv"))

    assert response.status_code == 403
    assert b"Keripik Bu Siti" not in response.get_data()


def test_a_name_that_looks_like_a_formula_stays_text(admin_client, books):
    books.siti.business_name = '=HYPERLINK("http://evil.test","klik")'
    db.session.commit()

    rows = csv_rows(admin_client.get(url(books, "members", "&format=csv")))
    sheet = load_workbook(
        io.BytesIO(admin_client.get(url(books, "members", "&format=xlsx")).get_data())
    ).active

    assert rows[1][1] == "'" + books.siti.business_name
    assert sheet["B2"].value == books.siti.business_name and sheet["B2"].data_type == "s"


@pytest.mark.parametrize("report", ["members", "categories", "fees", "reconciliation"])
@pytest.mark.parametrize("export", ["", "&format=csv"])
def test_a_report_costs_the_same_queries_for_a_quiet_month_and_a_busy_one(
    admin_client, books, count_queries, report, export
):
    october = f"/koperasi/{books.tani.slug}/kelola/laporan/{report}?date_from=2026-10-01"
    october += f"&date_to=2026-10-31{export}"
    november = url(books, report, export)
    with count_queries() as quiet:  # one order, one member
        assert admin_client.get(october).status_code == 200
    with count_queries() as busy:  # two orders, two members, a refund, payouts
        assert admin_client.get(november).status_code == 200

    assert len(busy) == len(quiet) <= 12
