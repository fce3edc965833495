"""Sales over time and best-selling products, worked by hand from the reports' November
(tests/reports/conftest.py), and held to the member report to the Rupiah."""

from datetime import date

import pytest
from sqlalchemy import update

from shop.checkout.models import OrderLine
from shop.extensions import db
from shop.ledger.models import JournalEntry
from shop.reports.period import Period
from shop.reports.queries import member_report
from shop.sales.queries import Granularity, bucket_days, sales_over_time, top_products
from tests.reports.conftest import NOVEMBER, dated, jakarta

DAY, WEEK, MONTH = Granularity.DAY, Granularity.WEEK, Granularity.MONTH
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
AUTUMN = Period(date(2026, 10, 1), date(2026, 12, 31))


def nov(day: int) -> date:
    return date(2026, 11, day)


def sold(buckets) -> dict[date, tuple[int, int]]:
    """The buckets with a sale: first day -> (gross, orders)."""
    return {bucket.first_day: (bucket.gross, bucket.orders) for bucket in buckets if bucket.gross}


def test_sales_per_day_worked_by_hand(books):
    tani = books.tani.id

    siti = sales_over_time(tani, NOVEMBER, DAY, books.siti.id)
    budi = sales_over_time(tani, NOVEMBER, DAY, books.budi.id)
    everyone = sales_over_time(tani, NOVEMBER, DAY)

    # Every day of November is there, a quiet one with 0.
    assert [bucket.first_day for bucket in siti] == [nov(day) for day in range(1, 31)]
    assert all(bucket.first_day == bucket.last_day for bucket in siti)
    # Siti: A's 3 keripik on 10 Nov; B (31 Oct) is October's; the refund of 20 Nov does not
    # lower gross sales.
    assert sold(siti) == {nov(10): (45000, 1)}
    # Budi: A's tas on 10 Nov, C's two on 30 Nov at 23:00 in Jakarta.
    assert sold(budi) == {nov(10): (40000, 1), nov(30): (80000, 1)}
    # The cooperative: order A counted once for both its members.
    assert sold(everyone) == {nov(10): (85000, 1), nov(30): (80000, 1)}


@pytest.mark.parametrize("granularity", list(Granularity))
@pytest.mark.parametrize("period", [OCTOBER, NOVEMBER, AUTUMN], ids=["oct", "nov", "oct-dec"])
def test_sales_add_up_to_the_member_reports_gross_to_the_rupiah(books, granularity, period):
    report = member_report(books.tani.id, period)

    for row in report.rows:
        buckets = sales_over_time(books.tani.id, period, granularity, row.member_id)
        assert sum(bucket.gross for bucket in buckets) == row.gross
        products = top_products(books.tani.id, period, row.member_id, limit=None)
        assert sum(product.gross for product in products) == row.gross
    everyone = sales_over_time(books.tani.id, period, granularity)
    assert sum(bucket.gross for bucket in everyone) == report.totals.gross
    all_products = top_products(books.tani.id, period, limit=None)
    assert sum(product.gross for product in all_products) == report.totals.gross


def test_a_day_is_a_day_in_jakarta(books):
    # C settled at 00:30 on 12 November in Jakarta: still 11 November in UTC.
    dated(jakarta(nov(12), 0, 30), JournalEntry.order_id == books.order_c.id)

    budi = sales_over_time(books.tani.id, NOVEMBER, DAY, books.budi.id)

    assert sold(budi) == {nov(10): (40000, 1), nov(12): (80000, 1)}
    # B, at 23:59:59 on 31 October in Jakarta, is the last day of October's.
    edge = Period(date(2026, 10, 31), nov(1))
    assert sold(sales_over_time(books.tani.id, edge, DAY)) == {date(2026, 10, 31): (15000, 1)}


def test_weeks_are_iso_weeks_cut_to_the_period(books):
    weeks = sales_over_time(books.tani.id, NOVEMBER, WEEK)

    # 1 November 2026 is a Sunday, 30 November a Monday.
    assert [(week.first_day, week.last_day, week.gross) for week in weeks] == [
        (nov(1), nov(1), 0),
        (nov(2), nov(8), 0),
        (nov(9), nov(15), 85000),
        (nov(16), nov(22), 0),
        (nov(23), nov(29), 0),
        (nov(30), nov(30), 80000),
    ]


