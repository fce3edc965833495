"""`flask ledger check`: prove the books, for cron or before the members' annual meeting."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.check_runs import run_ledger_check
from shop.ledger.models import JournalEntry, Posting

ledger_cli = AppGroup("ledger", help="Check the books.")


@ledger_cli.command("check")
def check_command() -> None:
    """Check every ledger invariant; exit status 1 with a list of what is wrong."""
    problems = run_ledger_check("cli")
    if problems:
        click.echo(f"The ledger has {len(problems)} problem(s):", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    entries = db.session.scalar(select(func.count()).select_from(JournalEntry))
    postings = db.session.scalar(select(func.count()).select_from(Posting))
    click.echo(f"The ledger holds: {entries} entries, {postings} postings, all balanced.")
