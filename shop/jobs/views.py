"""A job's progress page: it follows the job until it is finished, by a refresh of the page
without JavaScript, or by asking /status every second with it."""

from flask import Blueprint, abort, jsonify, render_template
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import require_sign_in
from shop.extensions import db
from shop.ids import is_row_id
from shop.jobs.models import JobProgress, JobState
from shop.security import private_page

bp = Blueprint("jobs", __name__, url_prefix="/tugas")

REFRESH_SECONDS = 2


def progress_text(job: JobProgress) -> str:
    said = {
        JobState.QUEUED: _("Waiting to start…"),
        JobState.RUNNING: _("Working: %(done)d of %(total)d", done=job.done, total=job.total),
        JobState.DONE: _("Finished."),
        JobState.FAILED: _("Failed."),
    }[job.state]
    return f"{said} {job.message}".strip()


def _own_job_or_404(job_id: int) -> JobProgress:
    job = db.session.get(JobProgress, job_id) if is_row_id(job_id) else None
    if job is None or job.owner_id != current_user.id:
        abort(404)  # another person's job looks like no job
    return job


@bp.route("/<int:job_id>")
@require_sign_in
def progress(job_id: int):
    job = _own_job_or_404(job_id)
    body = render_template(
        "jobs/progress.html", job=job, refresh_seconds=REFRESH_SECONDS, progress_text=progress_text
    )
    return private_page(body)


@bp.route("/<int:job_id>/status")
@require_sign_in
def status(job_id: int):
    job = _own_job_or_404(job_id)
    return private_page(
        jsonify(percent=job.percent, text=progress_text(job), finished=job.is_finished)
    )
