"""Each night, yesterday's payments of every cooperative against what Midtrans settled."""

import logging
from datetime import timedelta

from sqlalchemy import select

from shop.coops.models import Cooperative
from shop.extensions import db
from shop.reports.period import Period, today_in_jakarta
from shop.reports.reconciliation import reconciliation_report

logger = logging.getLogger(__name__)


def reconcile_yesterday() -> dict[int, int]:
    """Reconcile yesterday (Jakarta) for every active cooperative; the admins of one with
    flagged orders are told how many. Returns cooperative id -> flagged orders."""
    from shop.notifications import events

    day = today_in_jakarta() - timedelta(days=1)
    period = Period(day, day)
    flagged = {}
    coops = db.session.scalars(select(Cooperative).where(Cooperative.is_active.is_(True))).all()
    for coop in coops:
        report = reconciliation_report(coop.id, period)
        if report.flagged_count:
            flagged[coop.id] = report.flagged_count
            params = {"count": report.flagged_count, "day": day.isoformat(),
                      "coop_slug": coop.slug}  # fmt: skip
            events.reconciliation_flagged(coop.id, day.isoformat(), params)
    db.session.commit()
    if flagged:
        logger.warning("reconciliation of %s: flagged orders per cooperative %s", day, flagged)
    return flagged
