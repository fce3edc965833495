"""Cooperative console pages (admins) and member pages, plus accepting an invitation."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from shop.accounts.views import start_session
from shop.auth.policy import (
    public,
    require_books_reader,
    require_coop_admin,
    require_member_or_former,
)
from shop.checkout.shipping import settings_for
from shop.checkout.shipping_settings import update_shipping_settings
from shop.coops import membership_admin, services
from shop.coops.forms import (
    POSITION_LABELS,
    ROLE_LABELS,
    AcceptInvitationForm,
    ConfirmForm,
    CoopProfileForm,
    InviteForm,
    MemberProfileForm,
    RoleForm,
)
from shop.coops.member_overview import member_overview
from shop.coops.models import Role
from shop.coops.shipping_forms import ShippingSettingsForm
from shop.errors import ShopError
from shop.forms_common import ButtonForm
from shop.money import format_bp_as_percent, format_rupiah, parse_percent_to_bp, parse_rupiah
from shop.payouts.adapter import check_payout_account
from shop.security import private_page
from shop.whatsapp import share_url

bp = Blueprint("coops", __name__)


MEMBER = "/koperasi/<coop_slug>/kelola/anggota/<int:membership_id>"
INVITATION = "/koperasi/<coop_slug>/kelola/undangan/<int:invitation_id>"


@bp.route("/koperasi/<coop_slug>/kelola/anggota")
@require_books_reader
def members(coop, membership):
    body = render_template(
        "coops/members.html",
        coop=coop,
        viewer=membership,
        members=services.members_of(coop),
        invitations=services.pending_invitations(coop),
        form=ButtonForm(),
    )
    return private_page(body)


@bp.route(MEMBER)
@require_books_reader
def member(coop, membership, membership_id: int):
    member = _member_or_404(coop, membership_id)
    body = render_template(
        "coops/member.html",
        coop=coop,
        viewer=membership,
        overview=member_overview(member),
        is_self=membership_id == membership.id,
        role_form=_role_form(member),
        form=ButtonForm(),
    )
    return private_page(body)


@bp.route(MEMBER + "/peran", methods=["POST"])
@require_coop_admin
def change_role(coop, membership, membership_id: int):
    member = _member_or_404(coop, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    role = Role(form.role.data)
    try:
        # A seat goes with the admin's role: choosing another role gives the seat up.
        position = form.chosen_position() if role == Role.ADMIN else None
        membership_admin.change_role(member, role, current_user, position)
    except ShopError as error:
        return _refused(coop, member, error)
    message = _("%(name)s is now: %(role)s.", name=member.user.name, role=role_label(member))
    return _changed(coop, membership, member, message)


@bp.app_template_filter("role_label")
def role_label(membership_or_invitation) -> str:
    """A membership's role, with an admin's seat on the board; or an invitation's role."""
    label = str(ROLE_LABELS[membership_or_invitation.role])
    position = getattr(membership_or_invitation, "position", None)
    return f"{label} · {POSITION_LABELS[position]}" if position else label


