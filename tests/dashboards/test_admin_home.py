"""The admin's console home: the work waiting, held to the worked example."""

from datetime import date, timedelta

import pytest

from shop.catalog.models import ProductStatus
from shop.dashboards import views
from shop.dashboards.admin import admin_work, coop_sales, permits_expiring
from shop.errors import ShopError
from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from shop.money import format_rupiah, format_rupiah_html
from shop.reports.period import month_of, today_in_jakarta
from shop.reports.queries import member_report
from tests.factories import make_membership, make_product


def test_work_waiting_in_the_worked_example(books):
    work = admin_work(books.tani, books.admin.user_id)

    # B and C (pickup, Tani only) are paid and not packed; A's Tani part is completed.
    assert work.to_pack.count == 2
    assert work.to_pack.oldest_paid_at == books.order_b.paid_at
    assert work.to_ship.count == 0
    # Siti's 10.000 was approved on 1 December and waits to be transferred.
    assert (work.payouts_to_approve.count, work.payouts_to_transfer.count) == (0, 1)
    assert work.payouts_to_transfer.amount == 10000
    # Pak Admin saved no bank account; Siti and Budi did.
    assert [m.id for m in work.members_without_account] == [books.admin.id]
    # Batik's work is Batik's: its part of A waits to be packed.
    assert admin_work(books.batik, books.admin.user_id).to_pack.count == 1


def test_the_page_shows_the_work_and_links_to_it(books, english, login):
    login(books.admin.user)

    page = english.get(f"/koperasi/{books.tani.slug}/kelola/").get_data(as_text=True)

    assert f"/koperasi/{books.tani.slug}/kelola/pesanan?status=pending" in page
    assert format_rupiah_html(10000) in page
    assert "Payouts to transfer" in page and "Members without a payout account" in page
    # Every console page an admin works in is one tap away, the reviews to moderate too.
    assert f'href="/koperasi/{books.tani.slug}/kelola/ulasan"' in page


def test_a_refund_midtrans_refused_is_listed_until_read(books, midtrans, english, login):
    line = books.line(books.order_c, books.budi)  # a virtual account: no refund by API
    with pytest.raises(ShopError):
        refund_lines(books.order_c, books.tani, {line.id: 1}, "Rusak", books.admin.user, midtrans)
    db.session.rollback()

    (failed,) = admin_work(books.tani, books.admin.user_id).failed_refunds
    assert failed.params["number"] == books.order_c.number
    assert admin_work(books.batik, books.admin.user_id).failed_refunds == []

    login(books.admin.user)
    page = english.get(f"/koperasi/{books.tani.slug}/kelola/").get_data(as_text=True)
    assert "Refunds that failed" in page and books.order_c.number in page


def test_permits_expiring_within_30_days_soonest_first(books):
    today = today_in_jakarta()
    soon = make_product(
        books.siti, pirt_number="206337401012325", pirt_expires_on=today + timedelta(days=10)
    )
    expired = make_product(
        books.siti, pirt_number="206337401012326", pirt_expires_on=today - timedelta(days=1)
    )
    make_product(
        books.siti, pirt_number="206337401012327", pirt_expires_on=today + timedelta(days=31)
    )
    make_product(books.siti, status=ProductStatus.ARCHIVED, pirt_expires_on=today)
    make_product(make_membership(), pirt_expires_on=today)  # another cooperative's

    assert [p.id for p in permits_expiring(books.tani, today)] == [expired.id, soon.id]


@pytest.mark.parametrize(
    ("today", "week", "month"),
    [
        # Monday 30 November: the week is C alone (Budi's 2 tas); the month is the members
        # report's gross for November.
        (date(2026, 11, 30), 80000, 165000),
        # Thursday 3 December: the week began on 30 November, in the month before.
        (date(2026, 12, 3), 80000, 0),
    ],
)
def test_sales_this_week_and_month_equal_the_members_report(books, today, week, month):
    sales = coop_sales(books.tani, today)

    assert (sales.week_gross, sales.month_gross) == (week, month)
    assert sales.month_gross == member_report(books.tani.id, month_of(today)).totals.gross


def test_the_sales_chart_renders_without_javascript_with_a_text_alternative(
    books, english, login, monkeypatch
):
    monkeypatch.setattr(views, "today_in_jakarta", lambda: date(2026, 11, 30))
    login(books.admin.user)

    page = english.get(f"/koperasi/{books.tani.slug}/kelola/").get_data(as_text=True)

    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "aria-labelledby" in svg
    assert "<title" in svg and "<desc" in svg and format_rupiah(165000) in svg
    assert "<script" not in page.split("<main", 1)[1]
    assert format_rupiah(80000) in page and format_rupiah(165000) in page
