"""The member's sales page: the chart, the same numbers in a table, CSV and XLSX; always the
signed-in member's own; bad input answered with the form's error."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from shop.extensions import db
from shop.money import format_rupiah_html
from shop.reports.period import today_in_jakarta

NOVEMBER_ARGS = "date_from=2026-11-01&date_to=2026-11-30"


def sales_url(books, args: str = NOVEMBER_ARGS) -> str:
    return f"/koperasi/{books.tani.slug}/anggota/penjualan?{args}"


@pytest.fixture
def siti_client(client, login, books):
    login(books.siti.user)
    client.get("/bahasa/en")
    return client


def table_rows(html: str, label: str) -> list[list[str]]:
    """The body rows of the table named label, each cell's text."""
    table = re.search(rf'aria-label="{label}">(.*?)</table>', html, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return list(sheet.iter_rows(values_only=True))


def test_the_page_shows_the_chart_and_the_same_numbers_in_a_table(siti_client, books):
    response = siti_client.get(sales_url(books))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert 'role="img" aria-labelledby="sales-chart-title sales-chart-desc"' in html
    assert "Total: Rp 45.000. Highest: Nov 10, 2026, Rp 45.000.</desc>" in html
    assert "<script" not in html.split("<main", 1)[1]
    rows = table_rows(html, "Sales per day")
    assert len(rows) == 30
    assert rows[9] == ["Nov 10, 2026", "1", format_rupiah_html(45000)]
    assert rows[0] == ["Nov 1, 2026", "0", format_rupiah_html(0)]
    assert "Total: Rp\xa045.000 in 1 order." in html
    keripik = books.line(books.order_a, books.siti).product_name
    assert table_rows(html, "Best-selling products") == [[keripik, "3", format_rupiah_html(45000)]]
    assert 'aria-labelledby="products-chart-title products-chart-desc"' in html


def test_every_cell_is_labelled_for_the_phone_layout(siti_client, books):
    html = siti_client.get(sales_url(books)).get_data(as_text=True)

    assert html.count('<table class="stack">') == 2
    cells = re.findall(r"<td[^>]*>", html)
    assert cells and all("data-label=" in cell for cell in cells)
    assert '<td data-label="Gross sales" class="number">Rp\xa045.000</td>' in html


def test_weeks_and_months_are_chosen_with_a_select(siti_client, books):
    weeks = siti_client.get(sales_url(books, NOVEMBER_ARGS + "&granularity=week"))
    months = siti_client.get(
        sales_url(books, "date_from=2026-10-01&date_to=2026-11-30&granularity=month")
    )

    assert table_rows(weeks.get_data(as_text=True), "Sales per week")[2] == [
        "Week 46: Nov 9, 2026 to Nov 15, 2026",
        "1",
        format_rupiah_html(45000),
    ]
    # B (31 October) and A (10 November).
    assert table_rows(months.get_data(as_text=True), "Sales per month") == [
        ["October 2026", "1", format_rupiah_html(15000)],
        ["November 2026", "1", format_rupiah_html(45000)],
    ]
    assert '<option selected value="month">Month</option>' in months.get_data(as_text=True)


def test_the_last_30_days_by_day_without_a_question(siti_client, books):
    html = siti_client.get(sales_url(books, "")).get_data(as_text=True)

    today = today_in_jakarta()
    assert f'value="{(today - timedelta(days=29)).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html
    assert len(table_rows(html, "Sales per day")) == 30


def test_the_page_is_always_the_signed_in_members_own(client, login, books):
    login(books.budi.user)
    client.get("/bahasa/en")

    html = client.get(sales_url(books, NOVEMBER_ARGS + f"&member_id={books.siti.id}")).get_data(
        as_text=True
    )

    rows = table_rows(html, "Sales per day")
    assert (rows[9][2], rows[29][2]) == (format_rupiah_html(40000), format_rupiah_html(80000))
    assert books.line(books.order_a, books.siti).product_name not in html


@pytest.mark.parametrize(
    "args, field, message",
    [
        (
            NOVEMBER_ARGS + "&granularity=year",
            "granularity",
            "Choose one of the options in the list.",
        ),
        ("date_from=2026-11-01&date_to=kemarin", "date_to", "Enter a date like 2026-11-30."),
        ("date_from=2026-11-30&date_to=2026-11-01", "date_to", "The last day must be on"),
        (
            "date_from=2026-01-01&date_to=2026-12-31",
            "granularity",
            "That makes 365 bars, more than 100: choose a shorter period, or group by week",
        ),
    ],
)
def test_bad_questions_get_the_forms_error(siti_client, books, args, field, message):
    for export in ("", "&format=csv"):
        response = siti_client.get(sales_url(books, args + export))

        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert response.mimetype == "text/html"
        assert f'<p class="error" id="{field}-error">{message}' in html
        assert "<svg" not in html


def test_a_year_by_month_is_fine(siti_client, books):
    response = siti_client.get(
        sales_url(books, "date_from=2026-01-01&date_to=2026-12-31&granularity=month")
    )

    assert len(table_rows(response.get_data(as_text=True), "Sales per month")) == 12


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_downloads_hold_the_same_numbers(siti_client, books, export):
    response = siti_client.get(
        sales_url(books, NOVEMBER_ARGS + f"&granularity=week&format={export}")
    )

    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="tani-makmur-sales-week-2026-11-01_2026-11-30.{export}"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    if export == "csv":
        rows = [[row[0], int(row[1]), int(row[2])] for row in csv_rows(response)[1:]]
    else:
        rows = [list(row) for row in xlsx_rows(response)[1:]]
    assert [row[1:] for row in rows] == [
        [0, 0],
        [0, 0],
        [1, 45000],
        [0, 0],
        [0, 0],
        [0, 0],
        [1, 45000],
    ]
    assert rows[-1][0] == "Total"


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_every_product_sold_can_be_downloaded(client, login, books, export):
    login(books.budi.user)
    client.get("/bahasa/en")

    response = client.get(sales_url(books, NOVEMBER_ARGS + f"&format={export}&table=products"))

    assert "tani-makmur-products-2026-11-01_2026-11-30" in response.headers["Content-Disposition"]
    rows = csv_rows(response) if export == "csv" else xlsx_rows(response)
    tas = books.line(books.order_a, books.budi).product_name
    assert [str(cell) for cell in rows[0]] == ["Product", "Quantity sold", "Gross sales"]
    assert [[str(cell) for cell in row] for row in rows[1:]] == [[tas, "3", "120000"]]


def test_an_unknown_download_is_not_found(siti_client, books):
    assert (
        siti_client.get(sales_url(books, NOVEMBER_ARGS + "&format=csv&table=x")).status_code == 404
    )


def test_a_member_of_another_cooperative_cannot_open_it(client, login, books):
    login(books.rina.user)

    response = client.get(sales_url(books))

    assert response.status_code == 403
    assert "Keripik" not in response.get_data(as_text=True)


def test_a_former_member_still_sees_their_sales(siti_client, books):
    books.siti.is_active = False
    db.session.commit()

    response = siti_client.get(sales_url(books))

    assert response.status_code == 200
    assert table_rows(response.get_data(as_text=True), "Sales per day")[9][2] == "Rp\xa045.000"


def test_an_anonymous_visitor_is_sent_to_sign_in(client, books):
    response = client.get(sales_url(books))

    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_nothing_sold_says_so(client, login, books):
    login(books.admin.user)
    client.get("/bahasa/en")

    html = client.get(sales_url(books)).get_data(as_text=True)

    assert html.count("No sales in this period.") >= 2  # in the charts and the tables
    assert "Total: Rp\xa00 in 0 orders." in html


def test_the_page_costs_the_same_queries_for_a_quiet_month_and_a_busy_one(
    client, login, books, count_queries
):
    login(books.siti.user)
    october = sales_url(books, "date_from=2026-10-01&date_to=2026-10-31")
    november = sales_url(books)
    with count_queries() as quiet:  # B only
        assert client.get(october).status_code == 200
    with count_queries() as busy:  # A, the refund, the payouts
        assert client.get(november).status_code == 200

    assert len(busy) == len(quiet) <= 10
