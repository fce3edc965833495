"""Work the operator starts from their pages and watches on a progress bar."""

from flask import url_for
from flask_babel import gettext as _

from shop.jobs.progress import finish_job, report_progress
from shop.jobs.runner import task
from shop.ledger.check_runs import run_ledger_check


@task(retries=0)
def check_books(job_id: int) -> None:
    """Every ledger check, one step each, the problems written on the job's result (and the
    run recorded for the dashboard)."""
    problems = run_ledger_check(
        "operator",
        on_step=lambda done, total, name: report_progress(job_id, done, total, name),
    )
    if problems:
        message = _("%(count)d problem(s): %(first)s", count=len(problems), first=problems[0])
    else:
        message = _("The books hold: every check passed.")
    finish_job(job_id, message, url_for("operator.dashboard"))
