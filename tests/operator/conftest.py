"""The platform operator, the rows an operator's action may write (read back whole), and the
November books of tests/reports/conftest.py for the figures."""

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.coops.models import Cooperative, Invitation, Membership
from shop.extensions import db
from shop.outbox.models import OutgoingMail
from tests.factories import make_user
from tests.payments.conftest import _receiver, simulator_app  # noqa: F401  (fixtures)
from tests.reports.conftest import books, midtrans  # noqa: F401  (fixtures)

# What the operator types to onboard a cooperative.
NEW_COOP = {
    "name": "Koperasi Nelayan Bahari",
    "registration_number": "AHU-0001234.AH.01.26.2026",
    "city": "Kabupaten Rembang",
    "province": "Jawa Tengah",
    "admin_email": "ketua@bahari.co.id",
}


@pytest.fixture
def operator() -> User:
    return make_user(name="Bu Operator", is_operator=True)


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def platform_state() -> tuple:
    """Everything onboarding, deactivating or reactivating could write."""
    return (
        db.session.execute(select(*Cooperative.__table__.c).order_by(Cooperative.id)).all(),
        count(Membership),
        count(Invitation),
        count(AuditEntry),
        count(OutgoingMail),
    )
