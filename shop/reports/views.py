"""Money reports for a cooperative's admins (page, CSV, XLSX) and each member's statement."""

from flask import Blueprint, Response, abort, render_template, request

from shop.auth.policy import require_coop_admin, require_member_or_former
from shop.pagination import parse_page_number
from shop.reports.exports import CSV_MIMETYPE, XLSX_MIMETYPE, file_name, to_csv, to_xlsx
from shop.reports.forms import period_form
from shop.reports.period import today_in_jakarta
from shop.reports.statement import statement_lines, statement_page
from shop.reports.tables import REPORT_TITLES, TABLES, period_label, statement_table
from shop.security import private_page

bp = Blueprint("reports", __name__)

EXPORTS = {"csv": (to_csv, CSV_MIMETYPE), "xlsx": (to_xlsx, XLSX_MIMETYPE)}


def _download(table, export: str, coop_slug: str, period_slug: str) -> Response:
    render, mimetype = EXPORTS[export]
    response = Response(render(table), mimetype=mimetype)
    name = file_name(coop_slug, table, period_slug, export)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return private_page(response)


@bp.route("/koperasi/<coop_slug>/kelola/laporan")
@require_coop_admin
def index(coop, membership):
    form = period_form(request.args)
    period = form.period() if form.validate() else None
    return private_page(
        render_template(
            "reports/index.html", coop=coop, form=form, period=period, titles=REPORT_TITLES
        )
    )


@bp.route("/koperasi/<coop_slug>/kelola/laporan/<report>")
@require_coop_admin
def report(coop, membership, report):
    build = TABLES.get(report)
    if build is None:
        abort(404)
    form = period_form(request.args)
    title = REPORT_TITLES[report]
    if not form.validate():
        html = render_template(
            "reports/report.html", coop=coop, form=form, report=report, title=title
        )
        return private_page((html, 400))
    period = form.period()
    table = build(coop, period)
    export = request.args.get("format")
    if export in EXPORTS:
        return _download(table, export, coop.slug, period.slug)
    return private_page(
        render_template(
            "reports/report.html",
            coop=coop,
            form=form,
            report=report,
            title=title,
            table=table,
            period=period,
            period_label=period_label(period),
        )
    )


@bp.route("/koperasi/<coop_slug>/anggota/mutasi")
@require_member_or_former
def statement(coop, membership):
    # Always the signed-in member's own: no member id is ever read from the request.
    if request.args.get("format") == "csv":
        table = statement_table(statement_lines(membership))
        return _download(table, "csv", coop.slug, today_in_jakarta().isoformat())
    page = statement_page(membership, parse_page_number(request.args.get("page")))
    return private_page(
        render_template(
            "reports/statement.html", coop=coop, page=page, table=statement_table(page.items)
        )
    )
