"""The reports' figures for November, against numbers worked by hand and against the postings
themselves (tests/reports/conftest.py tells the month's story)."""

from datetime import date

from sqlalchemy import delete, select, update

from shop.checkout.models import OrderLine, OrderShipment
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.payments.services import handle_notification
from shop.reports.period import Period
from shop.reports.queries import category_report, fee_report, member_report
from shop.reports.reconciliation import Discrepancy, reconciliation_report
from tests.payments.test_notifications import body
from tests.reports.conftest import NOVEMBER, balance_at, posted

SETTLED, REFUND = EntryKind.SETTLEMENT, EntryKind.REFUND
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


def figures(row) -> tuple:
    return (
        row.gross,
        row.fees,
        row.refunds,
        row.refunded_fees,
        row.net,
        row.pending,
        row.available,
        row.paid_out,
    )


def test_member_report_worked_by_hand(books):
    report = member_report(books.tani.id, NOVEMBER)

    # Pak Admin sold nothing and holds nothing: left out.
    assert [(row.member_id, row.name) for row in report.rows] == [
        (books.siti.id, "Keripik Bu Siti"),
        (books.budi.id, "Budi Santoso"),
    ]
    siti, budi = report.rows
    # Siti: A's 45.000 (B was settled a second before November); 1 of 3 refunded (15.000,
    # fee part 375): net 43.875 - 14.625 = 29.250. Pending: B's 14.625 (A's part completed);
    # available: 43.875 - 14.625 (her payout of 1 December is not November's).
    assert figures(siti) == (45000, 1125, 15000, 375, 29250, 14625, 29250, 0)
    # Budi: A's 40.000 (fee 1.000) + C's 80.000 (fee 2.000); A's 39.000 completed, 30.000
    # of it paid out on 30 November at 23:59:59; C's 78.000 still pending.
    assert figures(budi) == (120000, 3000, 0, 0, 117000, 78000, 9000, 30000)
    assert figures(report.totals) == (165000, 4125, 15000, 375, 146250, 92625, 38250, 30000)


def test_member_report_totals_equal_the_postings(books):
    totals = member_report(books.tani.id, NOVEMBER).totals

    member_credits = -posted(books.tani, Account.MEMBER_PENDING, SETTLED)
    fee_credits = -posted(books.tani, Account.FEE_REVENUE, SETTLED)
    assert totals.gross == member_credits + fee_credits
    assert totals.fees == fee_credits
    assert totals.refunds == -posted(books.tani, Account.GATEWAY_CLEARING, REFUND)
    assert totals.refunded_fees == posted(books.tani, Account.FEE_REVENUE, REFUND)
    assert totals.net == -(
        posted(books.tani, Account.MEMBER_PENDING, SETTLED, REFUND)
        + posted(books.tani, Account.MEMBER_AVAILABLE, SETTLED, REFUND)
    )
    assert totals.pending == balance_at(books.tani, Account.MEMBER_PENDING, NOVEMBER.ends_at)
    assert totals.available == balance_at(books.tani, Account.MEMBER_AVAILABLE, NOVEMBER.ends_at)
    assert totals.paid_out == posted(books.tani, Account.PAYOUTS_IN_TRANSIT, EntryKind.PAYOUT_PAID)
    assert check_ledger() == []


def test_the_other_cooperatives_money_stays_in_its_own_report(books):
    tani = member_report(books.tani.id, NOVEMBER)
    batik = member_report(books.batik.id, NOVEMBER)

    assert books.rina.id not in [row.member_id for row in tani.rows]
    assert [row.member_id for row in batik.rows] == [books.rina.id]
    # Rina: kain 350.000, fee 10 % = 35.000, pending until completed.
    assert figures(batik.totals) == (350000, 35000, 0, 0, 315000, 315000, 0, 0)
    assert fee_report(books.batik.id, NOVEMBER).gateway_fees == 2450


def test_period_boundaries_count_each_entry_in_exactly_one_month(books):
    october = member_report(books.tani.id, OCTOBER)
    december = member_report(books.tani.id, Period(date(2026, 12, 1), date(2026, 12, 31)))

    # B, settled at 23:59:59 on 31 October (Jakarta), is October's and only October's.
    assert [(row.member_id, row.gross, row.fees) for row in october.rows] == [
        (books.siti.id, 15000, 375)
    ]
    assert october.totals.pending == 14625
    # Siti's payout approved at 00:00 on 1 December leaves her available on 31 December.
    siti = next(row for row in december.rows if row.member_id == books.siti.id)
    assert (siti.gross, siti.available) == (0, 19250)


def test_category_report_worked_by_hand(books):
    report = category_report(books.tani.id, NOVEMBER, "id")

    assert [(row.name, row.gross, row.fees, row.refunds) for row in report.rows] == [
        ("Kuliner", 45000, 1125, 15000),
        ("Kerajinan", 120000, 3000, 0),
    ]
    assert (report.totals.gross, report.totals.fees, report.totals.refunds) == (165000, 4125, 15000)
    assert report.totals.gross == -posted(books.tani, Account.MEMBER_PENDING, SETTLED) - posted(
        books.tani, Account.FEE_REVENUE, SETTLED
    )
    english = category_report(books.tani.id, NOVEMBER, "en")
    assert [row.name for row in english.rows] == ["Culinary", "Crafts"]


