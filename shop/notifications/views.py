"""The signed-in person's notifications: the list, marking read, and e-mail choices."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.policy import require_sign_in
from shop.coops.services import memberships_of
from shop.forms_common import ButtonForm
from shop.ids import is_row_id
from shop.notifications import services
from shop.notifications.forms import settings_form
from shop.notifications.kinds import ADMIN, MEMBER, OPERATOR, SHOPPER, kinds_for
from shop.security import private_page

bp = Blueprint("notifications", __name__, url_prefix="/notifikasi")


@bp.route("/")
@require_sign_in
def index():
    before = request.args.get("sebelum", type=int)
    before_id = before if before and is_row_id(before) else None
    shown = services.notifications_of(current_user, before_id)
    older = shown[-1].id if len(shown) == services.PAGE_SIZE else None
    body = render_template("notifications/index.html", shown=shown, older=older, form=ButtonForm())
    return private_page(body)


@bp.route("/<int:notification_id>/baca", methods=["POST"])
@require_sign_in
def mark_read(notification_id: int):
    if ButtonForm().validate_on_submit() and is_row_id(notification_id):
        services.mark_read(current_user, notification_id)
    return redirect(url_for("notifications.index"))


@bp.route("/baca-semua", methods=["POST"])
@require_sign_in
def mark_all_read():
    if ButtonForm().validate_on_submit():
        services.mark_read(current_user)
        flash(_("All notifications are marked read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/setelan", methods=["GET", "POST"])
@require_sign_in
def settings():
    selling = memberships_of(current_user)
    kinds = kinds_for(_audiences(selling))
    form = settings_form(kinds, selling, services.email_off_kinds(current_user),
                         formdata=request.form if request.method == "POST" else None)  # fmt: skip
    if form.validate_on_submit():
        chosen = {kind.name for kind in kinds if form[f"email_{kind.name}"].data}
        thresholds = {m.id: form[f"threshold_{m.id}"].data for m in selling}
        services.save_choices(current_user, chosen, {k.name for k in kinds}, thresholds)
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    body = render_template("notifications/settings.html", form=form, kinds=kinds, selling=selling)
    return private_page(body)


def _audiences(memberships) -> set[str]:
    audiences = {SHOPPER}
    if memberships:
        audiences.add(MEMBER)
    if any(m.is_admin for m in memberships):
        audiences.add(ADMIN)
    if current_user.is_operator:
        audiences.add(OPERATOR)
    return audiences
