"""The platform operator's pages: the platform's figures and cooperatives, onboarding, and
the background jobs."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.auth.policy import require_operator
from shop.coops.models import Cooperative
from shop.errors import ShopError
from shop.extensions import db
from shop.forms_common import ButtonForm
from shop.ids import is_row_id
from shop.jobs.failures import resolve_failed_job, retry_failed_job, unresolved_failures
from shop.jobs.models import FailedJob
from shop.ledger.check_runs import last_check_run
from shop.operator.figures import platform_figures, unresolved_failure_count
from shop.operator.forms import OnboardCoopForm
from shop.operator.gateway_watch import OUTCOME_LABELS, notifications_to_look_at
from shop.operator.onboarding import onboard_cooperative
from shop.operator.services import deactivate_cooperative, reactivate_cooperative, start_book_check
from shop.reports.forms import period_form
from shop.reports.tables import period_label
from shop.security import private_page
from shop.whatsapp import share_url

bp = Blueprint("operator", __name__, url_prefix="/operator")

CHECK_SOURCES = {
    "nightly": _l("the nightly check"),
    "cli": _l("flask ledger check"),
    "operator": _l("an operator's check"),
}


@bp.route("/")
@require_operator
def dashboard():
    form = period_form(request.args)
    figures = platform_figures(form.period()) if form.validate() else None
    html = render_template(
        "operator/dashboard.html",
        form=form,
        figures=figures,
        period_label=period_label(figures.period) if figures else "",
        check=last_check_run(),
        check_sources=CHECK_SOURCES,
        failed_jobs=unresolved_failure_count(),
        gateway_watch=notifications_to_look_at(),
        gateway_outcomes=OUTCOME_LABELS,
        button=ButtonForm(),
    )
    return private_page((html, 200 if figures else 400))


@bp.route("/koperasi/baru", methods=["GET", "POST"])
@require_operator
def onboard():
    form = OnboardCoopForm()
    if form.validate_on_submit():
        try:
            coop, invitation, link = onboard_cooperative(
                form.details(), form.admin_email.data, current_user._get_current_object()
            )
        except ShopError as error:
            form[error.field or "admin_email"].errors.append(error.message)
        else:
            message = _(
                "You are invited to run %(coop)s on Pasar Koperasi as its admin: %(link)s",
                coop=coop.name,
                link=link,
            )
            html = render_template(
                "operator/onboarded.html",
                coop=coop,
                invitation=invitation,
                link=link,
                whatsapp_url=share_url(message),
            )
            return private_page(html)
    return private_page(render_template("operator/onboard.html", form=form))


@bp.route("/koperasi/<int:coop_id>/nonaktifkan", methods=["POST"])
@require_operator
def deactivate_coop(coop_id: int):
    coop = _posted_coop(coop_id)
    if deactivate_cooperative(coop, current_user._get_current_object()):
        flash(_("%(coop)s is closed: its products are off the shop.", coop=coop.name), "success")
    return redirect(url_for("operator.dashboard"))


@bp.route("/koperasi/<int:coop_id>/aktifkan", methods=["POST"])
@require_operator
def reactivate_coop(coop_id: int):
    coop = _posted_coop(coop_id)
    if reactivate_cooperative(coop, current_user._get_current_object()):
        flash(_("%(coop)s is open again.", coop=coop.name), "success")
    return redirect(url_for("operator.dashboard"))


def _posted_coop(coop_id: int) -> Cooperative:
    """The cooperative a button names (404 when none), once its CSRF token checks (400)."""
    coop = db.session.get(Cooperative, coop_id) if is_row_id(coop_id) else None
    if coop is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return coop


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
