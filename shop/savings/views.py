"""Simpanan pages: the admin's list with arrears, deposit, withdrawal and settings; the
member's own savings."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.auth.policy import require_books_reader, require_coop_admin, require_member_or_former
from shop.coops.models import Membership
from shop.errors import ShopError
from shop.extensions import db
from shop.money import format_rupiah, parse_rupiah
from shop.reports.period import today_in_jakarta
from shop.savings import services
from shop.savings.forms import (
    KIND_LABELS,
    METHOD_LABELS,
    SavingsMovementForm,
    SavingsSettingsForm,
    WithdrawalForm,
)
from shop.savings.models import PaymentMethod, SavingsKind
from shop.savings.queries import movements_of, savings_of, savings_of_members
from shop.security import private_page

bp = Blueprint("savings", __name__)


# Template globals, not a context processor: those run at every render of every page.
bp.record_once(
    lambda state: state.app.jinja_env.globals.update(
        savings_kind_labels=KIND_LABELS, payment_method_labels=METHOD_LABELS
    )
)


@bp.route("/koperasi/<coop_slug>/kelola/simpanan")
@require_books_reader
def overview(coop, membership):
    html = render_template("savings/overview.html", coop=coop, rows=savings_of_members(coop),
                           settings=services.settings_of(coop))  # fmt: skip
    return private_page(html)


@bp.route("/koperasi/<coop_slug>/kelola/simpanan/setoran", methods=["GET", "POST"])
@require_coop_admin
def deposit(coop, membership):
    form = SavingsMovementForm(_members(coop), data={"paid_on": today_in_jakarta()})
    return _movement_page(coop, form, services.record_deposit, _("Record a deposit"))


@bp.route("/koperasi/<coop_slug>/kelola/simpanan/penarikan", methods=["GET", "POST"])
@require_coop_admin
def withdraw(coop, membership):
    form = WithdrawalForm(_members(coop), data={"paid_on": today_in_jakarta()})
    return _movement_page(coop, form, services.record_withdrawal,
                          _("Pay out simpanan sukarela"))  # fmt: skip


def _movement_page(coop, form, record, title: str):
    if form.validate_on_submit():
        member = db.session.get(Membership, form.member.data)
        try:
            movement = record(_record_from(form, member), current_user._get_current_object())
        except ShopError as error:
            form[error.field or "amount"].errors.append(error.message)
        else:
            flash(_("%(amount)s recorded for %(member)s.", amount=format_rupiah(movement.amount),
                    member=member.display_name), "success")  # fmt: skip
            return redirect(url_for("savings.overview", coop_slug=coop.slug))
    html = render_template("savings/movement.html", coop=coop, form=form, title=title)
    return private_page((html, 400 if form.errors else 200))


def _record_from(form, member) -> services.SavingsRecord:
    return services.SavingsRecord(
        member=member,
        kind=SavingsKind(form.kind.data),
        amount=parse_rupiah(form.amount.data),
        method=PaymentMethod(form.method.data),
        reference=form.reference.data or "",
        paid_on=form.paid_on.data,
    )


def _members(coop) -> list[Membership]:
    return db.session.scalars(
        select(Membership)
        .where(Membership.cooperative_id == coop.id, Membership.is_active.is_(True))
        .order_by(Membership.member_number)
    ).all()


@bp.route("/koperasi/<coop_slug>/kelola/simpanan/pengaturan", methods=["GET", "POST"])
@require_coop_admin
def settings(coop, membership):
    current = services.settings_of(coop)
    form = SavingsSettingsForm(data={
        "pokok_amount": str(current.pokok_amount), "wajib_amount": str(current.wajib_amount),
        "wajib_starts_on": current.wajib_starts_on,
    })  # fmt: skip
    if form.validate_on_submit():
        services.save_settings(coop, parse_rupiah(form.pokok_amount.data),
                               parse_rupiah(form.wajib_amount.data), form.wajib_starts_on.data,
                               current_user._get_current_object())  # fmt: skip
        flash(_("Simpanan settings saved."), "success")
        return redirect(url_for("savings.overview", coop_slug=coop.slug))
    html = render_template("savings/settings.html", coop=coop, form=form)
    return private_page((html, 400 if form.errors else 200))


@bp.route("/koperasi/<coop_slug>/anggota/simpanan")
@require_member_or_former
def mine(coop, membership):
    # Always the signed-in member's own: no member id is read from the request.
    html = render_template("savings/mine.html", coop=coop, savings=savings_of(membership),
                           movements=movements_of(membership))  # fmt: skip
    return private_page(html)
