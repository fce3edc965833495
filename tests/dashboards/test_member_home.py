"""The member's home: what to prepare, their money, what needs their eye."""

from datetime import date, timedelta

from sqlalchemy import select, update

from shop.catalog.models import Product
from shop.checkout.models import ShipmentStatus
from shop.dashboards import views
from shop.dashboards.member import (
    lines_on_the_way,
    lines_to_prepare,
    member_money,
    products_to_watch,
)
from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from shop.fulfilment.services import mark_packed, mark_shipped
from shop.ledger.journal import balance
from shop.ledger.models import Account
from shop.money import format_rupiah_html
from shop.notifications.models import Notification
from shop.notifications.services import Recipient, record
from shop.reports.queries import member_report
from shop.timeutil import utcnow
from tests.factories import make_membership, make_product
from tests.reports.conftest import NOVEMBER


def test_money_cards_equal_the_ledger_and_the_members_report(books):
    siti, budi = books.siti, books.budi

    for member in (siti, budi):
        money = member_money(member, NOVEMBER)
        rows = member_report(books.tani.id, NOVEMBER).rows
        assert money.month == next(row for row in rows if row.member_id == member.id)
        assert money.summary.pending == balance(books.tani.id, Account.MEMBER_PENDING, member.id)
        assert money.summary.available == balance(
            books.tani.id, Account.MEMBER_AVAILABLE, member.id
        )
    # Worked by hand (tests/reports/conftest.py): Siti sold 45.000 in November, net 29.250
    # after the fee and the refunded keripik; Budi sold 120.000 and was paid 30.000.
    siti_money, budi_money = member_money(siti, NOVEMBER), member_money(budi, NOVEMBER)
    assert (siti_money.month.gross, siti_money.month.net, siti_money.month.paid_out) == (
        45000,
        29250,
        0,
    )
    assert (budi_money.month.gross, budi_money.month.paid_out) == (120000, 30000)
    # Now: Siti's 10.000 approved on 1 December left her available balance.
    assert (siti_money.summary.pending, siti_money.summary.available) == (14625, 19250)


def test_the_page_shows_the_same_figures(books, english, login, monkeypatch):
    monkeypatch.setattr(views, "today_in_jakarta", lambda: date(2026, 11, 30))
    login(books.budi.user)

    page = english.get(f"/koperasi/{books.tani.slug}/anggota/").get_data(as_text=True)

    for figure in (78000, 120000, 117000, 30000):  # pending, sold, earned, paid out
        assert format_rupiah_html(figure) in page
    assert format_rupiah_html(member_money(books.budi, NOVEMBER).summary.available) in page
    assert f'href="/koperasi/{books.tani.slug}/anggota/ulasan"' in page  # reviews to answer


def test_lines_to_prepare_are_the_members_own_in_parts_not_packed(books):
    # Tani's parts of B (Siti's keripik) and C (Budi's 2 tas) are paid, pickup, to pack.
    siti_lines = lines_to_prepare(books.siti)
    budi_lines = lines_to_prepare(books.budi)

    assert [(line.order_number, line.quantity) for line in siti_lines] == [
        (books.order_b.number, 1)
    ]
    assert [(line.order_number, line.quantity) for line in budi_lines] == [
        (books.order_c.number, 2)
    ]
    assert [(line.order_number, line.quantity) for line in lines_to_prepare(books.rina)] == [
        (books.order_a.number, 1)  # Batik's part of A was never packed
    ]
    assert lines_to_prepare(books.admin) == []  # sells nothing


def test_a_packed_part_leaves_the_list(books):
    shipment = next(s for s in books.order_c.shipments if s.cooperative_id == books.tani.id)
    mark_packed(shipment, books.admin.user)

    assert lines_to_prepare(books.budi) == []


def test_refunded_units_are_not_to_prepare(books, midtrans):
    line = books.line(books.order_b, books.siti)  # paid by QRIS, which refunds through the API
    refund_lines(books.order_b, books.tani, {line.id: 1}, "Stok habis", books.admin.user, midtrans)

    assert lines_to_prepare(books.siti) == []


def test_a_pre_order_shows_the_promised_day(books):
    db.session.execute(update(Product).values(pre_order_days=5))
    db.session.commit()

    (line,) = lines_to_prepare(books.budi)

    assert line.ready_on == date(2026, 11, 30) + timedelta(days=5)  # paid 30 Nov 23:00 WIB


def test_products_that_need_the_member(english, login):
    member = make_membership(low_stock_threshold=3)
    low = make_product(member, variants=((10000, 2), (12000, 50)), name="Sambal Roa")
    make_product(member, variants=((10000, 40),), name="Stok Cukup")
    expired = make_product(
        member, name="Rengginang", pirt_number="206337401012325",
        pirt_expires_on=date.today() - timedelta(days=2),
    )  # fmt: skip
    make_product(make_membership(coop=member.cooperative), variants=((10000, 0),))  # not theirs

    watch = products_to_watch(member)
    login(member.user)
    page = english.get(f"/koperasi/{member.cooperative.slug}/anggota/").get_data(as_text=True)

    assert ([p.id for p in watch.low_stock], [p.id for p in watch.expired_permit]) == (
        [low.id],
        [expired.id],
    )
    assert "Sambal Roa" in page and "Rengginang" in page and "Stok Cukup" not in page


def test_a_former_member_sees_their_money_and_no_product_pages(english, login):
    member = make_membership(is_active=False)
    login(member.user)

    page = english.get(f"/koperasi/{member.cooperative.slug}/anggota/").get_data(as_text=True)

    assert "Your membership has ended" in page
    assert f"/koperasi/{member.cooperative.slug}/anggota/saldo" in page
    assert f"/koperasi/{member.cooperative.slug}/anggota/produk" not in page


def test_a_packed_then_shipped_part_moves_on_the_way(books):
    shipment = next(s for s in books.order_a.shipments if s.cooperative_id == books.batik.id)
    mark_packed(shipment, books.admin.user)  # any admin may be the actor in a service test
    assert [line.status for line in lines_on_the_way(books.rina)] == [ShipmentStatus.PACKED]
    mark_shipped(shipment, books.admin.user)

    (line,) = lines_on_the_way(books.rina)
    assert (line.order_number, line.status) == (books.order_a.number, ShipmentStatus.SHIPPED)
    assert lines_to_prepare(books.rina) == []


def test_unread_notifications_however_many_read_ones_are_newer(english, login):
    member = make_membership()
    for n in range(35):
        record(
            "member_new_order",
            Recipient.of(member.user),
            f"order-{n}",
            {"number": f"PK-{n}", "coop_slug": member.cooperative.slug, "items": []},
        )
    oldest = db.session.scalar(select(Notification).order_by(Notification.id))
    db.session.execute(
        update(Notification).where(Notification.id != oldest.id).values(read_at=utcnow())
    )
    db.session.commit()
    login(member.user)

    page = english.get(f"/koperasi/{member.cooperative.slug}/anggota/").get_data(as_text=True)

    assert "PK-0:" in page and "PK-34:" not in page
