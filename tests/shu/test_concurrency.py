"""Two admins confirm the same year's SHU at the same moment, on PostgreSQL: the unique
(cooperative, year) row lets one through; the other posts nothing and says so."""

import threading
import time

import pytest
from sqlalchemy import func, select

from shop.coops.models import Cooperative
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.models import EntryKind, JournalEntry
from shop.shu import services
from shop.shu.models import ShuDestination, ShuDistribution

pytestmark = pytest.mark.pg

SHU = 12_345_678


def test_two_confirmations_at_once_post_once(app, committed_database, request, monkeypatch):
    mlijo = request.getfixturevalue("mlijo")  # committed for real
    coop_id, admin_id = mlijo.coop.id, mlijo.admin.id
    token = services.preview_shu(mlijo.coop, 2025, SHU).token
    db.session.remove()
    real_preview = services.preview_shu
    both_checked = threading.Barrier(2, timeout=10)

    def preview_then_wait(*args):
        preview = real_preview(*args)
        both_checked.wait()  # each has seen no distribution yet
        time.sleep(0.2)
        return preview

    monkeypatch.setattr(services, "preview_shu", preview_then_wait)
    outcomes = [""] * 2

    def confirm(index):
        with app.app_context():
            try:
                coop = db.session.get(Cooperative, coop_id)
                admin = db.session.get(type(mlijo.admin), admin_id)
                services.confirm_shu(coop, 2025, SHU, ShuDestination.AVAILABLE, token, admin)
                outcomes[index] = "confirmed"
            except services.ShuAlreadyConfirmed:
                outcomes[index] = "already"
            except Exception as error:  # a deadlock or a bug: make the test say which
                outcomes[index] = f"error: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already", "confirmed"]
    kinds = JournalEntry.kind == EntryKind.SHU_DISTRIBUTION
    assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(kinds)) == 1
    assert db.session.scalar(select(func.count()).select_from(ShuDistribution)) == 1
    assert check_ledger() == []
