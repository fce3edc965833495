"""Money reports for a cooperative's admins (page, CSV, XLSX) and each member's statement."""

from flask import Blueprint, abort, render_template, request

from shop.auth.policy import require_books_reader, require_member_or_former
from shop.coops.services import membership_in
from shop.pagination import parse_page_number
from shop.reports.exports import EXPORTS, download
from shop.reports.forms import PERIOD_ARGS, PeriodForm, period_form
from shop.reports.period import Period, today_in_jakarta
from shop.reports.statement import statement_lines, statement_page
from shop.reports.tables import REPORT_TITLES, TABLES, period_label, statement_table
from shop.savings.queries import savings_of
from shop.security import private_page
from shop.shu.services import shares_of_member

bp = Blueprint("reports", __name__)


@bp.route("/koperasi/<coop_slug>/kelola/laporan")
@require_books_reader
def index(coop, membership):
    form = period_form(request.args)
    period = form.period() if form.validate() else None
    return private_page(
        render_template(
            "reports/index.html", coop=coop, form=form, period=period, titles=REPORT_TITLES
        )
    )


@bp.route("/koperasi/<coop_slug>/kelola/laporan/<report>")
@require_books_reader
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
        return download(table, export, coop.slug, period.slug)
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


def _statement_period(args) -> tuple[PeriodForm, Period | None]:
    """The statement's optional period in the query string, and its form. With no dates the
    whole statement is shown and the form is blank; with bad ones the form has the errors."""
    if not any(name in args for name in PERIOD_ARGS):
        return PeriodForm(formdata=None), None
    form = PeriodForm(formdata=args)
    return form, (form.period() if form.validate() else None)


@bp.route("/koperasi/<coop_slug>/anggota/mutasi")
@require_member_or_former
def statement(coop, membership):
    # Always the signed-in member's own: no member id is ever read from the request.
    return _statement(coop, membership, member=None)


@bp.route("/koperasi/<coop_slug>/kelola/anggota/<int:membership_id>/mutasi")
@require_books_reader
def member_statement(coop, membership, membership_id: int):
    """One member's statement, as the admins and the pengawas read it."""
    member = membership_in(coop, membership_id) or abort(404)
    return _statement(coop, member, member=member)


def _statement(coop, statement_of, member):
    form, period = _statement_period(request.args)
    if form.errors:
        html = render_template(
            "reports/statement.html", coop=coop, form=form, period=None, member=member
        )
        return private_page((html, 400))
    export = request.args.get("format")
    if export in EXPORTS:
        table = statement_table(statement_lines(statement_of, period))
        slug = period.slug if period else today_in_jakarta().isoformat()
        if member is not None:
            slug = f"{member.member_number}-{slug}"
        return download(table, export, coop.slug, slug)
    page = statement_page(statement_of, parse_page_number(request.args.get("page")), period=period)
    return private_page(
        render_template(
            "reports/statement.html",
            coop=coop,
            form=form,
            period=period,
            period_label=period_label(period) if period else "",
            page=page,
            table=statement_table(page.items),
            savings=savings_of(statement_of),
            shu_shares=shares_of_member(statement_of),
            member=member,
        )
    )
