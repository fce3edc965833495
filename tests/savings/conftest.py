"""Koperasi Tani with simpanan pokok Rp 100.000 and wajib Rp 25.000 a month; Siti joined on
15 January 2026, Budi on 3 November 2026."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from shop.accounts.models import User
from shop.coops.models import Cooperative, Membership, Role
from shop.savings.models import PaymentMethod, SavingsKind
from shop.savings.services import SavingsRecord, save_settings
from tests.factories import make_coop, make_membership

POKOK, WAJIB = 100_000, 25_000


@dataclass
class Tani:
    coop: Cooperative
    admin: User
    siti: Membership
    budi: Membership


@pytest.fixture
def tani() -> Tani:
    coop = make_coop(name="Koperasi Tani")
    admin = make_membership(coop=coop, role=Role.ADMIN).user
    siti = make_membership(coop=coop, business_name="Keripik Siti",
                           joined_at=datetime(2026, 1, 15, 3, tzinfo=UTC))  # fmt: skip
    budi = make_membership(coop=coop, business_name="Madu Budi",
                           joined_at=datetime(2026, 11, 3, 3, tzinfo=UTC))  # fmt: skip
    save_settings(coop, POKOK, WAJIB, None, admin)
    return Tani(coop, admin, siti, budi)


def record(member, kind=SavingsKind.WAJIB, amount=WAJIB, method=PaymentMethod.CASH,
           reference="", paid_on=date(2026, 12, 1)) -> SavingsRecord:  # fmt: skip
    return SavingsRecord(member, kind, amount, method, reference, paid_on)
