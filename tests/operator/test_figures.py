"""The operator's platform figures: per cooperative they equal its own reports to the Rupiah
(November 2026 of tests/reports/conftest.py), the orders and the counts are the platform's,
and the page costs the same handful of queries whatever the number of cooperatives."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from shop.catalog.models import ProductStatus
from shop.checkout.models import Order
from shop.checkout.services import place_order
from shop.coops.models import Cooperative
from shop.extensions import db
from shop.operator.figures import platform_figures
from shop.payouts.queries import review_queue
from shop.reports.period import month_of, today_in_jakarta
from shop.reports.queries import fee_report, member_report
from tests.checkout.test_orders import checkout_request
from tests.factories import make_coop, make_membership, make_product, pay
from tests.reports.conftest import NOVEMBER

NOVEMBER_ARGS = "?date_from=2026-11-01&date_to=2026-11-30"


def row_of(figures, coop):
    return next(row for row in figures.rows if row.cooperative.id == coop.id)


def money(row) -> tuple[int, int, int, int]:
    return (row.gross, row.fees, row.refunds, row.payouts_waiting)


def test_each_cooperatives_figures_equal_its_own_reports(books):
    figures = platform_figures(NOVEMBER)

    for coop in (books.tani, books.batik):
        members = member_report(coop.id, NOVEMBER).totals
        fees = fee_report(coop.id, NOVEMBER)
        queue = review_queue(coop)
        waiting = sum(row.payout.amount for row in queue.requested + queue.approved)
        row = row_of(figures, coop).money
        assert money(row) == (members.gross, members.fees, members.refunds, waiting)
        assert row.fees == fees.fees_on_sales


def test_figures_worked_by_hand(books):
    figures = platform_figures(NOVEMBER)

    # Tani: A's 45.000 + 40.000 and C's 80.000 (B was settled a second before November);
    # fees 1.125 + 1.000 + 2.000; one keripik refunded; Siti's 10.000 approved, not paid.
    assert money(row_of(figures, books.tani).money) == (165_000, 4_125, 15_000, 10_000)
    # Batik: A's kain, fee 10 %.
    assert money(row_of(figures, books.batik).money) == (350_000, 35_000, 0, 0)
    assert money(figures.totals) == (515_000, 39_125, 15_000, 10_000)
    october = platform_figures(month_of(NOVEMBER.first_day - timedelta(days=1)))
    assert money(row_of(october, books.tani).money) == (15_000, 375, 0, 10_000)


def test_the_page_shows_the_figures_of_the_chosen_period(client, login, operator, books):
    login(operator)

    page = client.get(f"/operator/{NOVEMBER_ARGS}").get_data(as_text=True)

    tani_row = re.search(rf'<tr id="coop-{books.tani.id}">(.*?)</tr>', page, re.S).group(1)
    for amount in ("Rp\xa0165.000", "Rp\xa04.125", "Rp\xa015.000", "Rp\xa010.000"):
        assert f'class="number">{amount}</td>' in tani_row
    assert "Rp\xa0515.000" in page and "Rp\xa039.125" in page


def test_orders_placed_and_paid_give_the_payment_success_rate(client, login, operator):
    product = make_product(variants=((15_000, 50),))
    variant = product.variants[0].id
    request = checkout_request(db.session.get(Cooperative, product.cooperative_id))
    orders = [place_order([(variant, 1)], request, None).order for _ in range(4)]
    pay(orders[0])
    pay(orders[1])
    last_month = month_of(today_in_jakarta()).starts_at - timedelta(hours=1)
    db.session.execute(  # placed last month, paid: not this month's
        update(Order).where(Order.id == orders[3].id).values(created_at=last_month)
    )
    pay(orders[3])
    db.session.commit()

    figures = platform_figures(month_of(today_in_jakarta()))

    assert (figures.orders_placed, figures.orders_paid) == (3, 2)
    assert figures.payment_success_bp == 6667
    login(operator)
    page = client.get("/operator/").get_data(as_text=True)
    assert '<strong class="payment-success">66,67%</strong>' in page


def test_nothing_placed_shows_no_rate(client, login, operator):
    login(operator)

    page = client.get("/operator/").get_data(as_text=True)

    assert platform_figures(month_of(today_in_jakarta())).payment_success_bp is None
    assert '<strong class="payment-success">–</strong>' in page


def test_a_closed_cooperative_counts_for_money_but_not_as_active(client, login, operator):
    open_member = make_membership()
    make_membership(coop=open_member.cooperative, is_active=False)  # a former member
    make_product(open_member)
    make_product(open_member, status=ProductStatus.PENDING)
    closed_member = make_membership(coop=make_coop(is_active=False))
    make_product(closed_member)

    figures = platform_figures(month_of(today_in_jakarta()))

    assert (figures.active_cooperatives, figures.active_members, figures.products_on_sale) == (
        1,
        1,
        1,
    )
    assert row_of(figures, closed_member.cooperative).products_on_sale == 1


def test_the_page_costs_the_same_queries_for_two_or_twelve_cooperatives(
    client, login, operator, count_queries
):
    def cost() -> int:
        with count_queries() as statements:
            assert client.get(f"/operator/{NOVEMBER_ARGS}").status_code == 200
        return len(statements)

    for _ in range(2):
        make_product(make_membership())
    login(operator)
    few = cost()
    for _ in range(10):
        make_product(make_membership())
    assert cost() == few


@pytest.mark.parametrize(
    "args",
    ["?date_from=2026-11-30&date_to=2026-11-01", "?date_from=kemarin&date_to=2026-11-30"],
)
def test_a_bad_period_is_refused_beside_its_field(client, login, operator, args):
    login(operator)

    response = client.get(f"/operator/{args}")

    assert response.status_code == 400
    assert 'class="error" id="date_' in response.get_data(as_text=True)
