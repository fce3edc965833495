"""The RAT pages of a cooperative's admins, which the pengawas reads: the financial years,
recording a year's RAT (the admins only), the supervision reports of the year, and the
year's RAT pack as a workbook and as a printable page."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import require_books_reader
from shop.errors import ShopError
from shop.rat import services
from shop.rat.figures import members_at
from shop.rat.forms import rat_form
from shop.rat.labels import PAID_SHU_TO_LABELS, SHU_PART_LABELS
from shop.rat.pack import build_pack, ledger_sentence
from shop.rat.xlsx import file_name, pack_xlsx
from shop.reports.exports import XLSX_MIMETYPE
from shop.security import private_page
from shop.supervision.services import supervision_reports_of

bp = Blueprint("rat", __name__)


def _year_or_404(year: int) -> int:
    if not services.is_financial_year(year):
        abort(404)
    return year


@bp.route("/koperasi/<coop_slug>/kelola/rat")
@require_books_reader
def years(coop, membership):
    html = render_template("rat/years.html", coop=coop, years=services.years_of(coop))
    return private_page(html)


@bp.route("/koperasi/<coop_slug>/kelola/rat/<int:year>", methods=["GET", "POST"])
@require_books_reader
def year(coop, membership, year):
    meeting = services.meeting_of(coop, _year_or_404(year))
    members = members_at(coop, services.financial_year(year).ends_at)
    form = rat_form(meeting, sum(1 for member in members if member.is_active))
    if form.validate_on_submit():
        try:
            services.record_rat(coop, year, form.to_record(), current_user._get_current_object())
        except ShopError as error:
            form[error.field or "held_on"].errors.append(error.message)
        else:
            flash(_("The RAT for %(year)d is recorded.", year=year), "success")
            return redirect(url_for("rat.year", coop_slug=coop.slug, year=year))
    html = render_template("rat/year.html", coop=coop, year=year, form=form, meeting=meeting,
                           reports=supervision_reports_of(coop, year),
                           paid_shu_to_labels=PAID_SHU_TO_LABELS,
                           shu_part_labels=SHU_PART_LABELS)  # fmt: skip
    return private_page((html, 400 if form.errors else 200))


@bp.route("/koperasi/<coop_slug>/kelola/rat/<int:year>/paket.xlsx")
@require_books_reader
def pack_workbook(coop, membership, year):
    pack = build_pack(coop, _year_or_404(year))
    response = Response(pack_xlsx(pack), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(pack)}"'
    return private_page(response)


@bp.route("/koperasi/<coop_slug>/kelola/rat/<int:year>/cetak")
@require_books_reader
def pack_print(coop, membership, year):
    pack = build_pack(coop, _year_or_404(year))
    # In the pack's language, like the workbook: a document for the RAT, not the reader's page.
    with force_locale(pack.language):
        html = render_template("rat/print.html", coop=coop, pack=pack,
                               ledger_sentence=ledger_sentence(pack.check))  # fmt: skip
    return private_page(html)