def test_a_line_whose_product_is_gone_counts_as_uncategorised(books):
    db.session.execute(
        update(OrderLine).where(OrderLine.order_id == books.order_c.id).values(product_id=999999)
    )

    report = category_report(books.tani.id, NOVEMBER, "id")

    assert [(row.name, row.gross) for row in report.rows] == [
        ("Kuliner", 45000),
        ("Kerajinan", 40000),
        ("", 80000),
    ]
    assert report.totals.gross == 165000


def test_fee_report_worked_by_hand(books):
    report = fee_report(books.tani.id, NOVEMBER)

    # Fees 1.125 + 1.000 + 2.000, 375 of them given back; delivery 12.000; Midtrans: A's
    # QRIS share 679 and C's virtual account 4.440.
    assert (report.fees_on_sales, report.fees_returned) == (4125, 375)
    assert (report.shipping, report.gateway_fees) == (12000, 5119)
    assert report.net == 4125 - 375 + 12000 - 5119 == 10631
    assert report.fees_on_sales - report.fees_returned == -posted(books.tani, Account.FEE_REVENUE)
    assert report.shipping == -posted(books.tani, Account.SHIPPING_REVENUE)
    assert report.gateway_fees == posted(books.tani, Account.GATEWAY_FEES)


def test_reconciliation_worked_by_hand(books):
    report = reconciliation_report(books.tani.id, NOVEMBER)

    rows = [
        (row.order_number, row.order_total, row.gateway_amount, row.part, row.cleared)
        + (row.gateway_fee, row.payment_method, row.discrepancies)
        for row in report.rows
    ]
    assert rows == [
        (books.order_a.number, 447000, 447000, 97000, 97000, 679, "qris", ()),
        # Paid through the return page: the notification never came (a row to check).
        (
            books.order_c.number,
            80000,
            None,
            80000,
            80000,
            4440,
            "bank_transfer",
            (Discrepancy.NO_NOTIFICATION,),
        ),
    ]
    assert (report.part, report.cleared, report.gateway_fee) == (177000, 177000, 5119)
    assert report.cleared == posted(books.tani, Account.GATEWAY_CLEARING, SETTLED)
    assert report.gateway_fee == posted(books.tani, Account.GATEWAY_FEES, EntryKind.GATEWAY_FEE)
    assert report.flagged_count == 1


def test_reconciliation_flags_a_paid_order_the_ledger_never_settled(books):
    # Not committed: the suite rolls it back before it checks the books.
    entry_ids = db.session.scalars(
        select(JournalEntry.id).where(
            JournalEntry.order_id == books.order_a.id,
            JournalEntry.cooperative_id == books.tani.id,
            JournalEntry.kind == SETTLED,
        )
    ).all()
    db.session.execute(delete(Posting).where(Posting.entry_id.in_(entry_ids)))
    db.session.execute(delete(JournalEntry).where(JournalEntry.id.in_(entry_ids)))

    report = reconciliation_report(books.tani.id, NOVEMBER)

    row = next(row for row in report.rows if row.order_number == books.order_a.number)
    assert (row.part, row.cleared, row.discrepancies) == (97000, 0, (Discrepancy.NOT_SETTLED,))


def test_reconciliation_flags_an_amount_midtrans_did_not_settle(books):
    db.session.execute(
        update(OrderShipment)
        .where(
            OrderShipment.order_id == books.order_a.id,
            OrderShipment.cooperative_id == books.tani.id,
        )
        .values(fee=13000)
    )

    row = reconciliation_report(books.tani.id, NOVEMBER).rows[0]

    assert (row.part, row.cleared, row.discrepancies) == (
        98000,
        97000,
        (Discrepancy.CLEARED_AMOUNT,),
    )


def test_reconciliation_flags_a_notification_for_another_amount(books, midtrans):
    # A signed notification saying 446.000 was settled; Midtrans's status says 447.000, so
    # the order is not touched, but the bookkeeper must see what was claimed.
    claim = body(books.order_a.current_payment_id, "settlement", 446000)
    handle_notification(claim, midtrans)

    row = reconciliation_report(books.tani.id, NOVEMBER).rows[0]

    assert (row.order_number, row.order_total, row.gateway_amount) == (
        books.order_a.number,
        447000,
        446000,
    )
    assert row.discrepancies == (Discrepancy.GATEWAY_AMOUNT,)
    assert row.cleared == row.part == 97000


def test_reconciliation_takes_no_amount_from_a_settlement_without_the_signed_code(books, midtrans):
    """The signature covers status_code, not transaction_status: a signed pending body (201)
    sent again saying "settlement" is no claim that Midtrans settled anything."""
    claim = body(books.order_a.current_payment_id, "settlement", 446000, status_code="201")
    handle_notification(claim, midtrans)

    row = reconciliation_report(books.tani.id, NOVEMBER).rows[0]

    assert (row.order_number, row.gateway_amount) == (books.order_a.number, 447000)
    assert row.discrepancies == ()
