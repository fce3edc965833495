"""The platform operator's pages: the cooperatives, and the background jobs."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import require_operator
from shop.extensions import db
from shop.forms_common import ButtonForm
from shop.ids import is_row_id
from shop.jobs.failures import resolve_failed_job, retry_failed_job, unresolved_failures
from shop.jobs.models import FailedJob
from shop.operator.services import platform_figures, start_book_check

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.route("/")
@require_operator
def dashboard():
    return render_template("operator/dashboard.html", figures=platform_figures())


@bp.route("/tugas")
@require_operator
def jobs():
    return render_template("operator/jobs.html", failures=unresolved_failures(), form=ButtonForm())


@bp.route("/tugas/periksa-buku", methods=["POST"])
@require_operator
def check_books():
    if not ButtonForm().validate_on_submit():
        abort(400)
    job = start_book_check(current_user)
    return redirect(url_for("jobs.progress", job_id=job.id))


@bp.route("/tugas/gagal/<int:failure_id>/<action>", methods=["POST"])
@require_operator
def failed_job(failure_id: int, action: str):
    failure = db.session.get(FailedJob, failure_id) if is_row_id(failure_id) else None
    if (
        failure is None
        or action not in ("ulangi", "selesai")
        or not ButtonForm().validate_on_submit()
    ):
        abort(404)
    if action == "selesai":
        resolve_failed_job(failure, current_user.id)
        flash(_("Marked as dealt with."), "success")
    elif retry_failed_job(failure, current_user.id):
        flash(_("The job is queued again."), "success")
    else:
        flash(_("This job no longer exists in this version: deal with it by hand."), "error")
    return redirect(url_for("operator.jobs"))
