"""The nightly proof of the books: the operators hear when it fails."""

import logging

from shop.extensions import db
from shop.ledger.check_runs import LISTED_PROBLEMS, run_ledger_check
from shop.reports.period import today_in_jakarta

logger = logging.getLogger(__name__)


def notify_if_ledger_broken() -> list[str]:
    """Run every ledger check (the run is recorded for the operator's dashboard); on any
    problem, tell each operator (once per night) with the first few problems. Returns the
    problems."""
    from shop.notifications import events

    problems = run_ledger_check("nightly")
    if problems:
        logger.error("ledger check: %d problem(s): %s", len(problems), problems[:LISTED_PROBLEMS])
        params = {"count": len(problems), "problems": problems[:LISTED_PROBLEMS]}
        events.operators_told("ledger_check_failed", today_in_jakarta().isoformat(), params)
        db.session.commit()
    return problems