def test_months_cut_to_the_period(books):
    months = sales_over_time(books.tani.id, AUTUMN, MONTH)
    halves = sales_over_time(books.tani.id, Period(date(2026, 10, 15), nov(15)), MONTH)

    assert [(m.first_day, m.last_day, m.gross, m.orders) for m in months] == [
        (date(2026, 10, 1), date(2026, 10, 31), 15000, 1),
        (nov(1), nov(30), 165000, 2),
        (date(2026, 12, 1), date(2026, 12, 31), 0, 0),
    ]
    assert [(m.first_day, m.last_day, m.gross) for m in halves] == [
        (date(2026, 10, 15), date(2026, 10, 31), 15000),
        (nov(1), nov(15), 85000),
    ]


def test_bucket_days_cover_the_period_once():
    year = Period(date(2026, 1, 1), date(2026, 12, 31))

    for granularity, count in [(DAY, 365), (WEEK, 53), (MONTH, 12)]:
        buckets = bucket_days(year, granularity)
        assert len(buckets) == count
        assert buckets[0][0] == year.first_day and buckets[-1][1] == year.last_day
        assert all(
            previous[1].toordinal() + 1 == following[0].toordinal()
            for previous, following in zip(buckets, buckets[1:], strict=False)
        )


def test_the_other_cooperatives_sales_stay_out(books):
    assert sold(sales_over_time(books.batik.id, NOVEMBER, DAY)) == {nov(10): (350000, 1)}
    # Rina is not a Tani member: asking Tani for her sales finds nothing.
    assert sold(sales_over_time(books.tani.id, NOVEMBER, DAY, books.rina.id)) == {}


def test_top_products_worked_by_hand(books):
    everyone = top_products(books.tani.id, NOVEMBER)
    siti = top_products(books.tani.id, NOVEMBER, books.siti.id)
    keripik = books.line(books.order_a, books.siti)
    tas = books.line(books.order_a, books.budi)

    # Tas: 1 in A + 2 in C; keripik: 3 in A (one refunded later, still sold), B is October's.
    assert [(p.product_id, p.name, p.quantity, p.gross) for p in everyone] == [
        (tas.product_id, tas.product_name, 3, 120000),
        (keripik.product_id, keripik.product_name, 3, 45000),
    ]
    assert [(p.name, p.quantity, p.gross) for p in siti] == [(keripik.product_name, 3, 45000)]
    assert [p.name for p in top_products(books.tani.id, NOVEMBER, limit=1)] == [tas.product_name]


def test_a_product_that_is_gone_keeps_the_name_it_was_sold_under(books):
    db.session.execute(
        update(OrderLine).where(OrderLine.order_id == books.order_c.id).values(product_id=999999)
    )

    products = top_products(books.tani.id, NOVEMBER, books.budi.id)

    tas = books.line(books.order_a, books.budi)
    assert [(p.product_id, p.name, p.quantity, p.gross) for p in products] == [
        (999999, tas.product_name, 2, 80000),
        (tas.product_id, tas.product_name, 1, 40000),
    ]


def test_one_query_each_however_many_days(books, count_queries):
    tani, siti = books.tani.id, books.siti.id
    with count_queries() as statements:
        sales_over_time(tani, AUTUMN, DAY)
        sales_over_time(tani, NOVEMBER, MONTH, siti)
        top_products(tani, AUTUMN, limit=None)

    assert len(statements) == 3


def test_a_month_with_nothing_settled_is_all_zero(books):
    # December holds only Siti's payout, approved at its first instant.
    december = Period(date(2026, 12, 1), date(2026, 12, 31))

    weeks = sales_over_time(books.tani.id, december, WEEK)

    assert len(weeks) == 5 and sold(weeks) == {}
    assert top_products(books.tani.id, december) == []
