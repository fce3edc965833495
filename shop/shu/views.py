"""SHU pages: the admin's settings, a year's preview and confirmation, a member's SHU
statement (their own, or one member's for the admin)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import require_books_reader, require_coop_admin, require_member_or_former
from shop.coops.models import Membership
from shop.extensions import db
from shop.money import format_bp_as_percent, format_rupiah, parse_percent_to_bp, parse_rupiah
from shop.reports.period import today_in_jakarta
from shop.security import private_page
from shop.shu import services
from shop.shu.forms import (
    DESTINATION_LABELS,
    PART_LABELS,
    ShuAmountForm,
    ShuConfirmForm,
    ShuSettingsForm,
)
from shop.shu.models import PARTS, ShuDestination

bp = Blueprint("shu", __name__)


# Template globals, not a context processor: those run at every render of every page.
bp.record_once(
    lambda state: state.app.jinja_env.globals.update(
        shu_part_labels=PART_LABELS, shu_destination_labels=DESTINATION_LABELS
    )
)


@bp.route("/koperasi/<coop_slug>/kelola/shu")
@require_books_reader
def overview(coop, membership):
    this_year = today_in_jakarta().year
    html = render_template("shu/overview.html", coop=coop, settings=services.settings_of(coop),
                           distributions=services.distributions_of(coop),
                           years=range(this_year, this_year - 4, -1))  # fmt: skip
    return private_page(html)


@bp.route("/koperasi/<coop_slug>/kelola/shu/pengaturan", methods=["GET", "POST"])
@require_coop_admin
def settings(coop, membership):
    form = ShuSettingsForm(data=_settings_data(services.settings_of(coop)))
    if form.validate_on_submit():
        percentages = services.ShuPercentages(
            parts_bp={part: parse_percent_to_bp(form[part].data) for part in PARTS},
            jasa_usaha_bp=parse_percent_to_bp(form.jasa_usaha.data),
            counts_purchases=form.counts_purchases.data,
        )
        try:
            services.save_settings(coop, percentages, current_user._get_current_object())
        except services.ShuError as error:
            form[error.field or "reserve"].errors.append(error.message)
        else:
            flash(_("SHU settings saved."), "success")
            return redirect(url_for("shu.overview", coop_slug=coop.slug))
    html = render_template("shu/settings.html", coop=coop, form=form)
    return private_page((html, 400 if form.errors else 200))


def _settings_data(settings) -> dict:
    if settings is None:
        return {}
    data = {part: format_bp_as_percent(bp) for part, bp in settings.parts_bp.items()}
    return data | {"jasa_usaha": format_bp_as_percent(settings.jasa_usaha_bp),
                   "counts_purchases": settings.counts_purchases}  # fmt: skip


@bp.route("/koperasi/<coop_slug>/kelola/shu/<int:year>", methods=["GET", "POST"])
@require_books_reader
def year_page(coop, membership, year):
    if request.method == "POST":
        return _confirm(coop, year)
    distribution = services.distribution_of(coop, year)
    form = ShuAmountForm(formdata=request.args if "amount" in request.args else None)
    preview, error = None, None
    try:
        services.check_year(year)
        if distribution is None and "amount" in request.args and form.validate():
            preview = services.preview_shu(coop, year, parse_rupiah(form.amount.data))
    except services.ShuError as shu_error:
        if shu_error.field == "amount":
            form.amount.errors.append(shu_error.message)
        else:
            error = shu_error.message
    confirm = ShuConfirmForm(data={"amount": str(preview.amount), "token": preview.token}) if (
        preview and not preview.problems
    ) else None  # fmt: skip
    html = render_template("shu/year.html", coop=coop, year=year, form=form, error=error,
                           preview=preview, confirm=confirm, distribution=distribution,
                           settings=services.settings_of(coop))  # fmt: skip
    return private_page((html, 400 if error or form.errors else 200))


def _confirm(coop, year: int):
    form = ShuConfirmForm()
    back = url_for("shu.year_page", coop_slug=coop.slug, year=year)
    if not form.validate_on_submit():
        flash(_("Enter the SHU to share and look at the split before you confirm it."), "error")
        return redirect(back)
    amount = parse_rupiah(form.amount.data)
    try:
        distribution = services.confirm_shu(
            coop, year, amount, ShuDestination(form.destination.data), form.token.data,
            current_user._get_current_object(),
        )  # fmt: skip
    except services.ShuAlreadyConfirmed as error:
        flash(error.message, "info")
        return redirect(back)
    except services.ShuError as error:
        flash(error.message, "error")
        return redirect(url_for("shu.year_page", coop_slug=coop.slug, year=year, amount=amount))
    flash(_("The SHU of %(year)s is shared: %(amount)s to the members.", year=year,
            amount=format_rupiah(distribution.paid_to_members)), "success")  # fmt: skip
    return redirect(back)


@bp.route("/koperasi/<coop_slug>/kelola/shu/anggota/<int:membership_id>")
@require_books_reader
def member_statement(coop, membership, membership_id):
    member = db.session.get(Membership, membership_id)
    if member is None or member.cooperative_id != coop.id:
        abort(404)
    return _statement(coop, member, None, is_admin_view=True)


@bp.route("/koperasi/<coop_slug>/anggota/shu")
@require_member_or_former
def mine(coop, membership):
    # Always the signed-in member's own: no member id is read from the request.
    return _statement(coop, membership, None)


@bp.route("/koperasi/<coop_slug>/anggota/shu/<int:year>")
@require_member_or_former
def mine_year(coop, membership, year):
    return _statement(coop, membership, year)


def _statement(coop, member, year: int | None, is_admin_view: bool = False):
    shares = services.shares_of_member(member)
    if year is not None:
        shares = [share for share in shares if share.distribution.year == year]
    html = render_template("shu/statement.html", coop=coop, member=member, shares=shares,
                           year=year, is_admin_view=is_admin_view)  # fmt: skip
    return private_page(html)
