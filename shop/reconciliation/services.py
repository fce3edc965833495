"""Running the reconciliation, and what it has found for the pages that show it.

A run is idempotent: what it finds that is already open is only seen again (last_seen,
amount), what it finds anew opens a row, and every open row it no longer finds is resolved.
Running it twice a day opens nothing twice.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from shop.coops.models import Cooperative
from shop.extensions import db
from shop.notifications import events
from shop.reconciliation.checks import find_exceptions
from shop.reconciliation.models import ExceptionKind, ReconciliationException
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

# Resolved exceptions stay on the page this long: what was put right lately.
RECENTLY_RESOLVED = timedelta(days=30)
RESOLVED_SHOWN = 50


@dataclass(frozen=True)
class RunResult:
    opened: int
    still_open: int
    resolved: int


def reconcile_cooperative(coop: Cooperative, now: datetime | None = None) -> RunResult:
    """Find the cooperative's exceptions now and bring its rows up to date: new ones opened,
    those found again seen again, those no longer found resolved. Commits; a concurrent run
    that opened the same exception first makes this one fail on the unique index (the task
    is retried) and leave nothing behind."""
    now = now or utcnow()
    settlement_days = current_app.config["RECONCILIATION_SETTLEMENT_DAYS"]
    try:
        found = {
            (kind, reference): amount
            for kind, by_reference in find_exceptions(coop.id, now, settlement_days).items()
            for reference, amount in by_reference.items()
        }
        result = _bring_up_to_date(coop.id, found, now)
        if result.opened:
            events.reconciliation_exceptions_opened(coop, result.opened, now.isoformat())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if result.opened or result.resolved:
        logger.info("reconciliation of %s: %s", coop.slug, result)
    return result


def _bring_up_to_date(
    cooperative_id: int, found: dict[tuple[ExceptionKind, str], int], now: datetime
) -> RunResult:
    """Open rows found again are seen again, the others resolved; what is left of `found`
    opens new rows. Flushes only."""
    found = dict(found)
    still_open = resolved = 0
    for row in _open_rows(cooperative_id):
        key = (row.kind, row.reference)
        if key in found:
            row.last_seen, row.amount = now, found.pop(key)
            still_open += 1
        else:
            row.resolved_at = now
            resolved += 1
    for (kind, reference), amount in sorted(found.items()):
        db.session.add(
            ReconciliationException(
                cooperative_id=cooperative_id,
                kind=kind,
                reference=reference,
                amount=amount,
                first_seen=now,
                last_seen=now,
            )
        )
    db.session.flush()
    return RunResult(len(found), still_open, resolved)


def reconcile_all(now: datetime | None = None) -> dict[int, RunResult]:
    """Reconcile every active cooperative, each in its own unit of work (one that fails does
    not undo the others: the task is retried, and the rest is simply seen again)."""
    coops = db.session.scalars(
        select(Cooperative).where(Cooperative.is_active.is_(True)).order_by(Cooperative.id)
    ).all()
    return {coop.id: reconcile_cooperative(coop, now) for coop in coops}


def _open_rows(cooperative_id: int) -> list[ReconciliationException]:
    return list(
        db.session.scalars(
            select(ReconciliationException)
            .where(
                ReconciliationException.cooperative_id == cooperative_id,
                ReconciliationException.resolved_at.is_(None),
            )
            .order_by(ReconciliationException.id)
            .with_for_update()
        )
    )


def open_exceptions(coop: Cooperative, limit: int | None = None) -> list[ReconciliationException]:
    """The cooperative's open exceptions, the oldest first (waiting longest)."""
    query = (
        select(ReconciliationException)
        .where(
            ReconciliationException.cooperative_id == coop.id,
            ReconciliationException.resolved_at.is_(None),
        )
        .order_by(ReconciliationException.first_seen, ReconciliationException.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def open_exception_count(coop: Cooperative) -> int:
    return db.session.scalar(
        select(func.count(ReconciliationException.id)).where(
            ReconciliationException.cooperative_id == coop.id,
            ReconciliationException.resolved_at.is_(None),
        )
    )


def recently_resolved(
    coop: Cooperative, now: datetime | None = None
) -> list[ReconciliationException]:
    """Exceptions resolved in the last 30 days, the latest first."""
    since = (now or utcnow()) - RECENTLY_RESOLVED
    return list(
        db.session.scalars(
            select(ReconciliationException)
            .where(
                ReconciliationException.cooperative_id == coop.id,
                ReconciliationException.resolved_at >= since,
            )
            .order_by(ReconciliationException.resolved_at.desc(), ReconciliationException.id)
            .limit(RESOLVED_SHOWN)
        )
    )
