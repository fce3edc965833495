"""Koperasi Mlijo's financial year 2025, every Rupiah worked by hand (fee 5 %, pickup).

  Siti sells keripik at Rp 20.000, Budi madu at Rp 100.000; Pak Admin sells nothing.
  O1  10 Mar 2025  Budi (signed in) buys 3 keripik: Rp 60.000, Siti earns 57.000.
      1 Jun 2025   1 keripik of O1 refunded by bank transfer: Siti gives back 19.000.
  O2  31 Dec 2024 23:59:59  a guest buys 1 keripik: one second before the year.
  O3  posted now (2026)     a guest buys 1 keripik: after the year.
  O4  1 Aug 2025   a guest buys 1 madu: Budi earns 95.000.
  Simpanan: Siti pokok 100.000 (5 Jan 2025), wajib 25.000 (31 Dec 2025 23:59:59), sukarela
  70.000 (not capital); Budi pokok 100.000 (1 Feb 2025), wajib 50.000 (1 Jan 2026 00:00,
  after the year).

So for 2025: Siti sales 38.000, purchases 0, capital 125.000; Budi sales 95.000, purchases
40.000, capital 100.000; the admin nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from shop.accounts.models import User
from shop.checkout.models import Order
from shop.checkout.services import place_order
from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db
from shop.fulfilment.manual_refunds import record_manual_refund
from shop.ledger.models import EntryKind, JournalEntry
from shop.reports.period import JAKARTA
from shop.savings.models import PaymentMethod, SavingsKind
from shop.savings.services import SavingsRecord, record_deposit
from shop.savings.services import save_settings as save_savings_settings
from shop.shu.services import ShuPercentages, save_settings
from tests.checkout.test_orders import checkout_request
from tests.factories import (
    make_coop,
    make_membership,
    make_product,
    make_user,
    pay,
    reseal_hash_chains,
)
from tests.shared import shared_data

# The statutes of tests/shu/test_calculator.py: jasa anggota 35 %, 70 % of it by jasa usaha.
PARTS_BP = {"reserve": 4000, "jasa_anggota": 3500, "pengurus": 500, "karyawan": 500,
            "pendidikan": 500, "sosial": 500, "pembangunan_daerah_kerja": 500}  # fmt: skip
STATUTES = ShuPercentages(PARTS_BP, jasa_usaha_bp=7000, counts_purchases=False)


@dataclass
class Mlijo:
    coop: Cooperative
    admin: User
    admin_member: Membership
    siti: Membership
    budi: Membership


def jakarta(year, month, day, hour=10, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=JAKARTA)


def dated(when: datetime, *conditions) -> None:
    """Move the entries matching conditions to `when`, as if posted then (the fixture reseals
    the hash chain once, at its end)."""
    db.session.execute(update(JournalEntry).where(*conditions).values(created_at=when))
    db.session.commit()


def buy(variant_id: int, quantity: int, coop, user=None, method="qris") -> Order:
    order = place_order([(variant_id, quantity)], checkout_request(coop), user).order
    pay(order, method)
    return db.session.get(Order, order.id)


def deposit(member, kind, amount, admin, when: datetime) -> None:
    movement = record_deposit(
        SavingsRecord(member, kind, amount, PaymentMethod.CASH, "", when.date()), admin
    )
    dated(when, JournalEntry.idempotency_key == f"savings:{movement.id}")


@shared_data  # built once per module: a year of orders and simpanan
def mlijo() -> Mlijo:
    coop = make_coop(name="Koperasi Mlijo", slug="mlijo", fee_bp=500)
    admin_member = make_membership(coop=coop, role=Role.ADMIN, member_number="0001",
                                   user=make_user(name="Pak Admin"))  # fmt: skip
    siti = make_membership(coop=coop, member_number="0002", business_name="Keripik Siti")
    budi = make_membership(coop=coop, member_number="0003", business_name="Madu Budi")
    admin = admin_member.user
    keripik = make_product(siti, variants=((20_000, 50),)).variants[0].id
    madu = make_product(budi, variants=((100_000, 10),)).variants[0].id

    o1 = buy(keripik, 3, coop, budi.user, method="bank_transfer")
    line = o1.lines[0]
    record_manual_refund(o1, coop, {line.id: 1}, "Remuk", "BCA-1", "", admin)
    o2 = buy(keripik, 1, coop)
    buy(keripik, 1, coop)  # O3, posted now
    o4 = buy(madu, 1, coop)
    is_o1 = JournalEntry.order_id == o1.id
    dated(jakarta(2025, 3, 10), is_o1, JournalEntry.kind == EntryKind.SETTLEMENT)
    dated(jakarta(2025, 6, 1), is_o1, JournalEntry.kind == EntryKind.REFUND)
    dated(jakarta(2024, 12, 31, 23, 59, 59), JournalEntry.order_id == o2.id)
    dated(jakarta(2025, 8, 1), JournalEntry.order_id == o4.id)

    save_savings_settings(coop, 100_000, 25_000, None, admin)
    deposit(siti, SavingsKind.POKOK, 100_000, admin, jakarta(2025, 1, 5))
    deposit(siti, SavingsKind.WAJIB, 25_000, admin, jakarta(2025, 12, 31, 23, 59, 59))
    deposit(siti, SavingsKind.SUKARELA, 70_000, admin, jakarta(2025, 2, 1))
    deposit(budi, SavingsKind.POKOK, 100_000, admin, jakarta(2025, 2, 1))
    deposit(budi, SavingsKind.WAJIB, 50_000, admin, jakarta(2026, 1, 1, 0, 0, 0))
    save_settings(coop, STATUTES, admin)
    reseal_hash_chains()  # posted then: chained with those times
    return Mlijo(coop, admin, admin_member, siti, budi)
