"""A downgrade that would leave rows the older code misreads is refused, and changes nothing."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from config import TestConfig
from shop import create_app
from shop.checkout.models import CourierZoneRate
from shop.extensions import db
from shop.ledger.journal import add_entry, credit, debit
from shop.ledger.models import Account, EntryKind, JournalEntry
from tests.factories import make_coop, make_shipping_settings
from tests.test_migration_walk import empty_database_url  # noqa: F401 (a fixture)

BEFORE_SHU = "7c1a9e4b2d60"
BEFORE_COURIER_MAX_WEIGHT = "c3a7e5d1f204"


def test_a_downgrade_below_a_distributed_shu_is_refused(empty_database_url, tmp_path):  # noqa: F811
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url,
                     MEDIA_DIR=str(tmp_path))  # fmt: skip
    with app.app_context():
        upgrade()
        coop_id = make_coop().id
        legs = [debit(Account.SHU_SHARED, 500), credit(Account.BANK, 500)]
        add_entry("shu:uji", EntryKind.SHU_DISTRIBUTION, coop_id, legs, memo="uji")
        db.session.commit()
        db.session.remove()  # its transaction would hold the tables the downgrade alters

        with pytest.raises(SystemExit) as refused:  # Flask-Migrate exits on a failed step
            downgrade(revision=BEFORE_SHU)
        assert "SHU has been distributed" in str(refused.value.__context__)

        db.session.remove()
        shu_entries = select(func.count()).where(JournalEntry.kind == EntryKind.SHU_DISTRIBUTION)
        assert db.session.scalar(shu_entries) == 1
        db.session.remove()
        db.engine.dispose()


def test_courier_rates_survive_the_courier_services_migration_down_and_up(
    empty_database_url,  # noqa: F811
    tmp_path,
):
    """3df8582949c4 alters courier_services: on SQLite by copying the table, which must not
    cascade to the rates that point at it."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url,
                     MEDIA_DIR=str(tmp_path))  # fmt: skip
    rates = select(func.count()).select_from(CourierZoneRate)
    with app.app_context():
        upgrade()
        make_shipping_settings(make_coop(), courier=(18_000, 9_000))
        db.session.commit()
        assert db.session.scalar(rates) == 1
        db.session.remove()

        downgrade(revision=BEFORE_COURIER_MAX_WEIGHT)
        upgrade()

        assert db.session.scalar(rates) == 1
        db.session.remove()
        db.engine.dispose()
