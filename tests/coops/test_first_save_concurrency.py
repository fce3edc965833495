"""Two admins saving a cooperative's first SHU percentages, simpanan amounts or RAT record at
the same moment, on PostgreSQL: both saves land one after the other on the one row the
cooperative may have (no IntegrityError, no 500), each with its audit row.

Real commits on separate connections (`committed_database`); the first pauses after it has
looked for the row, so that without the cooperative's lock the second would look too, find
nothing, and insert the same row.
"""

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.coops.models import Cooperative, Role
from shop.extensions import db
from shop.rat import services as rat_services
from shop.rat.models import PaidShuTo, RatMeeting
from shop.rat.services import RatRecord
from shop.savings import services as savings_services
from shop.savings.models import SavingsSettings
from shop.shu import services as shu_services
from shop.shu.models import ShuSettings
from tests.factories import make_coop, make_membership
from tests.payouts.test_batch_concurrency import run_all
from tests.payouts.test_concurrency import slowed
from tests.shu.conftest import PARTS_BP

pytestmark = pytest.mark.pg


def two_admins() -> tuple[int, int, int]:
    coop = make_coop()
    first = make_membership(coop=coop, role=Role.ADMIN).user_id
    second = make_membership(coop=coop, role=Role.ADMIN).user_id
    db.session.commit()
    coop_id = coop.id
    db.session.remove()
    return coop_id, first, second


def both_at_once(app, coop_id: int, admins: tuple[int, int], save) -> list[str]:
    barrier = threading.Barrier(2)

    def as_admin(user_id: int, index: int):
        def job() -> str:
            barrier.wait()
            save(db.session.get(Cooperative, coop_id), db.session.get(User, user_id), index)
            return "saved"

        return job

    return run_all(app, *(as_admin(user_id, i) for i, user_id in enumerate(admins)))


def audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def test_two_first_saves_of_the_shu_percentages_both_land(app, committed_database, monkeypatch):
    coop_id, *admins = two_admins()
    monkeypatch.setattr(shu_services, "settings_of", slowed(shu_services.settings_of))

    def save(coop, admin, index):
        usaha_bp = (6000, 7000)[index]
        shu_services.save_settings(
            coop, shu_services.ShuPercentages(PARTS_BP, usaha_bp, False), admin
        )

    assert both_at_once(app, coop_id, admins, save) == ["saved", "saved"]
    settings = db.session.scalars(select(ShuSettings)).all()
    assert len(settings) == 1 and settings[0].jasa_usaha_bp in (6000, 7000)
    assert audits("shu.settings") == 2


def test_two_first_saves_of_the_simpanan_amounts_both_land(app, committed_database, monkeypatch):
    coop_id, *admins = two_admins()
    monkeypatch.setattr(savings_services, "_settings_dict", slowed(savings_services._settings_dict))

    def save(coop, admin, index):
        savings_services.save_settings(coop, 100_000, (10_000, 20_000)[index], None, admin)

    assert both_at_once(app, coop_id, admins, save) == ["saved", "saved"]
    settings = db.session.scalars(select(SavingsSettings)).all()
    assert len(settings) == 1 and settings[0].wajib_amount in (10_000, 20_000)
    assert audits("savings.settings") == 2


def test_two_first_records_of_a_rat_both_land(app, committed_database, monkeypatch):
    coop_id, *admins = two_admins()
    monkeypatch.setattr(rat_services, "meeting_of", slowed(rat_services.meeting_of))
    monkeypatch.setattr(rat_services, "today_in_jakarta", lambda: date(2027, 1, 5))

    def save(coop, admin, index):
        record = RatRecord(date(2027, 1, 4), 1 + index, 2, "", PaidShuTo.AVAILABLE, PARTS_BP, "")
        rat_services.record_rat(coop, 2026, record, admin)

    assert both_at_once(app, coop_id, admins, save) == ["saved", "saved"]
    meetings = db.session.scalars(select(RatMeeting)).all()
    assert len(meetings) == 1 and meetings[0].members_present in (1, 2)
    assert audits("rat.recorded") == 2
