"""The financial year 2026 of Koperasi Tani Makmur: November's books (tests/reports/conftest.py,
every Rupiah worked by hand there) with simpanan added, and one deposit after the year.

  2026  sales 180.000 (A 85.000 on 10 Nov, B 15.000 on 31 Oct, C 80.000 on 30 Nov), fees 4.500,
        shipping 12.000, Midtrans fees 679 + 105 + 4.440 = 5.224; one refund of 15.000 (fee 375);
        Budi's payout of 30.000 transferred; Siti's 10.000 approved on 1 Dec, not transferred.
        Year end: pending Siti 14.625 (B) + Budi 78.000 (C) = 92.625; available Siti
        43.875 - 14.625 - 10.000 = 19.250, Budi 39.000 - 30.000 = 9.000, together 28.250.
  simpanan (pokok Rp 100.000, wajib Rp 25.000 a month): Siti pokok 100.000, wajib 25.000,
        sukarela 50.000 less 20.000 withdrawn; Budi wajib 25.000 (all dated 2026); Budi
        sukarela 70.000 on 1 Jan 2027 00:00 Jakarta, after the year.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update

from shop.extensions import db
from shop.ledger.models import JournalEntry
from shop.savings.models import PaymentMethod, SavingsKind
from shop.savings.services import SavingsRecord, record_deposit, record_withdrawal, save_settings
from tests.factories import reseal_hash_chains
from tests.reports.conftest import (  # noqa: F401  (fixtures)
    Books,
    _receiver,
    books,
    jakarta,
    midtrans,
    simulator_app,
)
from tests.shared import shared_data

YEAR = 2026


@dataclass
class Year:
    books: Books

    @property
    def tani(self):
        return self.books.tani


def _saved(member, kind, amount, when, admin, withdrawal=False):
    """The movement, its entry moved to `when` (the fixture reseals the chains once, after)."""
    record = SavingsRecord(member, kind, amount, PaymentMethod.CASH, "", when.date())
    movement = (record_withdrawal if withdrawal else record_deposit)(record, admin)
    db.session.execute(
        update(JournalEntry)
        .where(JournalEntry.idempotency_key == f"savings:{movement.id}")
        .values(created_at=when)
    )
    db.session.commit()


@shared_data  # built once per module, as books is
def year(books) -> Year:  # noqa: F811  (the imported fixture)
    admin = books.admin.user
    save_settings(books.tani, 100_000, 25_000, None, admin)
    _saved(books.siti, SavingsKind.POKOK, 100_000, jakarta(date(2026, 11, 2)), admin)
    _saved(books.siti, SavingsKind.WAJIB, 25_000, jakarta(date(2026, 11, 2)), admin)
    _saved(books.siti, SavingsKind.SUKARELA, 50_000, jakarta(date(2026, 11, 3)), admin)
    _saved(books.siti, SavingsKind.SUKARELA, 20_000, jakarta(date(2026, 12, 10)), admin,
           withdrawal=True)  # fmt: skip
    _saved(books.budi, SavingsKind.WAJIB, 25_000, jakarta(date(2026, 12, 31), 23, 59, 59), admin)
    _saved(books.budi, SavingsKind.SUKARELA, 70_000, jakarta(date(2027, 1, 1), 0), admin)
    reseal_hash_chains()  # posted then: chained with those times
    return Year(books)
