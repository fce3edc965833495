"""The pengawas's pages: their home with every book of the cooperative, the journal, and
the supervision reports they write and the admins read."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import require_books_reader, require_pengawas
from shop.errors import ShopError
from shop.forms_common import ButtonForm
from shop.ledger.labels import ACCOUNT_LABELS, ENTRY_KIND_LABELS
from shop.ledger.models import GENESIS_HASH
from shop.pagination import parse_page_number
from shop.reconciliation.services import open_exceptions
from shop.reports.period import today_in_jakarta
from shop.security import private_page
from shop.supervision import services
from shop.supervision.forms import PERIOD_LABELS, SupervisionReportForm
from shop.supervision.journal import journal_page
from shop.supervision.models import ReportPeriod

bp = Blueprint("supervision", __name__)

REPORTS = "/koperasi/<coop_slug>/kelola/pengawasan"
WRITING = "/koperasi/<coop_slug>/pengawas/laporan"


@bp.app_template_global()
def console_home(coop) -> str:
    """Where a books page leads back to: the admin's console, or the pengawas's home."""
    membership = g.get("membership")
    if membership is not None and membership.is_pengawas:
        return url_for("supervision.home", coop_slug=coop.slug)
    return url_for("dashboards.admin_home", coop_slug=coop.slug)


@bp.app_template_filter("report_period")
def period_label(period: str) -> str:
    return str(PERIOD_LABELS.get(period, period))


@bp.route("/koperasi/<coop_slug>/pengawas")
@require_pengawas
def home(coop, membership):
    year = today_in_jakarta().year
    html = render_template(
        "supervision/home.html",
        coop=coop,
        year=year,
        reports=services.supervision_reports_of(coop, year),
        exceptions=open_exceptions(coop),
    )
    return private_page(html)


@bp.route("/koperasi/<coop_slug>/kelola/jurnal")
@require_books_reader
def journal(coop, membership):
    page = journal_page(coop, parse_page_number(request.args.get("page")))
    html = render_template(
        "supervision/journal.html", coop=coop, page=page, genesis=GENESIS_HASH,
        account_labels=ACCOUNT_LABELS, kind_labels=ENTRY_KIND_LABELS,
    )  # fmt: skip
    return private_page(html)


@bp.route(REPORTS)
@require_books_reader
def reports(coop, membership):
    year = request.args.get("tahun", type=int)
    if year is not None and not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        year = None
    html = render_template(
        "supervision/reports.html",
        coop=coop,
        year=year,
        reports=services.supervision_reports_of(coop, year),
    )
    return private_page(html)


@bp.route(REPORTS + "/<int:report_id>")
@require_books_reader
def report(coop, membership, report_id: int):
    report = services.report_in(coop, report_id) or abort(404)
    html = render_template(
        "supervision/report.html",
        coop=coop,
        report=report,
        can_write=membership.is_pengawas and report.is_draft,
        form=ButtonForm(),
    )
    return private_page(html)


@bp.route(WRITING + "/baru", methods=["GET", "POST"])
@require_pengawas
def write(coop, membership):
    form = SupervisionReportForm(data={"year": str(today_in_jakarta().year)})
    if form.validate_on_submit():
        try:
            report = services.write_report(membership, _text_of(form))
        except ShopError as error:
            form[error.field or "title"].errors.append(error.message)
        else:
            flash(_("The draft is saved. You can change it until you submit it."), "success")
            return redirect(url_for(".report", coop_slug=coop.slug, report_id=report.id))
    return _form_page(coop, form, None)


@bp.route(WRITING + "/<int:report_id>", methods=["GET", "POST"])
@require_pengawas
def edit(coop, membership, report_id: int):
    report = services.report_in(coop, report_id) or abort(404)
    form = SupervisionReportForm(obj=report)
    if not report.is_draft:
        flash(_("This report is submitted: it can no longer be changed."), "error")
        return redirect(url_for(".report", coop_slug=coop.slug, report_id=report.id))
    if form.validate_on_submit():
        try:
            services.edit_report(report, _text_of(form), current_user._get_current_object())
        except ShopError as error:
            form[error.field or "title"].errors.append(error.message)
        else:
            flash(_("The draft is saved."), "success")
            return redirect(url_for(".report", coop_slug=coop.slug, report_id=report.id))
    return _form_page(coop, form, report)


@bp.route(WRITING + "/<int:report_id>/kirim", methods=["POST"])
@require_pengawas
def submit(coop, membership, report_id: int):
    report = services.report_in(coop, report_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.submit_report(report, current_user._get_current_object())
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("The report is submitted to the pengurus and kept with the RAT."), "success")
    return redirect(url_for(".report", coop_slug=coop.slug, report_id=report.id))


def _form_page(coop, form, report):
    html = render_template("supervision/write.html", coop=coop, form=form, report=report)
    return private_page((html, 400 if form.errors else 200))


def _text_of(form) -> services.ReportText:
    return services.ReportText(
        year=int(form.year.data),
        period=ReportPeriod(form.period.data),
        title=form.title.data.strip(),
        body=(form.body.data or "").strip(),
        findings=(form.findings.data or "").strip(),
        recommendation=(form.recommendation.data or "").strip(),
    )
