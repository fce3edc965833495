"""Work the operator starts from their pages and watches on a progress bar."""

from flask import url_for
from flask_babel import gettext as _

from shop.jobs.progress import finish_job, report_progress
from shop.jobs.runner import task
from shop.ledger.checks import CHECKS


@task(retries=0)
def check_books(job_id: int) -> None:
    """Every ledger check, one step each, the problems written on the job's result."""
    problems: list[str] = []
    for done, check in enumerate(CHECKS):
        report_progress(job_id, done, len(CHECKS), check.__name__.strip("_").replace("_", " "))
        problems.extend(check())
    if problems:
        message = _("%(count)d problem(s): %(first)s", count=len(problems), first=problems[0])
    else:
        message = _("The books hold: every check passed.")
    finish_job(job_id, message, url_for("operator.jobs"))
