"""November 2026 in the books of two cooperatives, every Rupiah worked by hand.

Tani Makmur (fee 2,5 %, local delivery Rp 12.000): Siti sells keripik (Rp 15.000, Kuliner),
Budi sells tas anyaman (Rp 40.000, Kerajinan); Pak Admin sells nothing. Batik Lestari (fee
10 %): Rina sells kain (Rp 350.000). Everything goes through the real services (payments at
the simulator, applied from a stored notification or from the return page's status check;
the shopper's confirmation of receipt; a refund through the simulator; payouts asked for,
approved and paid), and each entry is then dated:

  A  10 Nov 10:00  Siti 3 x 15.000 = 45.000 (fee 1.125), Budi 1 x 40.000 = 40.000 (fee 1.000),
                   Tani delivery 12.000, Rina 1 x 350.000 (fee 35.000): Rp 447.000 by QRIS
                   (0,7 % = 3.129: Tani 679, Batik 2.450), notified by Midtrans.
  B  31 Oct 23:59:59  Siti 1 x 15.000 (fee 375), pickup, QRIS (105): one second too early.
  C  30 Nov 23:00  Budi 2 x 40.000 = 80.000 (fee 2.000), pickup, BCA virtual account
                   (Rp 4.440), confirmed by the return page: no notification stored.
     15 Nov        A's Tani part completed: Siti 43.875 and Budi 39.000 pending -> available.
     20 Nov        1 keripik of A refunded: 15.000 = Siti 14.625 from available + fee 375.
     25 Nov        Budi's payout of 30.000 approved; 30 Nov 23:59:59 transferred.
      1 Dec 00:00  Siti's payout of 10.000 approved: the first instant after November.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from shop.checkout.models import Order, OrderLine, ShippingMethod
from shop.checkout.services import place_order
from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db
from shop.fulfilment.refunds import refund_lines
from shop.fulfilment.services import confirm_receipt, mark_packed, mark_shipped
from shop.ledger.models import Account, EntryKind, JournalEntry, Posting
from shop.payments.attempts import refresh_from_gateway, start_payment
from shop.payments.gateway import Gateway, gateway_from_config
from shop.payments.services import handle_notification
from shop.payouts.services import approve_payout, mark_payout_paid, request_payout
from shop.reports.period import JAKARTA, Period
from tests.checkout.test_orders import checkout_request
from tests.factories import (
    category,
    make_coop,
    make_membership,
    make_product,
    make_shipping_settings,
    make_user,
    reseal_hash_chains,
)
from tests.payments.conftest import (  # noqa: F401  (fixtures)
    FINISH_URL,
    _receiver,
    choose,
    simulator_app,
)
from tests.payments.test_notifications import body
from tests.shared import shared_data

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
BANK = {"bank_name": "BRI", "bank_account_number": "0123456789", "bank_account_holder": "Pemilik"}


def jakarta(day: date, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=JAKARTA)


@dataclass
class Books:
    tani: Cooperative
    batik: Cooperative
    admin: Membership
    siti: Membership
    budi: Membership
    rina: Membership
    order_a: Order
    order_b: Order
    order_c: Order

    def line(self, order: Order, member: Membership) -> OrderLine:
        return next(line for line in order.lines if line.member_id == member.id)


def dated(when: datetime, *conditions, reseal: bool = True) -> None:
    """Move the entries matching conditions to `when`, as if posted then (reseal=False: the
    caller reseals the hash chains once, after its last move)."""
    db.session.execute(update(JournalEntry).where(*conditions).values(created_at=when))
    db.session.commit()
    if reseal:
        reseal_hash_chains()  # posted then: chained with that time


def pay_notified(order: Order, gateway: Gateway, method: str) -> None:
    """Paid at the simulator, then Midtrans's notification received and applied."""
    page = start_payment(order, gateway, FINISH_URL)
    db.session.refresh(order)
    choose(page, method, "pay")
    handle_notification(body(order.current_payment_id, "settlement", order.grand_total), gateway)


def pay_on_return(order: Order, gateway: Gateway, method: str) -> None:
    """Paid at the simulator; the shopper's return page asks Midtrans before any notification."""
    page = start_payment(order, gateway, FINISH_URL)
    db.session.refresh(order)
    choose(page, method, "pay")
    refresh_from_gateway(order, gateway)


def paid_at(order: Order, when: datetime, reseal: bool = True) -> None:
    db.session.execute(update(Order).where(Order.id == order.id).values(paid_at=when))
    dated(when, JournalEntry.order_id == order.id, reseal=reseal)


@pytest.fixture
def midtrans(simulator_app) -> Gateway:  # noqa: F811  (the imported fixture)
    return gateway_from_config(simulator_app.config)