@bp.route(MEMBER + "/nonaktifkan", methods=["POST"])
@require_coop_admin
def deactivate(coop, membership, membership_id: int):
    member = _member_or_404(coop, membership_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        suspended = membership_admin.deactivate_member(member, current_user)
    except ShopError as error:
        return _refused(coop, member, error)
    message = ngettext(
        "%(name)s is deactivated and %(num)d product taken off sale. Their balance stays: "
        "they can still ask for a payout.",
        "%(name)s is deactivated and %(num)d products taken off sale. Their balance stays: "
        "they can still ask for a payout.",
        suspended,
        name=member.user.name,
    )
    return _changed(coop, membership, member, message)


@bp.route(MEMBER + "/aktifkan", methods=["POST"])
@require_coop_admin
def reactivate(coop, membership, membership_id: int):
    member = _member_or_404(coop, membership_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        restored = membership_admin.reactivate_member(member, current_user)
    except ShopError as error:
        return _refused(coop, member, error)
    message = ngettext(
        "%(name)s is active again and %(num)d product back on sale.",
        "%(name)s is active again and %(num)d products back on sale.",
        restored,
        name=member.user.name,
    )
    return _changed(coop, membership, member, message)


def _role_form(member) -> RoleForm:
    return RoleForm(
        formdata=None,
        data={
            "role": member.role.value,
            "position": member.position.value if member.position else "",
        },
    )


def _member_or_404(coop, membership_id: int):
    return services.membership_in(coop, membership_id) or abort(404)


def _refused(coop, member, error: ShopError):
    flash(error.message, "error")
    return redirect(url_for("coops.member", coop_slug=coop.slug, membership_id=member.id))


def _changed(coop, membership, member, message: str):
    flash(message, "success")
    if member.id == membership.id and not (member.is_active and member.is_admin):
        # The admin gave up their own admin rights: the console is closed to them now.
        return redirect(url_for("dashboards.member_home", coop_slug=coop.slug))
    return redirect(url_for("coops.member", coop_slug=coop.slug, membership_id=member.id))


@bp.route(INVITATION + "/kirim-ulang", methods=["POST"])
@require_coop_admin
def resend_invitation(coop, membership, invitation_id: int):
    invitation = services.invitation_in(coop, invitation_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        link = services.resend_invitation(invitation, current_user)
    except ShopError as error:
        flash(error.message, "error")
        return redirect(url_for("coops.members", coop_slug=coop.slug))
    return _invitation_sent(coop, invitation, link, is_resent=True)


@bp.route(INVITATION + "/cabut", methods=["POST"])
@require_coop_admin
def revoke_invitation(coop, membership, invitation_id: int):
    invitation = services.invitation_in(coop, invitation_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.revoke_invitation(invitation, current_user)
    except ShopError as error:
        flash(error.message, "error")
    else:
        message = _("The invitation to %(email)s is revoked: its link no longer works.",
                    email=invitation.email)  # fmt: skip
        flash(message, "success")
    return redirect(url_for("coops.members", coop_slug=coop.slug))


def _invitation_sent(coop, invitation, link: str, is_resent: bool = False):
    message = _(
        "You are invited to join %(coop)s on Pasar Koperasi: %(link)s",
        coop=coop.name,
        link=link,
    )
    body = render_template(
        "coops/invite_sent.html",
        coop=coop,
        invitation=invitation,
        link=link,
        whatsapp_url=share_url(message),
        is_resent=is_resent,
    )
    return private_page(body)


@bp.route("/koperasi/<coop_slug>/kelola/undang", methods=["GET", "POST"])
@require_coop_admin
def invite(coop, membership):
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation, link = services.invite_member(
                coop, form.email.data, Role(form.role.data), current_user
            )
        except ShopError as error:
            form[error.field or "email"].errors.append(error.message)
        else:
            return _invitation_sent(coop, invitation, link)
    return render_template("coops/invite.html", coop=coop, form=form)


@bp.route("/koperasi/<coop_slug>/kelola/profil", methods=["GET", "POST"])
@require_coop_admin
def edit_coop(coop, membership):
    # A POST is read alone: a field left out is empty (and refused), never the stored value.
    form = CoopProfileForm() if request.method == "POST" else CoopProfileForm(obj=coop)
    if not form.is_submitted():
        form.fee_percent.data = format_bp_as_percent(coop.fee_bp)
        form.min_payout.data = format_rupiah(coop.min_payout)
    if form.validate_on_submit():
        details = services.CoopDetails(
            **{field: (form[field].data or "").strip() for field in services.COOP_TEXT_FIELDS},
            fee_bp=parse_percent_to_bp(form.fee_percent.data),
            hold_days=int(form.hold_days.data),
            min_payout=parse_rupiah(form.min_payout.data),
            **{field: bool(form[field].data) for field in services.COOP_FLAG_FIELDS},
        )
        try:
            services.update_coop_profile(coop, current_user, details)
        except ShopError as error:
            form[error.field or "fee_percent"].errors.append(error.message)
        else:
            flash(_("The cooperative's profile has been saved."), "success")
            return redirect(url_for("dashboards.admin_home", coop_slug=coop.slug))
    return render_template("coops/edit_coop.html", coop=coop, form=form)


@bp.route("/koperasi/<coop_slug>/kelola/pengiriman", methods=["GET", "POST"])
@require_coop_admin
def shipping(coop, membership):
    form = ShippingSettingsForm(data=ShippingSettingsForm.data_from(settings_for(coop)))
    if form.validate_on_submit():
        try:
            update_shipping_settings(coop, current_user, form.to_input())
        except ShopError as error:
            form.show_error(error)
        else:
            flash(_("The shipping settings have been saved."), "success")
            return redirect(url_for("dashboards.admin_home", coop_slug=coop.slug))
    return render_template("coops/shipping.html", coop=coop, form=form)


@bp.route("/koperasi/<coop_slug>/anggota/profil", methods=["GET", "POST"])
@require_member_or_former
def edit_member_profile(coop, membership):
    form = MemberProfileForm(obj=membership)
    if form.validate_on_submit():
        profile = services.MemberProfile(
            **{field: (form[field].data or "").strip() for field in services.MEMBER_PROFILE_FIELDS}
        )
        try:
            holder = _checked_payout_account(membership, profile)
        except ShopError as error:
            form.bank_account_number.errors.append(error.message)
        else:
            services.update_member_profile(membership, current_user, profile)
            flash(_("Your profile has been saved."), "success")
            if holder:
                flash(_("The bank says this account belongs to %(holder)s.", holder=holder), "info")
            return redirect(url_for("coops.edit_member_profile", coop_slug=coop.slug))
    return private_page(
        render_template("coops/member_profile.html", coop=coop, membership=membership, form=form)
    )


def _checked_payout_account(membership, profile) -> str | None:
    """A new bank account is checked by the payout adapter (Midtrans Iris asks the bank);
    the holder's name it gives, or None. Raises ShopError for an account it refuses."""
    account = (profile.bank_name, profile.bank_account_number)
    if not all(account) or account == (membership.bank_name, membership.bank_account_number):
        return None
    return check_payout_account(*account)


@bp.route("/undangan/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    invitation = services.find_open_invitation(token)
    if invitation is None:
        return render_template("coops/invitation_invalid.html"), 404
    signed_in = current_user.is_authenticated
    form = ConfirmForm() if signed_in else AcceptInvitationForm()
    account_exists = not signed_in and services.find_user_by_email(invitation.email) is not None
    if not account_exists and form.validate_on_submit():
        try:
            if signed_in:
                user, membership = services.accept_invitation(
                    token, current_user._get_current_object()
                )
            else:
                user, membership = services.accept_invitation(
                    token, None, name=form.name.data, password=form.password.data
                )
        except ShopError as error:
            flash(error.message, "error")
        else:
            if not signed_in:
                start_session(user)
            flash(_("Welcome to %(coop)s!", coop=invitation.cooperative.name), "success")
            return redirect(
                url_for("coops.edit_member_profile", coop_slug=membership.cooperative.slug)
            )
    return render_template(
        "coops/accept_invitation.html",
        invitation=invitation,
        form=form,
        account_exists=account_exists,
    )
