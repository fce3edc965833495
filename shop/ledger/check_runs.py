"""Each run of the whole-ledger check is written down, whoever started it, so the operator's
dashboard can say when the books were last proved and what was wrong."""

from collections.abc import Callable

from sqlalchemy import select

from shop.extensions import db
from shop.ledger.checks import CHECKS
from shop.ledger.models import LedgerCheckRun

LISTED_PROBLEMS = 10  # kept on the run's row; the command line prints them all
SOURCES = ("nightly", "cli", "operator")

# Told before each check: (checks done, checks in all, the next check's name).
StepReporter = Callable[[int, int, str], None]


def check_name(check: Callable) -> str:
    """A check's name for people (the progress bar): "unbalanced entries"."""
    return check.__name__.strip("_").replace("_", " ")


def run_ledger_check(source: str, on_step: StepReporter | None = None) -> list[str]:
    """Run every ledger check and record the run (problem count and the first few problems)
    with its source: "nightly", "cli" or "operator". Returns every problem; [] when the
    books hold. Commits the run."""
    if source not in SOURCES:
        raise ValueError(f"unknown ledger check source {source!r}")
    problems: list[str] = []
    for done, check in enumerate(CHECKS):
        if on_step is not None:
            on_step(done, len(CHECKS), check_name(check))
        problems.extend(check())
    db.session.add(
        LedgerCheckRun(
            source=source, problem_count=len(problems), problems=problems[:LISTED_PROBLEMS]
        )
    )
    db.session.commit()
    return problems


def last_check_run() -> LedgerCheckRun | None:
    return db.session.scalar(
        select(LedgerCheckRun).order_by(LedgerCheckRun.checked_at.desc(), LedgerCheckRun.id.desc())
    )