@shared_data  # built once per module: some 150 tests read these books
def books(midtrans) -> Books:
    gateway = midtrans
    tani = make_coop(name="Koperasi Tani Makmur", slug="tani-makmur", fee_bp=250, min_payout=10000)
    batik = make_coop(name="Koperasi Batik Lestari", slug="batik-lestari", fee_bp=1000)
    make_shipping_settings(tani, offers_local=True, local_fee=12000)
    admin = make_membership(coop=tani, role=Role.ADMIN, user=make_user(name="Pak Admin"))
    siti = make_membership(
        coop=tani, user=make_user(name="Siti"), business_name="Keripik Bu Siti", **BANK
    )
    budi = make_membership(coop=tani, user=make_user(name="Budi Santoso"), **BANK)
    rina = make_membership(coop=batik, user=make_user(name="Rina"), business_name="Batik Rina")
    keripik = make_product(siti, variants=((15000, 20),), category_id=category("camilan").id)
    tas = make_product(budi, variants=((40000, 20),), category_id=category("anyaman").id)
    kain = make_product(rina, variants=((350000, 5),), category_id=category("batik").id)
    keripik, tas, kain = keripik.variants[0].id, tas.variants[0].id, kain.variants[0].id

    local = checkout_request(tani, batik, methods={tani.id: ShippingMethod.LOCAL})
    order_a = place_order([(keripik, 3), (tas, 1), (kain, 1)], local, None).order
    order_b = place_order([(keripik, 1)], checkout_request(tani), None).order
    order_c = place_order([(tas, 2)], checkout_request(tani), None).order
    pay_notified(order_a, gateway, "qris")
    pay_notified(order_b, gateway, "qris")
    pay_on_return(order_c, gateway, "bank_transfer")
    paid_at(order_a, jakarta(date(2026, 11, 10)), reseal=False)
    paid_at(order_b, NOVEMBER.starts_at - timedelta(seconds=1), reseal=False)
    paid_at(order_c, jakarta(date(2026, 11, 30), 23), reseal=False)
    books = Books(tani, batik, admin, siti, budi, rina, order_a, order_b, order_c)

    # A's Tani part delivered and confirmed by the shopper: pending -> available.
    shipment = next(part for part in order_a.shipments if part.cooperative_id == tani.id)
    mark_packed(shipment, admin.user)
    mark_shipped(shipment, admin.user)
    confirm_receipt(order_a, tani.id, None)
    dated(jakarta(date(2026, 11, 15)), JournalEntry.kind == EntryKind.COMPLETION, reseal=False)
    keripik_line = books.line(order_a, siti)
    refund = refund_lines(order_a, tani, {keripik_line.id: 1}, "Rusak", admin.user, gateway)
    dated(jakarta(date(2026, 11, 20)), JournalEntry.refund_id == refund.id, reseal=False)
    budi_payout = request_payout(budi, 30000, budi.user)
    approve_payout(budi_payout, admin.user)
    mark_payout_paid(budi_payout, "TRF-0001", admin.user)
    dated(jakarta(date(2026, 11, 25)), JournalEntry.kind == EntryKind.PAYOUT_APPROVED, reseal=False)
    dated(
        NOVEMBER.ends_at - timedelta(seconds=1),
        JournalEntry.kind == EntryKind.PAYOUT_PAID,
        reseal=False,
    )
    siti_payout = request_payout(siti, 10000, siti.user)
    approve_payout(siti_payout, admin.user)
    dated(NOVEMBER.ends_at, JournalEntry.payout_id == siti_payout.id, reseal=False)
    reseal_hash_chains()  # the moves above: chained with those times, once
    return books


def posted(coop: Cooperative, account: Account, *kinds: EntryKind, period=NOVEMBER) -> int:
    """The postings themselves (signed: debits positive), what every report total is held to:
    on `account` in entries of `kinds` (any kind if none) dated within period."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Posting.amount), 0))
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(
                Posting.cooperative_id == coop.id,
                Posting.account == account,
                JournalEntry.kind.in_(kinds or list(EntryKind)),
                JournalEntry.created_at >= period.starts_at,
                JournalEntry.created_at < period.ends_at,
            )
        )
    )


def balance_at(coop: Cooperative, account: Account, moment: datetime) -> int:
    """Every member's balance on account together, on its normal side, as at moment."""
    return -int(
        db.session.scalar(
            select(func.coalesce(func.sum(Posting.amount), 0))
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(
                Posting.cooperative_id == coop.id,
                Posting.account == account,
                JournalEntry.created_at < moment,
            )
        )
    )
