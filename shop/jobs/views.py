"""A job's progress page: refreshes itself until the job is finished."""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from shop.auth.policy import require_sign_in
from shop.extensions import db
from shop.ids import is_row_id
from shop.jobs.models import JobProgress
from shop.security import private_page

bp = Blueprint("jobs", __name__, url_prefix="/tugas")

REFRESH_SECONDS = 2


@bp.route("/<int:job_id>")
@require_sign_in
def progress(job_id: int):
    job = db.session.get(JobProgress, job_id) if is_row_id(job_id) else None
    if job is None or job.owner_id != current_user.id:
        abort(404)  # another person's job looks like no job
    body = render_template("jobs/progress.html", job=job, refresh_seconds=REFRESH_SECONDS)
    return private_page(body)
