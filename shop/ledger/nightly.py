"""The nightly proof of the books: the operators hear when it fails."""

import logging

from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.reports.period import today_in_jakarta

logger = logging.getLogger(__name__)

LISTED_PROBLEMS = 10


def notify_if_ledger_broken() -> list[str]:
    """Run every ledger check; on any problem, tell each operator (once per night) with the
    first few problems. Returns the problems."""
    from shop.notifications import events

    problems = check_ledger()
    if problems:
        logger.error("ledger check: %d problem(s): %s", len(problems), problems[:LISTED_PROBLEMS])
        params = {"count": len(problems), "problems": problems[:LISTED_PROBLEMS]}
        events.operators_told("ledger_check_failed", today_in_jakarta().isoformat(), params)
        db.session.commit()
    return problems
